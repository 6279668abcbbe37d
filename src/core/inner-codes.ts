// The error codes an error carries inside whatever wraps it: `AADSTS50126` in a TokenRefreshException,
// `"errorCode":"E0000004"` under the connector's 401 wrapper, `'error': 'invalid_auth'` in a
// SlackApiError. The wrapper is shared by many errors; the inner code says which one it is.

import { codeFamily } from './words.js';
import { codeAt, isWordCode } from './chars.js';

/** Quoted keys whose value is an error's code (`"error": "invalid_grant"`, `'errorCode': 'E0000004'`). */
const CODE_KEYS = new Set(['error', 'errorcode', 'error_code', 'code']);
/** The one unquoted label read so (`Code: InvalidAuthenticationToken`); `Error: ...` starts prose. */
const CODE_LABEL = 'code';

/**
 * HTTP reason names restate the status (`"code": "InternalServerError"`, `"error": "not_found"`):
 * they are no inner code of their own. Lower case, separators dropped.
 */
const STATUS_NAMES = new Set([
  'badrequest', 'unauthorized', 'paymentrequired', 'forbidden', 'notfound', 'methodnotallowed', 'notacceptable', 'requesttimeout',
  'conflict', 'gone', 'toomanyrequests', 'internalservererror', 'servererror', 'internalerror', 'notimplemented', 'badgateway',
  'serviceunavailable', 'gatewaytimeout',
]);

const isWordChar = isWordCode;

/** An identifier that reads as a code: `invalid_grant`, `API_DISABLED_FOR_ORG`, `AF20099`, `ErrorItemNotFound`. */
function codeLike(value: string): boolean {
  if (value.length < 4 || value.length > 64) return false;
  if (STATUS_NAMES.has(value.toLowerCase().replace(/_/g, ''))) return false;
  if (value.includes('_') || codeFamily(value.toLowerCase()) !== undefined) return true;
  let capitals = 0;
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    if (c >= 65 && c <= 90) capitals++;
  }
  // PascalCase with two words or more (`InvalidAuthenticationToken`), not a plain word.
  return capitals >= 2 && codeAt(value, 0) >= 65 && codeAt(value, 0) <= 90;
}

function isLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The word of `length` at `start` may be one of CODE_KEYS: its length and first letter are. */
function mayBeCodeKey(text: string, start: number, length: number): boolean {
  if (length !== 4 && length !== 5 && length !== 9 && length !== 10) return false;
  const first = text.charCodeAt(start) | 32;
  return first === 99 /* c */ || first === 101 /* e */;
}

/**
 * Inner codes of a text, lower-cased: code-shaped words of a family the catalog knows or
 * followed by their colon (`AADSTS50126:`), and the code-like values of error and code keys,
 * quoted or not (`"errorCode": "E0000004"`, `\"error\":\"invalid_client\"`, `Code: X`).
 */
export function innerCodesOf(text: string, knownFamilies: ReadonlySet<string>): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isWordChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let digits = false;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (!isWordChar(c)) break;
      if (c >= 48 && c <= 57) digits = true;
    }
    const length = i - start;
    // Only a word with digits can be code-shaped, and the keys are 4 to 10 letters: skip the rest
    // without cutting them out of the text.
    if (length > 64 || (!digits && (length < 4 || length > 10))) continue;
    // Without digits a word is no code, only maybe a key: `code`, `error`, `errorCode`, `error_code`.
    if (!digits && !mayBeCodeKey(text, start, length)) continue;
    // With digits it is no key, and a code only as letters then digits (codeFamily): `2026`,
    // `30T10`, a GUID's pieces are neither.
    if (digits && !(isLetterCode(text.charCodeAt(start)) && isDigitCode(text.charCodeAt(i - 1)))) continue;
    const word = text.slice(start, i);
    const lower = word.toLowerCase();
    const family = codeFamily(lower);
    if (family !== undefined && (knownFamilies.has(family) || codeAt(text, i) === 58) && !found.includes(lower)) found.push(lower);
    if (!CODE_KEYS.has(lower)) continue;
    // A key or label: skip its closing quote (escaped or not), spaces, the colon, spaces and an
    // opening quote; the value is the identifier after them.
    const before = codeAt(text, start - 1);
    const quoted = before === 34 || before === 39;
    if (!quoted && lower !== CODE_LABEL) continue;
    let j = i;
    if (codeAt(text, j) === 92) j++;
    if (quoted && (codeAt(text, j) === 34 || codeAt(text, j) === 39)) j++;
    while (codeAt(text, j) === 32) j++;
    if (codeAt(text, j) !== 58) continue;
    j++;
    while (codeAt(text, j) === 32) j++;
    if (codeAt(text, j) === 92) j++;
    if (codeAt(text, j) === 34 || codeAt(text, j) === 39) j++;
    const valueStart = j;
    while (j < text.length && isWordChar(text.charCodeAt(j))) j++;
    const value = text.slice(valueStart, j);
    const code = value.toLowerCase();
    if (codeLike(value) && !found.includes(code)) found.push(code);
  }
  return found;
}

/** Code-shaped codes (`aadsts50126`) say more than word codes (`invalid_grant`): compare those when there are any. */
export function mostSpecific(codes: readonly string[]): string[] {
  const shaped = codes.filter((c) => codeFamily(c) !== undefined);
  return shaped.length > 0 ? shaped : [...codes];
}
