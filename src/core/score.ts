// Scores one error (a segment's view) against the catalog entries the index points at: every
// piece of evidence has a weight, they combine as a noisy-or, contradictions damp the result.

import type { AppHint } from './app-hints.js';
import { ALL_APPS_ID } from './catalog.js';
import { addTo, type Index, type IndexedEntry, type PhraseRef } from './catalog-index.js';
import { add, findSequences, hasAny, hostsOf, phrasesOf, hasCodeOfKind, inScope, lexicalEvidence, messageRun, nextGeneration, noisyOr, open, round, sharedBy, specificity, statusEvidence, type Candidate, type Found } from './evidence.js';
import { httpStatusesIn, statusesInContext, terseStatus } from './http-status.js';
import type { Evidence } from './types.js';
import type { SegmentView } from './view.js';
import { CODE_CONTRADICTION, MAX_LEXICAL_CANDIDATES, STATUS_CONTRADICTION, UNANCHORED_CAP, WEIGHT } from './weights.js';
import { codeFamily } from './words.js';
import { codeAt } from './chars.js';

/** What is known about one error beyond its words. */
export interface ErrorContext {
  /** Apps that back an entry something else points at (the caller's app, or the text's hints). */
  hintApps: readonly AppHint[];
  /** The apps the caller or the error's own words name; entries of other specific apps stay suggestions at most. */
  namedApps: ReadonlySet<string> | undefined;
  /** App hints of the error's own lines (names, hosts, packages, stack frames). */
  ownHints: readonly AppHint[];
  /** The error's inner codes (inner-codes.ts), the most specific kind only. */
  innerCodes: readonly string[];
  /** Its stack frames run in somebody else's code (provenance.ts). */
  foreignCode: boolean;
}

/** How far after an exception's colon its detail message is read. */
const DETAIL_READ = 200;

/**
 * `name` (lower case) stands in `lowerText` as an exception with a detail message: `name:` then
 * at least two letters before the line, a quote or a bracket ends it (`"IOException:" and nothing
 * after it` and `IOException:\t11/30/2026` have none).
 */
function hasDetail(lowerText: string, name: string): boolean {
  let from = 0;
  for (let round = 0; round < 8; round++) {
    const at = lowerText.indexOf(`${name}:`, from);
    if (at < 0) return false;
    from = at + name.length + 1;
    const before = codeAt(lowerText, at - 1);
    if (at > 0 && ((before >= 97 && before <= 122) || (before >= 48 && before <= 57) || before === 95)) continue;
    let letters = 0;
    for (let k = from; k < lowerText.length && k < from + DETAIL_READ; k++) {
      const c = codeAt(lowerText, k);
      if (c === 10 || c === 34 || c === 39 || c === 41 || c === 93 || c === 125) break;
      if (c >= 97 && c <= 122) {
        letters++;
        if (letters >= 2) return true;
      } else letters = 0;
    }
  }
  return false;
}

/** Bits of LexicalScratch.flags: what the paste says of one entry in this segment. */
/** Pointed at with something that says its app (see `carriesApp` below). */
const ENTRY_CARRIES_APP = 1;
/** Pointed at with a code or phrase only its app has. */
const ENTRY_APP_CODE_OR_PHRASE = 2;
/** Anchored by the status the error reports (see `ownStatus` below). */
const ENTRY_OWN_STATUS = 4;

function hasHintOf(hints: readonly AppHint[], appId: string): boolean {
  for (const h of hints) if (h.appId === appId) return true;
  return false;
}

/** Evidence best first; equal weights keep their order (what a stable sort by weight gives). */
function byWeight(evidence: Evidence[]): Evidence[] {
  for (let k = 1; k < evidence.length; k++) {
    const e = evidence[k] as Evidence;
    let j = k - 1;
    while (j >= 0 && (evidence[j] as Evidence).weight < e.weight) {
      evidence[j + 1] = evidence[j] as Evidence;
      j--;
    }
    evidence[j + 1] = e;
  }
  return evidence;
}

/**
 * What one segment's words say, shared by the phases of scoreSegment and each candidate's score.
 * The phases are functions of their own: V8 optimises (and, when it must, recompiles) each
 * separately, and the per-candidate score, run for every entry reached, is hot early.
 */
