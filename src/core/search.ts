// Catalog search for the `search <words>` command: which entries contain every word the person typed.
import type { Catalog, CatalogEntry } from './types.js';

/** At most this many words are looked for; a longer query is a paste, not a search. */
const MAX_WORDS = 12;

/**
 * Catalog entries containing every word (case-insensitive; app names and aliases, codes,
 * exceptions and phrases count), those with more of the words in the portal message first.
 */
export function searchCatalog(catalog: Catalog, query: string): CatalogEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0).slice(0, MAX_WORDS);
  if (words.length === 0) return [];
  const scored: { entry: CatalogEntry; score: number }[] = [];
  for (const entry of catalog.entries) {
    const app = catalog.app(entry.app);
    const haystack = [
      entry.message, entry.cause, entry.id, app?.name ?? entry.app, ...(app?.aliases ?? []),
      ...entry.signals.codes, ...entry.signals.exceptions, ...entry.signals.phrases,
    ].join('\n').toLowerCase();
    if (!words.every((w) => haystack.includes(w))) continue;
    const inMessage = words.filter((w) => entry.message.toLowerCase().includes(w)).length;
    scored.push({ entry, score: inMessage });
  }
  return scored.sort((a, b) => b.score - a.score || a.entry.id.localeCompare(b.entry.id)).map((s) => s.entry);
}
