// The words cards use for the domain: app names, who acts, how sure the match is, a cause cut to
// one line, durations, and times every reader's client shows in their own zone.
import { ALL_APPS_ID, type Actor, type Catalog, type CatalogEntry } from '../core/index.js';
import { plainText } from './plain-text.js';

export function appName(catalog: Catalog, appId: string | undefined): string {
  if (!appId) return 'Unknown app';
  // "All apps: Service timeout" reads as if every app failed; these errors belong to any one app.
  if (appId === ALL_APPS_ID) return 'Any app';
  return catalog.app(appId)?.name ?? appId;
}

export function actorText(actor: Actor, app: string): string {
  switch (actor) {
    case 'app-admin':
      return `An admin of ${app}`;
    case 'mda-admin':
      return 'Your Defender for Cloud Apps admin';
    case 'microsoft-support':
      return 'Microsoft support (open a case)';
    case 'anyone':
      return 'Anyone who can open the connector settings';
  }
}

/**
 * An ISO-8601 UTC instant as Adaptive Card date and time functions ("Tue, Dec 1, 2026 11:42 AM"
 * for a reader in Berlin). The functions accept whole seconds only.
 */
export function readerTime(at: Date): string {
  const iso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}`;
}

export function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > 160 ? `${cutAtWord(line, 157)}…` : line;
}

export function firstSentence(text: string): string {
  const match = /^.{20,}?[.!?](?=\s|$)/s.exec(text.replace(/\s+/g, ' ').trim());
  return match ? match[0] : text.replace(/\s+/g, ' ').trim();
}

/** At most `max` characters, ending at a word boundary (never mid-word). */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max + 1);
  const space = cut.lastIndexOf(' ');
  return (space > max / 2 ? cut.slice(0, space) : cut.slice(0, max)).replace(/[\s,;:(-]+$/, '');
}

/** Where a long first sentence can end early and still say what happened. */
const CLAUSE_BREAKS = [': ', '; ', ' (', ', so ', ', and ', ', or '];
const HEADLINE_CHARS = 120;

/**
 * The cause in one line for a card's title: its first sentence, or, when that is long, the
 * sentence up to its first clause break ("Salesforce rejects the connector's session: the ..." ->
 * "Salesforce rejects the connector's session"). The whole cause stays one click away.
 */
export function headline(cause: string): string {
  const sentence = firstSentence(cause);
  if (sentence.length <= HEADLINE_CHARS) return sentence.replace(/[.!]$/, '');
  const clause = (marks: string[]) => Math.min(...marks.map((b) => sentence.indexOf(b)).filter((i) => i >= 30), Infinity);
  // Any comma will do when the sentence has no stronger break.
  const at = Math.min(clause(CLAUSE_BREAKS), 160) < 160 ? clause(CLAUSE_BREAKS) : clause([', ']);
  if (at <= 160) return sentence.slice(0, at);
  return `${cutAtWord(sentence, HEADLINE_CHARS)}…`;
}

export type Certainty = 'exact' | 'strong' | 'likely';

/** At or above: a match the text supports from several sides (codes, exceptions, wording). */
const STRONG_SCORE = 0.85;

/** How sure the match is, in words: the portal's own message beats any score. */
export function certaintyOf(excerpt: string, entry: CatalogEntry, score: number | undefined): Certainty {
  if (pasteContains(excerpt, entry.message)) return 'exact';
  return score !== undefined && score >= STRONG_SCORE ? 'strong' : 'likely';
}

export function certaintyWords(certainty: Certainty, alternatives: number): string {
  const words = certainty === 'exact' ? 'Exact portal message' : certainty === 'strong' ? 'Strong match' : 'Likely match';
  // However sure the match, a card that also offers other causes says so where it says how sure:
  // "Strong match" above an "Also possible" would contradict it.
  if (alternatives <= 0) return words;
  return `${words}, but ${alternatives === 1 ? 'another cause is' : `${alternatives} other causes are`} possible (Show details)`;
}

/** Whether the paste already shows the catalog's portal message (spacing and case aside). */
export function pasteContains(excerpt: string, message: string): boolean {
  const squash = (text: string) => text.replace(/[\s…]+/g, ' ').trim().toLowerCase();
  const wanted = squash(message);
  return wanted !== '' && squash(excerpt).includes(wanted);
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return 'nothing resolved yet';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.round(hours / 24)} days`;
}

export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^https:\/\/[^\s"<>]+$/i.test(url) && URL.canParse(url) ? url : undefined;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/** "a, b and c". */
export function listWords(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Where Learn more goes when neither the entry nor its app names a page. */
const DEFAULT_LEARN_MORE = 'https://learn.microsoft.com/defender-cloud-apps/';

/** What every card about a catalog entry shows of it: who acts, whether retrying helps, the numbered steps, Learn more. */
export function entryParts(catalog: Catalog, entry: CatalogEntry, app: string): {
  facts: { title: string; value: string }[];
  steps: { number: string; text: string }[];
  learnMoreUrl: string;
} {
  return {
    facts: [
      { title: 'Who acts', value: plainText(actorText(entry.resolution.actor, app)) },
      { title: 'Does retrying help?', value: entry.resolution.retryHelps ? 'Yes: Test now, or waiting, can clear it' : 'No: it needs the fix below' },
    ],
    steps: entry.resolution.steps.map((step, index) => ({ number: String(index + 1), text: plainText(step) })),
    learnMoreUrl: safeUrl(entry.learnMore) ?? safeUrl(catalog.app(entry.app)?.learnMore) ?? DEFAULT_LEARN_MORE,
  };
}
