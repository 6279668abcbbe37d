// The core's vocabulary: what the catalog holds and what the matcher says about a paste.
// Everything outside core/ (cards, incidents, teams, CLI) speaks in these types.

/** Who acts on a resolution step. */
export type Actor = 'app-admin' | 'mda-admin' | 'microsoft-support' | 'anyone';

/** A cloud app as people name it. */
export interface AppInfo {
  /** Stable slug, e.g. `microsoft-365`. */
  id: string;
  /** Display name, newest product name, e.g. `Microsoft 365`. */
  name: string;
  /** Other names people use: `Office 365`, `O365`, `M365`. Matched case-insensitively. */
  aliases: string[];
  /** Substrings in a paste that point at this app: hosts, package names (`okta.com`, `com.box`). */
  hints: string[];
  /** The current learn.microsoft.com page for this app's connector. */
  learnMore: string;
}

/** Evidence the matcher looks for in a paste, beyond the portal's own wording. */
export interface Signals {
  /** Error codes: `AADSTS70008`, `AF20012`, `E0000011`. Exact token match, case-insensitive. */
  codes: string[];
  /** Exception class names, simple or qualified: `TokenRefreshException`, `com.box...BoxServerException`. */
  exceptions: string[];
  /** HTTP statuses the error carries. */
  statuses: number[];
  /** Vendor and portal phrases: `invalid_grant`, `Invalid refresh token`, `INVALID_SESSION_ID`. */
  phrases: string[];
  /** Host names of the upstream API. */
  hosts: string[];
}

export interface Resolution {
  /** Ordered, actionable steps in our own words. */
  steps: string[];
  /** Who performs the steps. */
  actor: Actor;
  /** Whether simply retrying (Test now / wait) can clear the error. */
  retryHelps: boolean;
  /** When to open a Microsoft support case, if ever. */
  supportCase?: string;
}

export interface CatalogEntry {
  /** Stable id, unique across the catalog, e.g. `box-invalid-refresh-token`. */
  id: string;
  /** Row of Microsoft's table this entry covers (`mda-01`..`mda-36`); absent for local additions. */
  ref?: string;
  /** App id (see AppInfo.id); `all-apps` for errors any connector can show. */
  app: string;
  /** The error exactly as the Defender for Cloud Apps portal shows it. */
  message: string;
  signals: Signals;
  /** Why it happens, in our own words. */
  cause: string;
  resolution: Resolution;
  learnMore: string;
  /** File the entry was loaded from (for lint and override messages). */
  source: string;
}

export type Verdict = 'match' | 'ambiguous' | 'none';

/** One reason the matcher gave weight to an entry. */
export interface Evidence {
  kind: 'code' | 'exception' | 'status' | 'phrase' | 'host' | 'message' | 'lexical' | 'app-hint';
  /** What was seen in the (redacted) paste. */
  value: string;
  weight: number;
}

export interface ScoredEntry {
  entry: CatalogEntry;
  /** 0..1, comparable across entries of one finding. */
  score: number;
  evidence: Evidence[];
}

/** The matcher's answer for one distinct error in a paste. */
export interface Finding {
  verdict: Verdict;
  /** Redacted text of this error, as shown and stored everywhere after. */
  excerpt: string;
  /**
   * match: exactly one entry (the winner) first, runner-ups after it are allowed only
   *        as `runnerUps`;
   * ambiguous: every candidate entry, one per app at least;
   * none: weak suggestions (never a match), possibly empty.
   */
  matches: ScoredEntry[];
  /** For `match`: the next best entries of other apps or errors, for the card's "also possible". */
  runnerUps: ScoredEntry[];
  /** App ids the text itself points at (hosts, package names, app names). */
  appHints: string[];
}

export interface Diagnosis {
  findings: Finding[];
  /** True when the input was longer than the cap and only its first part was read. */
  truncated: boolean;
  /** How many secrets were removed before matching. */
  redactions: number;
  /** The kinds of secret removed (redact()'s kinds: each once, in order of first appearance). */
  redactedKinds: string[];
}

export interface DiagnoseOptions {
  /** An app id or alias the caller knows; settles an ambiguity between apps. */
  app?: string;
}

/** The loaded, validated catalog (built by core/catalog.ts). Immutable after load. */
export interface Catalog {
  apps: AppInfo[];
  entries: CatalogEntry[];
  /** Find an app by id, name or alias, case-insensitively. */
  app(idNameOrAlias: string): AppInfo | undefined;
  entry(id: string): CatalogEntry | undefined;
}

/** The matcher built once over a catalog (index included); cheap to call per paste. */
export interface Matcher {
  readonly catalog: Catalog;
  diagnose(text: string, options?: DiagnoseOptions): Diagnosis;
}