interface SegmentFacts {
  found: Found;
  /** Statuses of the paste the catalog knows or read in a status's context, in order of first sight. */
  segmentStatuses: number[];
  /** Families of the error codes in the paste (`aadsts` of AADSTS50126). */
  segmentFamilies: Set<string> | undefined;
  /**
   * Entries of each catalog code, exception and phrase the paste holds: an error that carries
   * another entry's own words is not one a status alone can point at.
   */
  anchorsHeld: number[][];
  /** Exception names of the paste followed by a detail message of their own (`IOException: No space left on device`). */
  withDetail: string[] | undefined;
  /** Statuses read in a status's context (`401 Unauthorized`, terse `Exchange Online 401`). */
  statusesRead: Set<number>;
  /** Weight of what the paste says in the catalog's words (the lexical score's whole). */
  segmentWeight: number;
  /** The error's own lines point at apps by host, package or frame, or run in somebody else's code. */
  pointsElsewhere: boolean;
  /** Positions of the masked words a portal message starts with (made for the first candidate). */
  positions: Map<string, number[]> | undefined;
}

export function scoreSegment(index: Index, view: SegmentView, context: ErrorContext): Candidate[] {
  const { scratch } = index;
  const generation = nextGeneration(scratch);
  // Entries with evidence, in the order they got their first; their evidence and facts live in
  // the matcher's scratch slots (`flags[i]`: ENTRY_* bits), not in a Map and Sets per segment.
  const found: Found = { evidence: scratch.evidence, flags: scratch.flags, evidenceStamp: scratch.evidenceStamp, order: [], generation };
  const facts: SegmentFacts = {
    found, segmentStatuses: [], segmentFamilies: undefined, anchorsHeld: [], withDetail: undefined, statusesRead: new Set(), segmentWeight: 0, pointsElsewhere: false, positions: undefined,
  };
  readWords(index, view, context.namedApps, facts);
  // Hosts and statuses only support an entry something else already points at...
  const hostsFound = findSequences(view.infos, view.words, hostsOf);
  readOwnStatus(index, view, context.namedApps, hostsFound, facts);
  readLexical(index, view, context.namedApps, facts);
  for (const host of hostsFound) {
    const seen: Evidence = { kind: 'host', value: host.display, weight: WEIGHT.host };
    for (const i of host.entries) {
      if (scratch.evidenceStamp[i] === generation) add(found, i, seen);
    }
  }
  // Hosts, packages and frames of the error's own lines that point at apps: an entry none of them
  // is of, pointed at only by what several apps share (NullPointerException, `Read timed out`,
  // the 401 wrapper), is not this error.
  let pointsElsewhere = context.foreignCode;
  for (const h of context.ownHints) if (!h.named) pointsElsewhere = true;
  facts.pointsElsewhere = pointsElsewhere;

  const candidates: Candidate[] = [];
  for (const i of found.order) candidates.push(scoreCandidate(index, view, context, facts, i));
  // Best first; on a tie the shorter message (the more general error), then catalog order.
  const lengths = index.messageLengths;
  return candidates.sort((a, b) => b.score - a.score || (lengths[a.index] ?? 0) - (lengths[b.index] ?? 0) || a.index - b.index);
}

/**
 * The catalog codes, exceptions, statuses and phrases among the segment's words, as evidence of
 * the entries holding them. An entry is flagged ENTRY_CARRIES_APP when the paste points at it
 * with something that says its app: a code, a phrase only its app has, an exception of its app's
 * own package, its own message beyond exception names. An exception name alone
 * (NullPointerException, IOException) or a generic timeout does not. ENTRY_APP_CODE_OR_PHRASE: a
 * code or phrase only its app has.
 */
