// Does the text after a log-level word (`Error: ...`, `FAILED ...`, `Exception: ...`) read as an
// error, or as prose that only begins with such a word ("Error budget for Q4", "Failed: my
// attempt at sourdough")? Read from the language of failures and from code-shaped tokens, never
// from a list of chat sentences. Bounded work: one pass over at most the first 400 characters.

import { codeAt } from './chars.js';

/** Words errors are written in (lower case): what failed, what was refused, what is missing. */
export const FAILURE_WORDS: ReadonlySet<string> = new Set([
  'fail', 'failed', 'fails', 'failing', 'failure', 'failures', 'error', 'errors', 'errored', 'exception',
  'denied', 'refused', 'rejected', 'invalid', 'unauthorized', 'unauthorised', 'forbidden', 'unable', 'cannot',
  'couldn', 'timeout', 'timed', 'expired', 'unavailable', 'unreachable', 'exceeded', 'aborted', 'crashed',
  'missing', 'unexpected', 'illegal', 'disallowed', 'violation', 'mismatch', 'corrupt', 'corrupted', 'terminated',
  'killed', 'stopped', 'undefined', 'null', 'overflow', 'conflict', 'revoked', 'disabled', 'locked', 'broken',
]);
/** After `not` (`not found`, `not permitted`): a failure. */
const AFTER_NOT = new Set([
  'found', 'allowed', 'permitted', 'authorized', 'authorised', 'supported', 'available', 'exist', 'exists',
  'reachable', 'responding', 'valid', 'configured', 'enabled', 'granted', 'recognized', 'recognised', 'connected',
]);

const MAX_READ = 400;

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * A token written as code, not prose: an error code (`E0000011`, `AADSTS50126`, `0x80070005`),
 * an HTTP failure status (`401`), an identifier (`invalid_grant`, `NotFound`, `java.io`), a
 * system error name (`ECONNREFUSED`), an address (`10.0.0.12`).
 */
export function isCodeShaped(token: string): boolean {
  if (token.length < 2 || token.length > 80) return false;
  let letters = 0;
  let digits = 0;
  let innerUpper = false;
  let underscoreOrDot = false;
  for (let k = 0; k < token.length; k++) {
    const c = token.charCodeAt(k);
    if (isDigit(c)) digits++;
    else if (isLetter(c)) {
      letters++;
      if (k > 0 && c >= 65 && c <= 90 && codeAt(token, k - 1) >= 97 && codeAt(token, k - 1) <= 122) innerUpper = true;
    } else if ((c === 95 || c === 46) && k > 0 && k < token.length - 1) underscoreOrDot = true;
  }
  if (letters === 0) {
    if (underscoreOrDot && digits >= 4) return true; // an address or version: 10.0.0.12, 1.2.840
    if (digits !== 3 || token.length !== 3) return false;
    const first = codeAt(token, 0);
    return first === 52 || first === 53; // 4xx, 5xx
  }
  if (digits >= 2) return true;
  // A system error name: ECONNREFUSED, ENOENT, ETIMEDOUT (capitals only, five or more).
  if (digits === 0 && letters >= 5 && token === token.toUpperCase()) return true;
  return letters > 1 && (innerUpper || underscoreOrDot);
}

/** Tokens of `text`: runs of letters, digits, `_` and inner dots. */
function tokens(text: string): string[] {
  const out: string[] = [];
  const end = Math.min(text.length, MAX_READ);
  let i = 0;
  while (i < end) {
    const c = codeAt(text, i);
    if (!isLetter(c) && !isDigit(c) && c !== 95) {
      i++;
      continue;
    }
    const start = i;
    while (i < end) {
      const d = codeAt(text, i);
      if (isLetter(d) || isDigit(d) || d === 95 || (d === 46 && (isLetter(codeAt(text, i + 1)) || isDigit(codeAt(text, i + 1))))) i++;
      else break;
    }
    out.push(text.slice(start, i));
  }
  return out;
}

/**
 * The text reads as an error: it holds a word of failure (`failed`, `denied`, `not found`) or a
 * token written as code. "coffee machine empty again" and "my attempt at sourdough" do not.
 */
export function readsAsError(text: string): boolean {
  const words = tokens(text);
  for (let p = 0; p < words.length; p++) {
    const word = words[p] as string;
    const lower = word.toLowerCase();
    if (FAILURE_WORDS.has(lower)) return true;
    if ((lower === 'not' || lower === 'no') && AFTER_NOT.has((words[p + 1] ?? '').toLowerCase())) return true;
    if (lower === 'no' && (words[p + 1] ?? '').toLowerCase() === 'such') return true;
    if (isCodeShaped(word)) return true;
  }
  return false;
}
