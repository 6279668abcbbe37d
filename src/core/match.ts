// Text -> findings. createMatcher() indexes the catalog once (catalog-index.ts); diagnose() then
// normalises, redacts, masks and segments a paste, scores each distinct error (score.ts), reads
// its app hints (app-hints.ts) and chooses a verdict (verdict.ts). See docs/matching.md.

import { appHintsIn, headerHint, segmentHints, tokenInfos, type AppHint } from './app-hints.js';
import { buildIndex, type Index, type WordInfo } from './catalog-index.js';
import type { Candidate } from './evidence.js';
import { isOwnError, reportsError } from './error-shape.js';
import { capInput, excerptOf, trimExcerpt } from './excerpt.js';
import { innerCodesOf, mostSpecific } from './inner-codes.js';
import { normalize } from './normalize.js';
import { isForeignFrame } from './provenance.js';
import { scoringTokensWithInfos, tokenizePaste, type PasteTokens, type SegmentTokens } from './paste-tokens.js';
import { redact } from './redact.js';
import { scoreSegment } from './score.js';
import { segment, type Segment } from './segment.js';
import type { Catalog, DiagnoseOptions, Diagnosis, Finding, Matcher, ScoredEntry } from './types.js';
import { anchorsOf, chooseVerdict, scored, sharesAnchor, strongAnchor } from './verdict.js';
import { viewOf } from './view.js';
import { DEFAULT_MAX_INPUT_CHARS, MAX_ERRORS_PER_SEGMENT, MAX_FINDINGS } from './weights.js';

/** What may be said about a paste the matcher failed on: sizes and counts, never its text. */
export interface MatcherErrorFacts {
  /** Length of the input as given (before the cap). */
  inputChars: number;
  /** Errors found in the paste before the failure. */
  findings: number;
}

export interface MatcherOptions {
  /** Longest input read (default 64 KB); the rest is cut and the diagnosis says `truncated`. */
  maxInputChars?: number;
  /**
   * Told about every failure inside diagnose(), which then answers a single `none` finding: the
   * user still gets an answer, the operator gets a log line and a metric. Must not throw.
   */
  onError?: (error: unknown, facts: MatcherErrorFacts) => void;
}

interface SegmentResult {
  finding: Finding;
  key: string;
  /** Position of its segment in the paste. */
  segment: number;
  /** Its segment follows straight on from the one above (no blank line between). */
  follows: boolean;
  /** Apps its own lines point at. */
  ownApps: readonly string[];
}

/**
 * `header` (an unknown error) only opens `r`: r's segment follows straight on from header's, and
 * header's own lines point at the app r is of (r recognised), or at an app where r's own lines
 * point at none (r unknown too: `SlackApiError ... slack.com` over `{'error': 'invalid_auth'}`).
 */
function opensError(header: SegmentResult | undefined, r: SegmentResult): boolean {
  if (!header || header.finding.verdict !== 'none' || header.segment !== r.segment - 1 || !r.follows) return false;
  if (r.finding.verdict === 'none') return header.ownApps.length > 0 && r.ownApps.length === 0;
  return r.finding.matches.some((m) => header.ownApps.includes(m.entry.app));
}

function resolveApp(catalog: Catalog, app: string | undefined): string | undefined {
  if (typeof app !== 'string' || app.trim() === '') return undefined;
  try {
    return catalog.app(app.trim())?.id;
  } catch {
    return undefined;
  }
}

// Per-segment helpers at module level, not closures made per segment.

/** The bodies of the segment's lines that are not stack frames, one per line: what is scored. */
function scoringTextOf(seg: Segment): string {
  let text: string | undefined;
  for (const line of seg.lines) {
    if (line.frame) continue;
    text = text === undefined ? line.body : `${text}\n${line.body}`;
  }
  return text ?? '';
}

function anyNamed(hints: readonly AppHint[]): boolean {
  for (const h of hints) if (h.named) return true;
  return false;
}

function appIdsOf(hints: readonly AppHint[]): string[] {
  const ids: string[] = [];
  for (const h of hints) ids.push(h.appId);
  return ids;
}

