// How much each kind of evidence counts, where the verdicts start, and the limits that keep one
// paste cheap. One place, so docs/matching.md and the code can be checked against each other.

/** Longest paste read; the rest is cut (see capInput) and the diagnosis says `truncated`. */
export const DEFAULT_MAX_INPUT_CHARS = 64 * 1024;
/** Longest excerpt kept per finding. */
export const MAX_EXCERPT_CHARS = 1000;
/** At or above: a candidate for a match. */
export const MATCH_THRESHOLD = 0.5;
/** At or above (and below MATCH_THRESHOLD): a weak suggestion shown with a `none` verdict. */
export const SUGGEST_THRESHOLD = 0.25;
/** Candidates this close to the best one are as likely; several apps among them = ambiguous. */
export const TIE_MARGIN = 0.1;
export const MAX_FINDINGS = 50;
export const MAX_SUGGESTIONS = 3;
/** Distinct errors read from one segment (one line or one JSON body holding several). */
export const MAX_ERRORS_PER_SEGMENT = 4;
export const MAX_RUNNER_UPS = 3;
/** Tokens of one segment that are scored (a pathological single "error" of 64 KB stays cheap). */
export const MAX_SEGMENT_TOKENS = 6000;
/** Entries considered on lexical overlap alone (no code, exception or phrase), best first. */
export const MAX_LEXICAL_CANDIDATES = 64;

export const WEIGHT = {
  message: 0.9,
  messagePrefix: 0.85,
  code: 0.75,
  exception: 0.55,
  qualifiedException: 0.62,
  phrase: 0.45,
  status: 0.2,
  host: 0.25,
  lexical: 0.65,
  appHint: 0.25,
  /** The status of an error whose app is named, or whose upstream host the entry names: an anchor then. */
  ownStatus: 0.5,
  fuzzyFactor: 0.85,
} as const;
export const STATUS_CONTRADICTION = 0.45;
export const CODE_CONTRADICTION = 0.3;
/** Highest score of an entry with no anchor of its own: below MATCH_THRESHOLD. */
export const UNANCHORED_CAP = 0.45;
