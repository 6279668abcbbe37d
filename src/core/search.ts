// Catalog search for the `search <words>` command and the message extension's "Search known
// errors": which entries contain every word the person typed, a word with one typo included.
import { withinOneEdit } from './words.js';
import type { Catalog, CatalogEntry } from './types.js';

/** At most this many words are looked for; a longer query is a paste, not a search. */
const MAX_WORDS = 12;

/**
 * Shorter words are taken as typed: one edit away from a three-letter word is half the
 * vocabulary ("api" -> "app", "apr", "ai"), which is noise, not tolerance.
 */
const MIN_TYPO_CHARS = 4;

interface Indexed {
  entry: CatalogEntry;
  /** Everything the entry can be found by, lower-cased and joined. */
  haystack: string;
  message: string;
}

interface SearchIndex {
  entries: Indexed[];
  /** Every word of every haystack (letters, digits and `_`, as in invalid_grant), by length, for typo lookups. */
  wordsByLength: Map<number, string[]>;
}

const indexes = new WeakMap<Catalog, SearchIndex>();

/** The catalog's haystacks and vocabulary, built once per catalog (the catalog is immutable). */
function indexOf(catalog: Catalog): SearchIndex {
  const known = indexes.get(catalog);
  if (known) return known;
  const entries = catalog.entries.map((entry) => {
    const app = catalog.app(entry.app);
    const haystack = [
      entry.message, entry.cause, entry.id, app?.name ?? entry.app, ...(app?.aliases ?? []),
      ...entry.signals.codes, ...entry.signals.exceptions, ...entry.signals.phrases,
    ].join('\n').toLowerCase();
    return { entry, haystack, message: entry.message.toLowerCase() };
  });
  const vocabulary = new Set<string>();
  for (const { haystack } of entries) {
    for (const word of haystack.split(/[^\p{L}\p{N}_]+/u)) if (word.length >= MIN_TYPO_CHARS - 1) vocabulary.add(word);
  }
  const wordsByLength = new Map<number, string[]>();
  for (const word of vocabulary) {
    const list = wordsByLength.get(word.length) ?? [];
    list.push(word);
    wordsByLength.set(word.length, list);
  }
  const index = { entries, wordsByLength };
  indexes.set(catalog, index);
  return index;
}

/** The word without the punctuation typed before or after it ("box," -> "box", "(401)" -> "401"). */
function bareWord(word: string): string {
  return word.replace(/^[^\p{L}\p{N}_]+|[^\p{L}\p{N}_]+$/gu, '');
}

/**
 * What a typed word may stand for: itself when some entry holds it, else the catalog's words one
 * typo away (a letter missing, extra, wrong or two swapped). Empty: nothing holds it.
 */
function formsOf(word: string, index: SearchIndex): string[] {
  const held = (form: string) => index.entries.some((e) => e.haystack.includes(form));
  if (held(word)) return [word];
  // Punctuation typed around a word ("box," "401." "(tokn)") is not part of it: the word itself,
  // correctly spelled, is looked for as typed before any typo is forgiven, whatever its length.
  const bare = bareWord(word);
  if (bare !== word && bare !== '' && held(bare)) return [bare];
  if (bare.length < MIN_TYPO_CHARS || /[^\p{L}\p{N}_]/u.test(bare)) return [];
  const forms: string[] = [];
  for (const length of [bare.length - 1, bare.length, bare.length + 1]) {
    for (const candidate of index.wordsByLength.get(length) ?? []) if (withinOneEdit(bare, candidate)) forms.push(candidate);
  }
  return forms;
}

/**
 * Catalog entries containing every word (case-insensitive; app names and aliases, codes,
 * exceptions and phrases count), a word with one typo standing for the catalog's word it misspells.
 * Entries with more of the words in the portal message come first.
 * A word nothing holds, even with a typo forgiven, finds nothing at all rather than everything else.
 */
export function searchCatalog(catalog: Catalog, query: string): CatalogEntry[] {
  // Punctuation standing alone ("box - refresh", "okta , token") is not a word to look for.
  const words = query.toLowerCase().split(/\s+/).filter((w) => bareWord(w) !== '').slice(0, MAX_WORDS);
  if (words.length === 0) return [];
  const index = indexOf(catalog);
  const wanted = words.map((word) => formsOf(word, index));
  if (wanted.some((forms) => forms.length === 0)) return [];
  const scored: { entry: CatalogEntry; inMessage: number }[] = [];
  for (const { entry, haystack, message } of index.entries) {
    let inMessage = 0;
    let all = true;
    for (const forms of wanted) {
      const form = forms.find((f) => haystack.includes(f));
      if (form === undefined) {
        all = false;
        break;
      }
      if (message.includes(form)) inMessage++;
    }
    if (all) scored.push({ entry, inMessage });
  }
  return scored.sort((a, b) => b.inMessage - a.inMessage || a.entry.id.localeCompare(b.entry.id)).map((s) => s.entry);
}
