// `Authorization:` (and `Proxy-Authorization:`) values: the scheme stays, the credentials go, and
// nothing after them does (a closing quote, later curl flags, the URL, the rest of a log line).

import { REDACTED, isAlnum, isPlaceholder, isProseWord, isQuote, isSpace, type Span } from './text.js';
import { codeAt } from '../chars.js';

/** Authentication schemes; the word after one of them is the credential. */
const SCHEMES = new Set([
  'bearer', 'basic', 'ssws', 'token', 'digest', 'oauth', 'negotiate', 'ntlm', 'aws4-hmac-sha256', 'sharedkey',
  'sharedkeylite', 'sharedaccesssignature', 'key', 'apikey', 'api-key', 'bot', 'geniekey', 'zoho-oauthtoken',
  'splunk', 'hawk', 'mac', 'pop', 'sso-key', 'dpop', 'hmac-sha256', 'hmac', 'jwt', 'klaviyo-api-key', 'client-id',
]);

const NEEDLE = 'authorization';

function isNameChar(c: number): boolean {
  return isAlnum(c) || c === 95;
}

/** `name=` just ahead: the next auth-param of a Digest / AWS4 / OAuth header. */
function startsParam(text: string, at: number, limit: number): boolean {
  let k = at;
  while (k < limit && (isNameChar(codeAt(text, k)) || codeAt(text, k) === 45)) k++;
  return k > at && codeAt(text, k) === 61;
}

/** How a header value ends: at its enclosing quote (`-H "Authorization: ..."`), or the line's end. */
interface ValueEnd {
  enclosure: number;
  /** Inside a JSON string: the value ends at `\"` followed by more JSON. */
  escaped: boolean;
}

function atValueEnd(text: string, k: number, ends: ValueEnd): boolean {
  if (k >= text.length) return true;
  const c = codeAt(text, k);
  if (c === 10 || c === 13) return true;
  if (ends.enclosure !== 0 && c === ends.enclosure && codeAt(text, k - 1) !== 92) return true;
  return ends.escaped && c === 92 && codeAt(text, k + 1) === 34 && codeAt(text, k - 1) !== 92 && isEndOfEscapedValue(text, k);
}

/**
 * Reads `token68` or an auth-param list (`Credential=..., SignedHeaders=..., Signature=...`,
 * `username="x", response="..."`) from `at`. Returns its end.
 */
function readCredentials(text: string, at: number, ends: ValueEnd): number {
  let k = at;
  let end = at;
  for (;;) {
    let inner = false;
    while (!atValueEnd(text, k, ends)) {
      const c = codeAt(text, k);
      const escapedQuote = c === 92 && codeAt(text, k + 1) === 34;
      if (escapedQuote || c === 34) {
        // A quote opens a quoted auth-param value (`username="x"`) only after its `=`, and then
        // closes it. Anywhere else it is not part of a credential (token68 has no quotes): it closes
        // a string the header stands in whose opening quote is out of sight (`...Bearer x" https://`),
        // and what follows (curl flags, the URL) is not the credential's.
        if (inner || codeAt(text, k - 1) === 61 /* = */) {
          if (c === 34 && ends.enclosure === 34) break;
          inner = !inner;
          k += escapedQuote ? 2 : 1;
          continue;
        }
        break;
      }
      // `;` is no token68 character: `Authorization=Bearer x; path=/` keeps its attributes.
      if (!inner && (isSpace(c) || c === 44 /* , */ || c === 59 /* ; */)) break;
      k++;
    }
    end = Math.min(k, text.length);
    let m = k;
    while (!atValueEnd(text, m, ends) && isSpace(codeAt(text, m))) m++;
    if (codeAt(text, m) !== 44 || atValueEnd(text, m, ends)) break;
    m++;
    while (!atValueEnd(text, m, ends) && isSpace(codeAt(text, m))) m++;
    if (!startsParam(text, m, text.length)) break;
    k = m;
  }
  return end;
}

