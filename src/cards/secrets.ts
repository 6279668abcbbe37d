// What the card says about secrets removed from a paste: how many, of which kinds, and what the
// person should do, since their own message in the chat still shows them. Never the values.
import { listWords, plural } from './words.js';

const KIND_WORDS: Record<string, string> = {
  jwt: 'a JSON Web Token',
  'authorization-header': 'an Authorization header',
  'bearer-token': 'a bearer token',
  'aad-refresh-token': 'a Microsoft Entra refresh token',
  'client-secret': 'a client secret',
  'google-token': 'a Google OAuth token',
  'okta-token': 'an Okta API token',
  'salesforce-session': 'a Salesforce session id',
  'url-password': 'a password in a URL',
  'secret-pair': 'a password or key value',
};

/** A kind of secret from redact() in words ("an Authorization header"); unknown kinds are "a secret". */
function describeSecretKind(kind: string): string {
  return KIND_WORDS[kind] ?? 'a secret';
}

/**
 * "1 secret removed (an Authorization header). Your message above still shows it: delete it and
 * rotate that credential." Empty when nothing was removed.
 */
export function secretNotice(count: number, kinds: readonly string[]): string {
  if (count <= 0) return '';
  const described = [...new Set(kinds.map(describeSecretKind))];
  const what = described.length > 0 ? ` (${listWords(described)})` : '';
  const advice = count === 1
    ? 'Your message above still shows it: delete it and rotate that credential.'
    : 'Your message above still shows them: delete it and rotate those credentials.';
  return `${plural(count, 'secret')} removed${what}. ${advice}`;
}