function readWords(index: Index, view: SegmentView, namedApps: ReadonlySet<string> | undefined, facts: SegmentFacts): void {
  const { found, segmentStatuses, anchorsHeld } = facts;
  const { flags } = found;
  const { words, infos } = view;
  /** Whether the paste holds a qualified exception name (asked once per name, not per entry). */
  let qualifiedSeen: Map<string, boolean> | undefined;
  /** Words already read as a code or an exception: each counts once. */
  let anchorWords: Set<string> | undefined;
  for (let p = 0; p < words.length; p++) {
    const word = words[p] as string;
    const info = infos[p];
    const codeHits = info?.codes;
    const exceptionHits = info?.exceptions;
    if (codeHits !== undefined || exceptionHits !== undefined) {
      if (anchorWords?.has(word)) continue;
      (anchorWords ??= new Set()).add(word);
    }
    if (codeHits) {
      anchorsHeld.push(codeHits);
      const oneApp = index.oneAppCodes.has(word);
      // One evidence object for every entry it points at: evidence is read, never changed.
      const seen: Evidence = { kind: 'code', value: word.toUpperCase(), weight: WEIGHT.code * specificity(codeHits.length) };
      const seenInScope: Evidence = { ...seen, weight: WEIGHT.code * specificity(sharedBy(index, namedApps, codeHits)) };
      for (const i of codeHits) {
        add(found, i, inScope(index, namedApps, i) ? seenInScope : seen);
        flags[i] = (flags[i] as number) | (oneApp ? ENTRY_CARRIES_APP | ENTRY_APP_CODE_OR_PHRASE : ENTRY_CARRIES_APP);
      }
    }
    const family = codeFamily(word);
    if (family !== undefined) (facts.segmentFamilies ??= new Set()).add(family);
    if (exceptionHits) {
      anchorsHeld.push(exceptionHits);
      if (hasDetail(view.lowerText, word)) (facts.withDetail ??= []).push(word);
      const typo = view.corrected.has(word);
      for (const i of exceptionHits) {
        const entry = index.entries[i] as IndexedEntry;
        let qualified: string | undefined;
        for (const q of entry.qualifiedExceptions) {
          if (!q.endsWith(word)) continue;
          let seen = qualifiedSeen?.get(q);
          if (seen === undefined) {
            seen = view.lowerText.includes(q);
            (qualifiedSeen ??= new Map()).set(q, seen);
          }
          if (seen) {
            qualified = q;
            break;
          }
        }
        const shared = inScope(index, namedApps, i) ? sharedBy(index, namedApps, exceptionHits) : exceptionHits.length;
        const weight = (qualified ? WEIGHT.qualifiedException : WEIGHT.exception) * specificity(shared) * (typo ? WEIGHT.fuzzyFactor : 1);
        const name = typo ? (view.corrected.get(word) ?? word) : (index.exceptionNames.get(word) ?? word);
        add(found, i, { kind: 'exception', value: qualified ? (index.exceptionNames.get(qualified) ?? qualified) : name, weight });
        if (index.exceptionOwners.get(word) === entry.entry.app) flags[i] = (flags[i] as number) | ENTRY_CARRIES_APP;
      }
    }
    if (word.length === 3) {
      const n = Number(word);
      if (index.knownStatuses.has(n) && !segmentStatuses.includes(n)) segmentStatuses.push(n);
    }
  }
  for (const status of httpStatusesIn(words, index.knownStatuses)) if (!segmentStatuses.includes(status)) segmentStatuses.push(status);
  for (const phrase of findSequences(infos, words, phrasesOf)) {
    anchorsHeld.push(phrase.entries);
    const seen: Evidence = { kind: 'phrase', value: phrase.display, weight: WEIGHT.phrase * specificity(phrase.entries.length) };
    const seenInScope: Evidence = { ...seen, weight: WEIGHT.phrase * specificity(sharedBy(index, namedApps, phrase.entries)) };
    for (const i of phrase.entries) {
      add(found, i, inScope(index, namedApps, i) ? seenInScope : seen);
      if (phrase.oneApp) flags[i] = (flags[i] as number) | ENTRY_CARRIES_APP | ENTRY_APP_CODE_OR_PHRASE;
    }
  }
}

/**
 * The status an error reports, in a status's context (`401 Unauthorized`, `returns 403`, `Status
 * Code: Unauthorized`, or terse `Exchange Online 401`), points at the entry carrying it when the
 * error names the entry's app or shows the entry's upstream host (`401 Client Error ...
 * https://contoso.okta.com/...`), and holds no catalog code, exception or phrase the entry lacks
 * (`Box: HttpRequestFailure: ... 401` is not Box's BoxServerException 401). Such an entry is
 * flagged ENTRY_OWN_STATUS.
 */
