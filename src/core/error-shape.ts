// Is a stretch of text an error at all, whether or not the catalog knows it? Decided from what
// errors look like (stack frames, exception names, error codes with their colon or a known
// family, HTTP failure statuses in a status's context, error JSON bodies) and from the catalog's
// own anchors, never from a list of chat phrases. Text that is none of these (chat, thanks,
// questions, status updates, an agenda naming an app) gets no finding at all.

import { isCodeShaped, readsAsError } from './error-words.js';
import { hasFailureStatus } from './http-status.js';
import type { Segment } from './segment.js';
import type { SegmentView } from './view.js';
import { codeFamily } from './words.js';
import { codeAt } from './chars.js';

/** Suffixes of exception and error class names (`IOException`, `HttpRequestFailure`, `SlackApiError`). */
const EXCEPTION_SUFFIXES = ['Exception', 'Error', 'Failure', 'Fault'];

/** Keys of an error body (`"error": "invalid_grant"`, `'error': 'invalid_auth'`, `"errorCode": "E0000011"`), lower-cased. */
const ERROR_KEYS = new Set([
  'error', 'error_description', 'errorcode', 'error_code', 'errorsummary', 'errormessage', 'error_message', 'faultstring', 'faultcode', 'exception',
]);

function isIdentifierChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * `SlackApiError`, `java.io.IOException`, `TypeError`: a class-like name (capital first, more
 * than the bare suffix) ending in an exception suffix. The English words "error" and "failure"
 * are not: they are lower case or stand alone.
 */
function isExceptionName(word: string): boolean {
  const simple = word.slice(word.lastIndexOf('.') + 1);
  const first = codeAt(simple, 0);
  if (!(first >= 65 && first <= 90)) return false;
  return EXCEPTION_SUFFIXES.some((suffix) => simple.length > suffix.length && simple.endsWith(suffix));
}

/** The value after `:` at `i` is something: not null, false, 0 or empty (`"errors": []` is no error). */
function hasValue(text: string, i: number): boolean {
  let j = i;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  if (codeAt(text, j) === 92 /* \ */) j++;
  const c = codeAt(text, j);
  if (c === 34 || c === 39) {
    let k = j + 1;
    if (codeAt(text, k) === 92) k++;
    return k < text.length && text.charCodeAt(k) !== c;
  }
  if (c === 123 || c === 91) {
    let k = j + 1;
    while (k < text.length && isSpace(text.charCodeAt(k))) k++;
    return k < text.length && text.charCodeAt(k) !== (c === 123 ? 125 : 93);
  }
  if (c >= 49 && c <= 57) return true;
  return false;
}

/** A quoted key of an error body followed by a value: `"error": "x"`, `\"error\":\"x\"`, `'error': 'x'`, `"errors": [ {`. */
function hasErrorKey(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const q = text.charCodeAt(i);
    if (q !== 34 && q !== 39) continue;
    let j = i + 1;
    while (j < text.length && j - i <= 20 && isIdentifierChar(text.charCodeAt(j))) j++;
    if (j === i + 1) continue;
    let end = j;
    if (codeAt(text, end) === 92) end++;
    if (codeAt(text, end) !== q) continue;
    const key = text.slice(i + 1, j).toLowerCase();
    if (!ERROR_KEYS.has(key) && key !== 'errors') continue;
    let k = end + 1;
    while (k < text.length && isSpace(text.charCodeAt(k))) k++;
    if (codeAt(text, k) !== 58 /* : */) continue;
    if (hasValue(text, k + 1)) return true;
  }
  return false;
}

/**
 * An error code in its own context: of a family the catalog knows (`AADSTS50126`, `E0000011`), or
 * followed by a colon (`ABC12345: message`). Ticket numbers in chat (`INC0012345 can be closed`)
 * are neither.
 */
function hasErrorCode(text: string, knownFamilies: ReadonlySet<string>): boolean {
  let i = 0;
  while (i < text.length) {
    if (!isIdentifierChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && isIdentifierChar(text.charCodeAt(i))) i++;
    if (i - start > 40) continue;
    // A code ends in digits (codeFamily): other words are not cut out to be asked.
    const last = text.charCodeAt(i - 1);
    if (last < 48 || last > 57) continue;
    const family = codeFamily(text.slice(start, i).toLowerCase());
    if (family === undefined) continue;
    if (knownFamilies.has(family) || codeAt(text, i) === 58) return true;
  }
  return false;
}

/**
 * `Error: ...`, `Error from server (Forbidden): ...`, `Exception: ...`, `ERROR 0x80070005`: a tool's
 * own error line. The word must stand in a log line's shape: followed by `:` or `]`, by a code
 * (`Error 404`, `Error TS2304`), or by a short header ending in `:` (`Error from server
 * (NotFound):`); and what follows the colon must read as an error itself. "Error budget for Q4",
 * "Exception handling review moved to 3pm" and "Error: coffee machine empty again" are prose.
 */
function startsAsError(body: string): boolean {
  for (const word of ['Error', 'ERROR', 'Exception', 'Fatal', 'FATAL']) {
    if (!body.startsWith(word) || isIdentifierChar(codeAt(body, word.length))) continue;
    const rest = body.slice(word.length);
    const first = codeAt(rest, 0);
    if (first === 58 /* : */ || first === 93 /* ] */) return readsAsError(rest.slice(1));
    const next = rest.slice(0, 120).trimStart().split(/[\s:,;]/, 1)[0] ?? '';
    if (isCodeShaped(next)) return true;
    // A short header before its colon: `Error from server (NotFound): ...` (at most five words).
    const colon = rest.indexOf(': ');
    if (colon > 0 && colon <= 60 && rest.slice(0, colon).trim().split(/\s+/).length <= 5) return readsAsError(rest.slice(colon + 1));
    return false;
  }
  return false;
}

/** An exception-like class name anywhere in the text. */
function hasExceptionName(text: string): boolean {
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (!isIdentifierChar(c) && c !== 46) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && (isIdentifierChar(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
    // Every exception suffix ends in n, r, e or t: other words are not cut out to be asked.
    const last = text.charCodeAt(i - 1);
    if (last !== 110 && last !== 114 && last !== 101 && last !== 116) continue;
    if (i - start <= 300 && isExceptionName(text.slice(start, i))) return true;
  }
  return false;
}

/**
 * An error of its own even if nothing in the catalog fits, worth a `none` finding next to the
 * others: a stack trace, an exception name, an error code, an error body. `knownFamilies`: the
 * error code families of the catalog (`aadsts`, `af`, `e`).
 */
export function isOwnError(seg: Segment, knownFamilies: ReadonlySet<string>): boolean {
  if (seg.lines.some((l) => l.frame)) return true;
  for (const line of seg.lines) {
    if (hasExceptionName(line.body) || hasErrorCode(line.body, knownFamilies) || hasErrorKey(line.body)) return true;
  }
  return false;
}

/**
 * Reads as an error report, if not one with a shape of its own: a log record at an error level,
 * a tool's `Error: ...` line, an HTTP failure status in a status's context (`failed with HTTP
 * 418`, `503 Service Unavailable`). Such lines often introduce an error the next lines hold (a
 * log record's header, `HTTP/1.1 400 Bad Request` above its body), so they give a finding only
 * when nothing else in the paste does.
 */
export function reportsError(seg: Segment, view: SegmentView): boolean {
  if (seg.lines.some((l) => l.errorLevel || startsAsError(l.body))) return true;
  return hasFailureStatus(view.words);
}
