// The arithmetic of evidence: finding catalog word sequences in a paste, how far a portal
// message runs, how shared anchors and several clues combine (noisy-or), the scratch slots, the
// evidence values made once, and the per-segment bookkeeping the scorer shares.

import { ALL_APPS_ID } from './catalog.js';
import type { IndexedEntry, Index, LexicalScratch, PhraseRef, Sequence, WordInfo } from './catalog-index.js';
import type { Evidence } from './types.js';
import { WEIGHT } from './weights.js';
import { codeFamily } from './words.js';

/** The phrases a word starts (a module-level reader for findSequences: no closure per call). */
export function phrasesOf(info: WordInfo | undefined): PhraseRef[] | undefined {
  return info?.phrases;
}

/** The hosts a word starts. */
export function hostsOf(info: WordInfo | undefined): PhraseRef[] | undefined {
  return info?.hosts;
}

/**
 * Every sequence found in `words`, in order of first finding. `infos[p]` is what the index knows
 * of `words[p]` (one lookup per word, see WordInfo); `startedBy` reads the sequences it starts.
 */
export function findSequences<T extends Sequence>(infos: readonly (WordInfo | undefined)[], words: string[], startedBy: (info: WordInfo | undefined) => T[] | undefined): T[] {
  const found: T[] = [];
  // Made at the first find: most segments find none.
  let seen: Set<T> | undefined;
  for (let p = 0; p < words.length; p++) {
    const list = startedBy(infos[p]);
    if (!list) continue;
    for (const seq of list) {
      if (seen?.has(seq)) continue;
      let ok = true;
      for (let k = 1; k < seq.tokens.length; k++) {
        if (words[p + k] !== seq.tokens[k]) {
          ok = false;
          break;
        }
      }
      if (ok) {
        (seen ??= new Set()).add(seq);
        found.push(seq);
      }
    }
  }
  return found;
}

/** Longest run of the message's words found in order, starting at its first word: k of m. */
export function messageRun(messageSeq: string[], positions: Map<string, number[]>, masked: string[]): number {
  const first = messageSeq[0];
  if (first === undefined) return 0;
  let best = 0;
  for (const p of positions.get(first) ?? []) {
    let k = 1;
    while (k < messageSeq.length && masked[p + k] === messageSeq[k]) k++;
    // A paste cut in the middle of the message's next word (`403 Forb`) still follows it.
    const cut = masked[p + k];
    if (k < messageSeq.length && p + k === masked.length - 1 && cut !== undefined && cut.length >= 3 && messageSeq[k]?.startsWith(cut)) k++;
    if (k > best) best = k;
    if (best === messageSeq.length) break;
  }
  return best;
}

export interface Candidate {
  index: number;
  evidence: Evidence[];
  score: number;
}

export function noisyOr(evidence: Evidence[]): number {
  let miss = 1;
  for (const e of evidence) miss *= 1 - Math.min(0.99, Math.max(0, e.weight));
  return 1 - miss;
}

/** Shared anchors say less: one entry 1.0, two 0.9, many down to 0.6. */
export function specificity(sharedBy: number): number {
  return Math.max(0.6, 1 / (1 + 0.1 * (sharedBy - 1)));
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A fresh generation of the lexical scratch slots (all slots read as unused). */
export function nextGeneration(scratch: LexicalScratch): number {
  if (scratch.generation >= 0xfffffffe) {
    scratch.stamp.fill(0);
    scratch.evidenceStamp.fill(0);
    scratch.postingStamp.fill(0);
    scratch.generation = 0;
  }
  scratch.generation++;
  return scratch.generation;
}

export function hasAny<T>(items: ReadonlySet<T>, set: ReadonlySet<T>): boolean {
  for (const item of items) if (set.has(item)) return true;
  return false;
}

/** "57% of the entry's words", made once per percentage: the lexical score writes one per candidate. */
const LEXICAL_VALUES = Array.from({ length: 101 }, (_, p) => `${p}% of the entry's words`);

function lexicalValue(coverage: number): string {
  const percent = Math.round(coverage * 100);
  return LEXICAL_VALUES[percent] ?? `${percent}% of the entry's words`;
}

/** Status evidence of every HTTP status, plain and anchoring: shared, read-only. */
const STATUS_EVIDENCE = Array.from({ length: 600 }, (_, status) => [
  Object.freeze<Evidence>({ kind: 'status', value: String(status), weight: WEIGHT.status }),
  Object.freeze<Evidence>({ kind: 'status', value: String(status), weight: WEIGHT.ownStatus }),
]);

export function statusEvidence(status: number, own: boolean): Evidence {
  return STATUS_EVIDENCE[status]?.[own ? 1 : 0] ?? { kind: 'status', value: String(status), weight: own ? WEIGHT.ownStatus : WEIGHT.status };
}

/** `known` holds a code of the kind of `codes`' first one: code-shaped (`aadsts50126`) or a word (`invalid_grant`). */
export function hasCodeOfKind(known: ReadonlySet<string>, codes: readonly string[]): boolean {
  const shaped = codes[0] !== undefined && codeFamily(codes[0]) !== undefined;
  for (const code of known) if ((codeFamily(code) !== undefined) === shaped) return true;
  return false;
}

// Helpers at module level, not closures made per call: a paste scores many segments, and each
// closure is an allocation (and, under tsx, a defineProperty for its name).

/**
 * The evidence found so far, per entry, in this segment's generation of the scratch slots:
 * `evidence[i]` and `flags[i]` hold while `evidenceStamp[i] === generation`; `order` lists those
 * entries in the order they got their first evidence.
 */
export interface Found {
  evidence: (Evidence[] | undefined)[];
  flags: Uint8Array;
  evidenceStamp: Uint32Array;
  order: number[];
  generation: number;
}

/** Entry `entryIndex` is a candidate of this segment, with no evidence yet if it was none before. */
export function open(found: Found, entryIndex: number): void {
  if (found.evidenceStamp[entryIndex] === found.generation) return;
  found.evidence[entryIndex] = [];
  found.flags[entryIndex] = 0;
  found.evidenceStamp[entryIndex] = found.generation;
  found.order.push(entryIndex);
}

export function add(found: Found, entryIndex: number, e: Evidence): void {
  if (found.evidenceStamp[entryIndex] === found.generation) (found.evidence[entryIndex] as Evidence[]).push(e);
  else {
    found.evidence[entryIndex] = [e];
    found.flags[entryIndex] = 0;
    found.evidenceStamp[entryIndex] = found.generation;
    found.order.push(entryIndex);
  }
}

/** When the error names its app, an anchor is shared only by the entries that app allows. */
export function inScope(index: Index, namedApps: ReadonlySet<string> | undefined, i: number): boolean {
  if (namedApps === undefined) return true;
  const app = index.entries[i]?.entry.app;
  return app === ALL_APPS_ID || (app !== undefined && namedApps.has(app));
}

export function sharedBy(index: Index, namedApps: ReadonlySet<string> | undefined, list: readonly number[]): number {
  if (namedApps === undefined) return list.length;
  let n = 0;
  for (const i of list) if (inScope(index, namedApps, i)) n++;
  return n;
}

export function lexicalEvidence(entry: IndexedEntry, coverage: number): Evidence {
  return { kind: 'lexical', value: lexicalValue(coverage), weight: WEIGHT.lexical * coverage ** 1.5 * entry.shortFactor };
}