function allOfApp(hints: readonly AppHint[], appId: string): boolean {
  for (const h of hints) if (h.appId !== appId) return false;
  return true;
}

function runsInForeignCode(index: Index, seg: Segment): boolean {
  for (const line of seg.lines) if (line.frame && isForeignFrame(index.provenance, line.body)) return true;
  return false;
}

function anyCodeEvidence(candidates: readonly Candidate[]): boolean {
  for (const c of candidates) for (const e of c.evidence) if (e.kind === 'code') return true;
  return false;
}

/**
 * The candidates left for another error on the same line or body: strong on their own and
 * sharing no anchor with the errors `chosen` (whose anchors are listed only if one is asked).
 */
function otherErrors(candidates: readonly Candidate[], chosen: readonly Candidate[]): Candidate[] {
  let taken: Set<string> | undefined;
  const out: Candidate[] = [];
  for (const c of candidates) {
    // strongAnchor first: it allocates nothing and rules out most candidates.
    if (!strongAnchor(c) || chosen.includes(c)) continue;
    if (taken === undefined) {
      taken = new Set();
      for (const m of chosen) for (const a of anchorsOf(m)) taken.add(a);
    }
    if (!sharesAnchor(c, taken)) out.push(c);
  }
  return out;
}

/** How far a diagnosis got: what onError may report when it fails half-way. */
interface Progress {
  findings: number;
}

/** One paste's diagnosis as it is worked out, segment by segment (diagnoseSegment). */
interface PasteWork {
  index: Index;
  /** The paste, normalised and redacted. */
  text: string;
  paste: PasteTokens;
  /** tokenInfos of the paste's tokens. */
  infos: (WordInfo | undefined)[];
  callerApp: string | undefined;
  /** The caller's app, as the hint every segment's entries are backed by. */
  callerHints: AppHint[] | undefined;
  /**
   * From elsewhere in the paste only hosts, packages, URLs and frames carry over: an app a person
   * named belongs to the line or JSON body it was named in ("Okta is fine, this one fails: ...").
   */
  carriedHints: AppHint[];
  results: SegmentResult[];
  /** Suggestions of the unrecognised segment whose best candidate scored highest: for the paste's one `none`. */
  bestNone: { matches: ScoredEntry[] } | undefined;
  /** Something in the paste reads as an error: without it, chat gets no finding at all. */
  pasteReportsError: boolean;
  /** Segments that are an error or an error report: a header above an error is neither. */
  errorSegments: boolean[];
  progress: Progress;
}

function scoredAll(index: Index, candidates: readonly Candidate[]): ScoredEntry[] {
  const out: ScoredEntry[] = [];
  for (const c of candidates) out.push(scored(index, c));
  return out;
}

/** The best score of a list ranked best first (0 when empty). */
function topScore(list: readonly { score: number }[]): number {
  return list.length > 0 ? (list[0] as { score: number }).score : 0;
}

