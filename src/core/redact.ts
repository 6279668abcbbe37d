// Removes secrets from pasted text before it is matched, stored, logged, shown or sent anywhere.
// Scanners in src/core/secrets/ each find one class of secret in one linear pass; here their spans
// are merged, replaced by `[REDACTED]` and counted by kind (never by value).

import { scanCommandLines } from './secrets/commands.js';
import { scanCsv } from './secrets/csv.js';
import { scanAuthorizationHeaders } from './secrets/headers.js';
import { describeSecretKind, kindRank, type SecretKind } from './secrets/kinds.js';
import { scanPairs } from './secrets/pairs.js';
import { scanPrivateKeys } from './secrets/pem.js';
import { REDACTED, type Span } from './secrets/text.js';
import { scanOracleLogons, scanUrls } from './secrets/urls.js';
import { scanWords } from './secrets/words.js';

export { REDACTED, describeSecretKind };
export type { SecretKind };

export interface Redaction {
  /** The text with every secret replaced by `[REDACTED]`. */
  text: string;
  /** How many secrets were replaced. */
  count: number;
  /** Kinds of secret found, each once, in order of first appearance (see `describeSecretKind`). */
  kinds: SecretKind[];
}

/**
 * Passes at most: a pass can expose context for the next (a multi-word credential shrinks to one
 * marker, bringing a secret word nearer a random string), so redaction repeats until nothing
 * changes, which is what makes it idempotent. In practice the second pass finds nothing.
 */
const MAX_PASSES = 3;

function findSpans(text: string): Span[] {
  const spans: Span[] = [];
  scanPrivateKeys(text, spans);
  scanAuthorizationHeaders(text, text.toLowerCase(), spans);
  scanUrls(text, spans);
  scanOracleLogons(text, spans);
  scanCommandLines(text, spans);
  scanPairs(text, spans);
  scanCsv(text, spans);
  scanWords(text, spans);
  return spans;
}

function applySpans(text: string, spans: Span[]): Redaction {
  if (spans.length === 0) return { text, count: 0, kinds: [] };
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: string[] = [];
  const kinds: SecretKind[] = [];
  let cursor = 0;
  let count = 0;
  let groupKind: SecretKind | undefined;
  const closeGroup = (): void => {
    if (groupKind && !kinds.includes(groupKind)) kinds.push(groupKind);
    groupKind = undefined;
  };
  for (const span of spans) {
    if (span.end <= span.start) continue;
    if (span.start < cursor) {
      // Overlapping spans are one secret: the widest reach, the most telling kind.
      if (span.end > cursor) cursor = span.end;
      if (groupKind && kindRank(span.kind) > kindRank(groupKind)) groupKind = span.kind;
      continue;
    }
    closeGroup();
    out.push(text.slice(cursor, span.start), REDACTED);
    cursor = span.end;
    count++;
    groupKind = span.kind;
  }
  closeGroup();
  out.push(text.slice(cursor));
  return { text: out.join(''), count, kinds };
}

/** Replaces every secret in `text` by `[REDACTED]`. Never throws; linear in the text's length. */
export function redact(text: string): Redaction {
  if (typeof text !== 'string' || text.length === 0) return { text: typeof text === 'string' ? text : '', count: 0, kinds: [] };
  let result: Redaction = { text, count: 0, kinds: [] };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const step = applySpans(result.text, findSpans(result.text));
    if (step.count === 0) break;
    result = { text: step.text, count: result.count + step.count, kinds: [...result.kinds, ...step.kinds.filter((k) => !result.kinds.includes(k))] };
  }
  return result;
}