function readOwnStatus(index: Index, view: SegmentView, namedApps: ReadonlySet<string> | undefined, hostsFound: readonly PhraseRef[], facts: SegmentFacts): void {
  const { found, segmentStatuses } = facts;
  const { flags, evidenceStamp, generation } = found;
  const statusesRead = statusesInContext(view.words);
  facts.statusesRead = statusesRead;
  if (namedApps !== undefined) {
    for (const appId of namedApps) {
      const terse = terseStatus(view.words, index.appNames.get(appId) ?? []);
      if (terse !== undefined) statusesRead.add(terse);
    }
  }
  for (const status of statusesRead) if (index.knownStatuses.has(status) && !segmentStatuses.includes(status)) segmentStatuses.push(status);
  if (statusesRead.size === 0 || (namedApps === undefined && hostsFound.length === 0)) return;
  // The named apps' entries and the hosts' entries, not every entry with the status (a
  // 10,000-entry catalog has a thousand 401s).
  const pool: number[] = [];
  for (const appId of namedApps ?? []) for (const i of index.entriesByApp.get(appId) ?? []) pool.push(i);
  for (const host of hostsFound) for (const i of host.entries) pool.push(i);
  for (const i of pool) {
    const entry = index.entries[i];
    if (!entry || (evidenceStamp[i] === generation && ((flags[i] as number) & ENTRY_OWN_STATUS) !== 0) || !hasAny(statusesRead, entry.statuses)) continue;
    if (!heldByAll(facts.anchorsHeld, i)) continue;
    open(found, i);
    flags[i] = (flags[i] as number) | ENTRY_OWN_STATUS;
  }
}

/**
 * Lexical: idf-weighted share of the entry's words present (BM25 with k1 -> 0, normalised by the
 * entry's own score, so 1.0 means every word of the entry is in the paste). Sums live in the
 * matcher's scratch slots; `touched` keeps the order entries were first reached in. Each word
 * counts once (`postingStamp`), in the order it first appears.
 */
function readLexical(index: Index, view: SegmentView, namedApps: ReadonlySet<string> | undefined, facts: SegmentFacts): void {
  const { found } = facts;
  const { evidenceStamp, generation } = found;
  const { sums, stamp, postingStamp } = index.scratch;
  const { masked, maskedInfos } = view;
  const touched: number[] = [];
  let segmentWeight = 0;
  // The words of the app the error names are the name, which the app hint accounts for, not
  // something an entry has to explain ('Microsoft 365: invalid_grant').
  let nameWords: Set<string>[] | undefined;
  for (const appId of namedApps ?? []) {
    const names = index.appNameWords.get(appId);
    if (names !== undefined) (nameWords ??= []).push(names);
  }
  for (let p = 0; p < masked.length; p++) {
    const word = masked[p] as string;
    const posting = maskedInfos[p]?.posting;
    if (!posting || postingStamp[posting.id] === generation) continue;
    postingStamp[posting.id] = generation;
    const w = posting.idf;
    if (!inAny(nameWords, word)) segmentWeight += w;
    for (const i of posting.entries) {
      if (stamp[i] !== generation) {
        stamp[i] = generation;
        sums[i] = 0;
        touched.push(i);
      }
      sums[i] = (sums[i] ?? 0) + w;
    }
  }
  facts.segmentWeight = segmentWeight;
  // Entries only the lexical score points at: the best few are enough (a 10,000-entry catalog
  // shares common words with thousands of entries). Kept as two lists, paired up only to be
  // ranked when there are more than that.
  const onlyEntries: number[] = [];
  const onlyCoverages: number[] = [];
  const { lexSelf } = index;
  for (const i of touched) {
    const self = lexSelf[i] ?? 0;
    if (self <= 0) continue;
    const coverage = (sums[i] ?? 0) / self;
    if (evidenceStamp[i] === generation) {
      const entry = index.entries[i];
      if (entry) add(found, i, lexicalEvidence(entry, coverage));
    } else if (coverage >= 0.2) {
      onlyEntries.push(i);
      onlyCoverages.push(coverage);
    }
  }
  if (onlyEntries.length > MAX_LEXICAL_CANDIDATES) {
    const ranked = onlyEntries.map((i, k): [number, number] => [i, onlyCoverages[k] as number]).sort((a, b) => b[1] - a[1]);
    ranked.length = MAX_LEXICAL_CANDIDATES;
    onlyEntries.length = 0;
    onlyCoverages.length = 0;
    for (const [i, coverage] of ranked) {
      onlyEntries.push(i);
      onlyCoverages.push(coverage);
    }
  }
  for (let k = 0; k < onlyEntries.length; k++) {
    const i = onlyEntries[k] as number;
    const entry = index.entries[i];
    if (entry) add(found, i, lexicalEvidence(entry, onlyCoverages[k] as number));
  }
}

