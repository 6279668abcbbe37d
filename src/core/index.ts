// The core's public surface for the rest of the app (teams/, incidents/, cards/, cli/): redaction
// here; the matcher's engineer adds the matcher beside it.
export { REDACTED, describeSecretKind, redact } from './redact.js';
export type { Redaction, SecretKind } from './redact.js';