/** The findings of one segment (several errors on a line or in a JSON body), or what it says of the paste. */
function diagnoseSegment(work: PasteWork, segmentIndex: number): void {
  const { index, text, paste, infos, callerApp, errorSegments } = work;
  const segTokens = paste.segments[segmentIndex] as SegmentTokens;
  const seg = segTokens.segment;
  const scoringText = scoringTextOf(seg);
  const scoring = scoringTokensWithInfos(paste, segTokens, infos, index.words);
  const view = viewOf(index, scoring.tokens, scoringText, scoring.infos);
  let ownHints = segmentHints(text, paste, infos, segTokens);
  // A label just above the error naming one app (`Okta connector failing:`, an alert card's
  // `Connector alert: Okta`) names the error's app, unless its own lines name one or point at
  // another app.
  if (!callerApp && !anyNamed(ownHints)) {
    const header = headerHint(text, paste, infos, segmentIndex, errorSegments);
    if (header && allOfApp(ownHints, header.appId)) ownHints = [header, ...ownHints.filter((h) => h.appId !== header.appId)];
  }
  const hints = ownHints.length > 0 ? ownHints : work.carriedHints;
  const ownApps = appIdsOf(ownHints);
  // The app this error is about, when the caller, the error's own words or the label above it
  // name one: entries of other specific apps cannot be its match. Hints from elsewhere in the
  // paste (another error, the chat around it) and hosts, URLs or stack frames only settle ties.
  const namedApps = callerApp ? new Set([callerApp]) : anyNamed(ownHints) ? new Set(ownApps) : undefined;
  const innerCodes = mostSpecific(innerCodesOf(scoringText, index.codeFamilies));
  const candidates = scoreSegment(index, view, {
    hintApps: work.callerHints ?? hints,
    namedApps,
    ownHints,
    innerCodes,
    foreignCode: runsInForeignCode(index, seg),
  });
  let decision = chooseVerdict(index, candidates, callerApp, hints);
  // Whether text is an error of its own matters only where the catalog recognised nothing.
  // A catalog error code is an error wherever it stands, also where the named app keeps its
  // entry from matching (`Box: INVALID_SESSION_ID ...` is an unknown Box error, not chat).
  const errorLike = decision.verdict !== 'none' || isOwnError(seg, index.codeFamilies) || anyCodeEvidence(candidates);
  const reports = errorLike || reportsError(seg, view);
  errorSegments[segmentIndex] = reports;
  work.pasteReportsError ||= reports;
  if (decision.verdict === 'none' && !errorLike) {
    // Not a finding (chat, a header line): only its suggestions may serve the paste's one `none`.
    if (!work.bestNone || topScore(candidates) > topScore(work.bestNone.matches)) {
      work.bestNone = { matches: scoredAll(index, decision.matches) };
    }
    return;
  }
  const excerpt = excerptOf(seg);
  let rest = candidates;
  for (let round = 0; ; round++) {
    const finding: Finding = {
      verdict: decision.verdict,
      excerpt,
      matches: scoredAll(index, decision.matches),
      runnerUps: scoredAll(index, decision.runnerUps),
      appHints: appIdsOf(hints),
    };
    if (decision.verdict === 'none' && (!work.bestNone || topScore(candidates) > topScore(work.bestNone.matches))) {
      work.bestNone = { matches: finding.matches };
    }
    if (round > 0 && decision.verdict === 'none') break;
    const key = decision.verdict === 'none'
      ? `none:${view.masked.join(' ')}`
      : `${decision.verdict}:${decision.matches.map((c) => c.index).sort((a, b) => a - b).join(',')}`;
    work.results.push({ finding, key, segment: segmentIndex, follows: segmentIndex > 0 && !seg.afterBlank, ownApps });
    work.progress.findings = work.results.length;
    if (decision.verdict === 'none' || round >= MAX_ERRORS_PER_SEGMENT - 1) break;
    // Several errors on one line or in one JSON body ("Okta: E0000011 ..., Slack:
    // team_not_authorized"): another error is one whose own anchors (code, exception, phrase,
    // message) share nothing with the errors already found here, and that is strong on its own.
    rest = otherErrors(rest, decision.matches);
    if (rest.length === 0) break;
    decision = chooseVerdict(index, rest, callerApp, hints);
  }
}

