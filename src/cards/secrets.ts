// What the card says about secrets removed from a paste: how many, of which kinds, and what the
// person should do, since their own message in the chat still shows them. Never the values.
import { describeSecretKind } from '../core/index.js';
import { listWords, plural } from './words.js';

/** Where the secrets were: a paste to the bot, a message diagnosed with the message extension, an alert. */
export type SecretsFrom = 'paste' | 'message' | 'alert';

/**
 * "1 secret removed (an Authorization header). Your message above still shows it: delete it and
 * rotate that credential." Empty when nothing was removed.
 */
export function secretNotice(count: number, kinds: readonly string[], from: SecretsFrom = 'paste'): string {
  if (count <= 0) return '';
  const described = [...new Set(kinds.map(describeSecretKind))];
  const what = described.length > 0 ? ` (${listWords(described)})` : '';
  // An alert's text is not in the chat: it stays wherever the alert came from.
  const advice =
    from === 'alert'
      ? count === 1
        ? 'The alert where it came from still shows it: rotate that credential.'
        : 'The alert where it came from still shows them: rotate those credentials.'
      : from === 'message'
        ? // Diagnosed from someone's message (often a colleague's): its author can delete it, maybe not the reader.
          count === 1
          ? 'The message it came from still shows it: ask its author to delete it (or delete it, if it is yours) and rotate that credential.'
          : 'The message they came from still shows them: ask its author to delete it (or delete it, if it is yours) and rotate those credentials.'
        : count === 1
        ? 'Your message above still shows it: delete it and rotate that credential.'
        : 'Your message above still shows them: delete it and rotate those credentials.';
  return `${plural(count, 'secret')} removed${what}. ${advice}`;
}
