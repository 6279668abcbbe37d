// The core's public entry: what the bot, the CLI, the bench and any other tool use to load the
// catalog, diagnose a paste and redact text. Modules behind it may move; these names stay.

export { ALL_APPS_ID, buildCatalog, inspectCatalog, loadCatalog, type CatalogInspection, type LoadCatalogOptions } from './catalog.js';
export { createMatcher, createUnguardedMatcher, type MatcherErrorFacts, type MatcherOptions } from './match.js';
export { normalize } from './normalize.js';
export { REDACTED, describeSecretKind, redact, type Redaction, type SecretKind } from './redact.js';
export { renderText, toReport, type DiagnosisReport, type ReportFinding, type ReportMatch } from './report.js';
export { DEFAULT_MAX_INPUT_CHARS, MATCH_THRESHOLD, MAX_EXCERPT_CHARS, SUGGEST_THRESHOLD } from './weights.js';
export type {
  Actor, AppInfo, Catalog, CatalogEntry, DiagnoseOptions, Diagnosis, Evidence, Finding, Matcher, Resolution, ScoredEntry, Signals, Verdict,
} from './types.js';