export function scanAuthorizationHeaders(text: string, lower: string, spans: Span[]): void {
  let at = lower.indexOf(NEEDLE);
  while (at !== -1) {
    let next = at + NEEDLE.length;
    const before = at > 0 ? codeAt(text, at - 1) : -1;
    let j = at + NEEDLE.length;
    if (!isNameChar(codeAt(text, j)) && !isNameChar(before)) {
      // `"Authorization": "..."` (the value has its own quotes) or `-H "Authorization: ..."` (the
      // quote before the name closes the value).
      let enclosure = 0;
      let quotedName = false;
      if (isQuote(codeAt(text, j))) {
        j++;
        quotedName = true;
      } else if (isQuote(before)) {
        enclosure = before;
      } else if (codeAt(text, j) === 92 && isQuote(codeAt(text, j + 1))) {
        j += 2;
      }
      while (j < text.length && j - at < NEEDLE.length + 4 && isSpace(text.charCodeAt(j))) j++;
      const separator = codeAt(text, j);
      // `setRequestHeader("Authorization", "Bearer ...")`: a call's next argument, when it is a string.
      let call = false;
      if (separator === 44 && quotedName) {
        let k = j + 1;
        while (k < text.length && k - j < 4 && isSpace(text.charCodeAt(k))) k++;
        call = isQuote(codeAt(text, k));
      }
      if (separator === 58 || separator === 61 || call) {
        j++;
        while (j < text.length && j - at < NEEDLE.length + 12 && isSpace(text.charCodeAt(j))) j++;
        const escapedValue = codeAt(text, j) === 92 && isQuote(codeAt(text, j + 1));
        if (escapedValue) j++;
        let valueStart = j;
        if (isQuote(codeAt(text, j))) {
          enclosure = codeAt(text, j);
          valueStart = j + 1;
        }
        // The value ends at the enclosing quote (unescaped) or the end of the line, found as the
        // credentials are read (a scan to the end of the line first would be quadratic on one long line).
        const ends: ValueEnd = { enclosure, escaped: escapedValue };
        // The scheme (`Bearer`, `Basic`, `AWS4-HMAC-SHA256`) stays visible: it helps the diagnosis.
        let w = valueStart;
        while (w - valueStart <= 32 && !atValueEnd(text, w, ends) && !isSpace(codeAt(text, w))) w++;
        let credStart = valueStart;
        // `-H Authorization:Bearer\ x` in a shell: the backslash escapes the space, it ends no scheme.
        const shellEscaped = w > valueStart + 1 && codeAt(text, w - 1) === 92 && isSpace(codeAt(text, w));
        const scheme = text.slice(valueStart, shellEscaped ? w - 1 : w).toLowerCase();
        if (SCHEMES.has(scheme)) {
          credStart = w;
          while (!atValueEnd(text, credStart, ends) && isSpace(codeAt(text, credStart))) credStart++;
        }
        const credEnd = readCredentials(text, credStart, ends);
        const credential = text.slice(credStart, credEnd);
        const placeholder = credential.length === 0 || credential.startsWith(REDACTED) || isPlaceholder(credential);
        const prose = credStart === valueStart && isProseWord(credential);
        // Auth-params (`Credential=AKIA.../scope, SignedHeaders=..., Signature=...`, Digest, OAuth 1,
        // SAS): each value is judged on its own by the pair and word scanners, so the parts that are
        // no secret (the credential scope, the signed header names) stay.
        const params = startsParam(text, credStart, credEnd) && codeAt(text, credEnd - 1) !== 61;
        if (!placeholder && !prose && !params) spans.push({ start: credStart, end: credEnd, kind: 'authorization-header' });
        next = Math.max(next, credEnd);
      }
    }
    at = lower.indexOf(NEEDLE, next);
  }
}

/** Inside an escaped JSON string, `\"` ends the header value only when the string goes on as JSON. */
function isEndOfEscapedValue(text: string, at: number): boolean {
  const c = codeAt(text, at + 2);
  return Number.isNaN(c) || c === 44 || c === 125 || c === 93 || c === 58 || isSpace(c);
}