function diagnoseUnsafe(index: Index, catalog: Catalog, maxInputChars: number, input: unknown, options: DiagnoseOptions | undefined, progress: Progress): Diagnosis {
  const raw = typeof input === 'string' ? input : '';
  const capped = capInput(raw, maxInputChars);
  const redaction = redact(normalize(capped.text));
  const text = redaction.text;
  const callerApp = resolveApp(catalog, options?.app);

  const paste = tokenizePaste(segment(text));
  const infos = tokenInfos(index, paste.tokens);
  const wholeHints = appHintsIn(text, paste.tokens, infos, 0, paste.tokens.length);
  const work: PasteWork = {
    index, text, paste, infos, callerApp,
    callerHints: callerApp ? [{ appId: callerApp, value: `app ${callerApp} given`, named: true, incidental: false }] : undefined,
    carriedHints: wholeHints.filter((h) => h.incidental),
    results: [], bestNone: undefined, pasteReportsError: false, errorSegments: [], progress,
  };
  for (let segmentIndex = 0; segmentIndex < paste.segments.length; segmentIndex++) diagnoseSegment(work, segmentIndex);
  const { results, bestNone, pasteReportsError } = work;

  const findings: Finding[] = [];
  const seen = new Set<string>();
  let previousKey = '';
  let lastKept: SegmentResult | undefined;
  for (const r of results) {
    if (r.key === previousKey) {
      // The same error continued on the next lines (a log record per line): one finding.
      const last = findings[findings.length - 1];
      if (last) last.excerpt = trimExcerpt(`${last.excerpt}\n${r.finding.excerpt}`);
      continue;
    }
    previousKey = r.key;
    if (seen.has(r.key)) continue;
    seen.add(r.key);
    if (opensError(lastKept, r)) {
      // An SDK's exception line above the body that says which error it is (`SlackApiError: The
      // request to the Slack API failed.` then `The server responded with: {... 'error': ...}`):
      // one error, read by its body.
      findings.pop();
      r.finding.excerpt = trimExcerpt(`${lastKept?.finding.excerpt ?? ''}\n${r.finding.excerpt}`);
    }
    findings.push(r.finding);
    lastKept = r;
    if (findings.length >= MAX_FINDINGS) break;
  }
  if (findings.length === 0 && pasteReportsError) {
    // An error report with no shape of its own that nothing in the catalog fits: one `none`
    // finding for the whole paste ("I don't know this error yet").
    findings.push({
      verdict: 'none',
      excerpt: trimExcerpt(text),
      matches: bestNone?.matches ?? [],
      runnerUps: [],
      appHints: wholeHints.map((h) => h.appId),
    });
  }
  return { findings, truncated: capped.truncated, redactions: redaction.count, redactedKinds: redaction.kinds };
}

function inputCap(options: MatcherOptions): number {
  return Math.max(1, Math.floor(options.maxInputChars ?? DEFAULT_MAX_INPUT_CHARS));
}

/**
 * The matcher without its safety net: diagnose() throws whatever goes wrong. For the property
 * tests (a matcher bug must fail them) and for createMatcher, which wraps it.
 */
export function createUnguardedMatcher(catalog: Catalog, options: MatcherOptions = {}): Matcher {
  const index = buildIndex(catalog);
  const maxInputChars = inputCap(options);
  return {
    catalog,
    diagnose: (text: string, diagnoseOptions?: DiagnoseOptions): Diagnosis => diagnoseUnsafe(index, catalog, maxInputChars, text, diagnoseOptions, { findings: 0 }),
  };
}

/** Builds the matcher (and its index) once per catalog. diagnose() never throws: see `onError`. */
export function createMatcher(catalog: Catalog, options: MatcherOptions = {}): Matcher {
  const index = buildIndex(catalog);
  const maxInputChars = inputCap(options);
  return {
    catalog,
    diagnose(text: string, diagnoseOptions?: DiagnoseOptions): Diagnosis {
      const progress: Progress = { findings: 0 };
      try {
        return diagnoseUnsafe(index, catalog, maxInputChars, text, diagnoseOptions, progress);
      } catch (error) {
        try {
          options.onError?.(error, { inputChars: typeof text === 'string' ? text.length : 0, findings: progress.findings });
        } catch {
          // A failing reporter must not turn an answer into a crash.
        }
        // Never throw at a caller with a user's paste in hand; say nothing matched, show nothing
        // we could not redact.
        let excerpt = '';
        try {
          excerpt = trimExcerpt(redact(normalize(typeof text === 'string' ? text.slice(0, maxInputChars) : '')).text);
        } catch {
          excerpt = '';
        }
        return { findings: [{ verdict: 'none', excerpt, matches: [], runnerUps: [], appHints: [] }], truncated: false, redactions: 0, redactedKinds: [] };
      }
    },
  };
}
