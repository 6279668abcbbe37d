// From ranked candidates to a verdict: match (one app's entry clearly best), ambiguous (near-ties
// across apps that no app hint settles) or none (nothing strong enough; weak suggestions only).

import type { AppHint } from './app-hints.js';
import { ALL_APPS_ID } from './catalog.js';
import type { Index } from './catalog-index.js';
import type { Candidate } from './evidence.js';
import type { CatalogEntry, Evidence, ScoredEntry, Verdict } from './types.js';
import { MATCH_THRESHOLD, MAX_RUNNER_UPS, MAX_SUGGESTIONS, SUGGEST_THRESHOLD, TIE_MARGIN, WEIGHT } from './weights.js';

export interface VerdictChoice {
  verdict: Verdict;
  matches: Candidate[];
  runnerUps: Candidate[];
}

const ANCHOR_KINDS = new Set<Evidence['kind']>(['code', 'exception', 'phrase', 'message']);

/** An anchor's comparable key: its value in lower case, an exception by its simple name. */
function anchorKey(e: Evidence): string {
  return (e.kind === 'exception' ? e.value.slice(e.value.lastIndexOf('.') + 1) : e.value).toLowerCase();
}

/** What of the entry's own the paste carries, as comparable keys. */
export function anchorsOf(c: Candidate): string[] {
  const keys: string[] = [];
  for (const e of c.evidence) if (ANCHOR_KINDS.has(e.kind)) keys.push(anchorKey(e));
  return keys;
}

/** One of the candidate's anchors is among `taken` (anchorsOf's keys, read until one is). */
export function sharesAnchor(c: Candidate, taken: ReadonlySet<string>): boolean {
  for (const e of c.evidence) if (ANCHOR_KINDS.has(e.kind) && taken.has(anchorKey(e))) return true;
  return false;
}

/** A second error in one segment needs a code, an exception or its whole message, not only a phrase. */
export function strongAnchor(c: Candidate): boolean {
  for (const e of c.evidence) if (e.kind === 'code' || e.kind === 'exception' || (e.kind === 'message' && e.weight >= WEIGHT.message)) return true;
  return false;
}

export function scored(index: Index, c: Candidate): ScoredEntry {
  const entry = index.entries[c.index]?.entry as CatalogEntry;
  return { entry, score: c.score, evidence: c.evidence };
}

/**
 * The verdict for one error's candidates (best first). `callerApp` (the caller's `app`) wins over
 * `textHints` (apps the text points at) when near-ties span several apps.
 */
function appOf(index: Index, c: Candidate): string {
  return index.entries[c.index]?.entry.app ?? '';
}

function hasCodes(c: Candidate, codes: readonly string[]): boolean {
  for (const code of codes) {
    let held = false;
    for (const e of c.evidence) {
      if (e.kind === 'code' && e.value === code) {
        held = true;
        break;
      }
    }
    if (!held) return false;
  }
  return true;
}

/** The first `max` candidates scoring `min` or more (other than entry `except`), in their order. */
function atLeast(candidates: readonly Candidate[], min: number, max: number, except = -1): Candidate[] {
  const out: Candidate[] = [];
  for (const c of candidates) {
    if (out.length >= max) break;
    if (c.index !== except && c.score >= min) out.push(c);
  }
  return out;
}

/** The candidates are of more than one app. */
function severalApps(index: Index, candidates: readonly Candidate[]): boolean {
  const first = candidates[0];
  if (first === undefined) return false;
  const app = appOf(index, first);
  for (const c of candidates) if (appOf(index, c) !== app) return true;
  return false;
}

/**
 * Near-ties across apps, settled by the first app the caller or the text names that has strong
 * candidates: that app's (and all-apps) candidates, the tied ones if any; `tied` when none has.
 */
function settledByHints(index: Index, candidates: readonly Candidate[], tied: Candidate[], callerApp: string | undefined, textHints: Pick<AppHint, 'appId' | 'value'>[]): Candidate[] {
  const strong = candidates.filter((c) => c.score >= MATCH_THRESHOLD);
  // The caller's app wins over what the text says; an all-apps entry fits any app.
  const count = callerApp ? 1 : textHints.length;
  for (let k = 0; k < count; k++) {
    const appId = callerApp ? callerApp : (textHints[k] as Pick<AppHint, 'appId' | 'value'>).appId;
    const fitting = strong.filter((c) => appOf(index, c) === appId || appOf(index, c) === ALL_APPS_ID);
    const fittingTied = fitting.filter((c) => tied.includes(c));
    const pick = fittingTied.length > 0 ? fittingTied : fitting;
    if (pick.length > 0) {
      const hint = callerApp ? { appId, value: `app ${appId} given` } : textHints.find((h) => h.appId === appId);
      const settled: Candidate[] = [];
      for (const c of pick) {
        settled.push(appOf(index, c) === appId && hint && !c.evidence.some((e) => e.kind === 'app-hint') ? { ...c, evidence: [...c.evidence, { kind: 'app-hint', value: hint.value, weight: 0 }] } : c);
      }
      return settled;
    }
  }
  return tied;
}

export function chooseVerdict(index: Index, candidates: Candidate[], callerApp: string | undefined, textHints: Pick<AppHint, 'appId' | 'value'>[]): VerdictChoice {
  const best = candidates[0];
  if (!best || best.score < MATCH_THRESHOLD) {
    return { verdict: 'none', matches: atLeast(candidates, SUGGEST_THRESHOLD, MAX_SUGGESTIONS), runnerUps: [] };
  }
  // A candidate lacking an error code that the best one has (E0000007, AF20012) is not as likely,
  // however close the scores.
  const bestCodes: string[] = [];
  for (const e of best.evidence) if (e.kind === 'code') bestCodes.push(e.value);
  let tied: Candidate[] = [];
  for (const c of candidates) if (c.score >= MATCH_THRESHOLD && c.score >= best.score - TIE_MARGIN && hasCodes(c, bestCodes)) tied.push(c);
  if (severalApps(index, tied)) tied = settledByHints(index, candidates, tied, callerApp, textHints);
  if (severalApps(index, tied)) {
    // One candidate per entry, best first; every app represented.
    return { verdict: 'ambiguous', matches: tied, runnerUps: [] };
  }
  const winner = tied[0] ?? best;
  return { verdict: 'match', matches: [winner], runnerUps: atLeast(candidates, SUGGEST_THRESHOLD, MAX_RUNNER_UPS, winner.index) };
}