/** Positions of the masked words a portal message starts with: the other words are never looked up. */
function messageStartPositions(view: SegmentView): Map<string, number[]> {
  const positions = new Map<string, number[]>();
  for (let p = 0; p < view.masked.length; p++) {
    if (view.maskedInfos[p]?.messageStart === true) addTo(positions, view.masked[p] as string, p);
  }
  return positions;
}

/** Entry `i`'s score from its evidence so far, its message, statuses and contradictions. */
function scoreCandidate(index: Index, view: SegmentView, context: ErrorContext, facts: SegmentFacts, i: number): Candidate {
  const { hintApps, namedApps, ownHints, innerCodes } = context;
  const { found, segmentStatuses, statusesRead } = facts;
  const { flags, generation } = found;
  const { sums, stamp, postingStamp } = index.scratch;
  const entry = index.entries[i] as IndexedEntry;
  const evidence = found.evidence[i] as Evidence[];
  found.evidence[i] = undefined;
  const app = entry.entry.app;
  let sharesStatus = false;
  for (const status of segmentStatuses) {
    if (entry.statuses.has(status)) {
      const own = ((flags[i] as number) & ENTRY_OWN_STATUS) !== 0 && statusesRead.has(status);
      evidence.push(statusEvidence(status, own));
      sharesStatus = true;
    }
  }
  const positions = (facts.positions ??= messageStartPositions(view));
  const m = entry.messageSeq.length;
  const k = messageRun(entry.messageSeq, positions, view.masked);
  if (m > 0 && k === m) evidence.push({ kind: 'message', value: entry.entry.message.slice(0, 200), weight: WEIGHT.message });
  else if (m >= 3 && k >= 3 && k / m >= 0.5) {
    evidence.push({ kind: 'message', value: `${k} of ${m} words of the portal message`, weight: WEIGHT.messagePrefix * (k / m) });
  }
  if (entry.messageCarriesApp && m > 0 && k >= Math.min(m, 3)) flags[i] = (flags[i] as number) | ENTRY_CARRIES_APP;
  const entryFlags = flags[i] as number;
  const ownStatus = (entryFlags & ENTRY_OWN_STATUS) !== 0;
  let ownCode = false;
  let hasPhrase = false;
  let hasException = false;
  let hasMessage = false;
  let hasWholeMessage = false;
  for (const e of evidence) {
    if (e.kind === 'code') ownCode = true;
    else if (e.kind === 'phrase') hasPhrase = true;
    else if (e.kind === 'exception') hasException = true;
    else if (e.kind === 'message') {
      hasMessage = true;
      if (e.weight >= WEIGHT.message) hasWholeMessage = true;
    }
  }
  // Contradictions: a different HTTP status, or another code of the same family (AADSTS50126
  // is not AADSTS70008).
  // The entry's own error code outweighs the status: the vendor's API and the connector report
  // one failure with different statuses (Salesforce answers INVALID_SESSION_ID with 401, the
  // portal shows 400).
  const otherStatus = !ownCode && entry.statuses.size > 0 && segmentStatuses.length > 0 && !sharesStatus;
  // The app named by the caller or the text backs an entry something specific already points at.
  // Under another status, the wrapper around it (`HttpRequestFailure: Server returned:`, the start
  // of the message up to the status) is shared by every status and is no anchor of its own.
  const anchored = ownStatus || ownCode || hasPhrase || (hasMessage && (!otherStatus || hasWholeMessage)) || (hasException && !otherStatus);
  let hint: AppHint | undefined;
  for (const h of hintApps) {
    if (h.appId === app) {
      hint = h;
      break;
    }
  }
  if (hint && anchored) evidence.push({ kind: 'app-hint', value: hint.value, weight: WEIGHT.appHint });
  let score = noisyOr(evidence);
  // Shared words and a status alone ("500 Internal Server Error" on any web page) are a
  // suggestion at most: a match needs something of the entry's own (code, exception, phrase,
  // or its message word for word).
  if (!anchored) score = Math.min(score, UNANCHORED_CAP);
  // An error the caller or its own words say is app X's is not app Y's (an all-apps entry fits
  // any app): Y's entry stays a suggestion at most.
  if (namedApps && app !== ALL_APPS_ID && !namedApps.has(app)) score = Math.min(score, UNANCHORED_CAP);
  const carriesApp = (entryFlags & ENTRY_CARRIES_APP) !== 0;
  if (facts.pointsElsewhere && app !== ALL_APPS_ID && !hasHintOf(ownHints, app) && !carriesApp) score = Math.min(score, UNANCHORED_CAP);
  // A portal message that is only a runtime exception's name (`IOException:`) says nothing of
  // the detail the exception carries: a paste whose exception has a detail message of its own
  // (`IOException: No space left on device`, `Connection reset by peer`) is somebody's
  // exception, not the entry's, unless something points at the entry's app (its name, host,
  // package or frames) or says its app (a code or phrase only its app has).
  if (entry.messageIsRuntimeException && app !== ALL_APPS_ID && !carriesApp && hint === undefined && hasException &&
    facts.withDetail !== undefined && facts.withDetail.some((w) => index.exceptions.get(w)?.includes(i))) score = Math.min(score, UNANCHORED_CAP);
  if (otherStatus) score *= STATUS_CONTRADICTION;
  // The inner code says which error a wrapper holds: an entry that carries none of the paste's
  // (`AADSTS50126` under TokenRefreshException, `E0000004` under the 401 wrapper) is another
  // error, however well the wrapper fits. All-apps entries are a status, whatever the code.
  // (An entry holds one of the paste's words as a code exactly when it has code evidence.)
  const otherFamilyCode = entry.codeFamilies.size > 0 && facts.segmentFamilies !== undefined && !ownCode && hasAny(facts.segmentFamilies, entry.codeFamilies);
  // Unless the entry is pointed at by a code or phrase only its app has (another error on the
  // same line), or it carries an inner code of the same kind that differs (Workday's wrapper
  // around invalid_request is not its invalid_grant entry).
  const otherInnerCode = innerCodes.length > 0 && app !== ALL_APPS_ID && !knowsAny(entry.knownCodes, innerCodes) &&
    ((entryFlags & ENTRY_APP_CODE_OR_PHRASE) === 0 || hasCodeOfKind(entry.knownCodes, innerCodes));
  if (otherFamilyCode || otherInnerCode) score *= CODE_CONTRADICTION;
  // How much of what the paste says (in the catalog's words) this entry explains; the status an
  // entry is anchored by is explained even where its message does not spell it.
  let explained = stamp[i] === generation ? (sums[i] ?? 0) : 0;
  if (ownStatus) {
    for (const status of statusesRead) {
      const word = String(status);
      if (!entry.statuses.has(status) || entry.lexTokens.includes(word)) continue;
      const posting = index.postings.get(word);
      if (posting !== undefined && postingStamp[posting.id] === generation) explained += posting.idf;
    }
  }
  const share = facts.segmentWeight > 0 ? Math.min(1, explained / facts.segmentWeight) : 0;
  score *= 0.75 + 0.25 * share;
  return { index: i, evidence: byWeight(evidence), score: round(score) };
}

/** Entry `i` is among the entries of every anchor the paste holds. */
function heldByAll(anchorsHeld: readonly (readonly number[])[], i: number): boolean {
  for (const list of anchorsHeld) if (!list.includes(i)) return false;
  return true;
}

function knowsAny(known: ReadonlySet<string>, codes: readonly string[]): boolean {
  for (const code of codes) if (known.has(code)) return true;
  return false;
}

function inAny(sets: readonly ReadonlySet<string>[] | undefined, word: string): boolean {
  if (sets === undefined) return false;
  for (const set of sets) if (set.has(word)) return true;
  return false;
}
