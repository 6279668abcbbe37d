// Removes secrets from pasted text before it is matched, stored, logged, shown or sent anywhere.
// Hand-written scanners over the text (each character is looked at a bounded number of times);
// the few regular expressions only ever test one already-isolated word, anchored, without nesting.

export const REDACTED = '[REDACTED]';

export type SecretKind =
  | 'jwt'
  | 'authorization-header'
  | 'bearer-token'
  | 'aad-refresh-token'
  | 'client-secret'
  | 'google-token'
  | 'okta-token'
  | 'salesforce-session'
  | 'url-password'
  | 'secret-pair';

export interface Redaction {
  /** The text with every secret replaced by `[REDACTED]`. */
  text: string;
  /** How many secrets were replaced. */
  count: number;
  /** Kinds of secret found, each once, in order of first appearance. */
  kinds: string[];
}

interface Span {
  start: number;
  end: number;
  kind: SecretKind;
}

/** Characters of tokens, ids and secrets (base64, base64url, JWT, AAD and Salesforce formats). */
function isSecretChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
    c === 95 /* _ */ || c === 45 /* - */ || c === 46 /* . */ || c === 126 /* ~ */ || c === 33 /* ! */ ||
    c === 47 /* / */ || c === 43 /* + */ || c === 42 /* * */ || c === 37 /* % */
  );
}

function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

const JWT = /^eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*$/;
const CLIENT_SECRET = /^[A-Za-z0-9_.~-]{3,8}Q~[A-Za-z0-9_.~-]{20,}$/;
const SALESFORCE_SESSION = /^00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}$/;
const GOOGLE_REFRESH = /^1\/\/[A-Za-z0-9_-]{20,}$/;
const GOOGLE_ACCESS = /^ya29\.[A-Za-z0-9_.-]{20,}$/;
const AAD_REFRESH = /^0\.A[A-Za-z0-9_.*-]{30,}$/;

/** Classifies one isolated word (trailing sentence punctuation already removed). */
function classifyWord(word: string): SecretKind | undefined {
  if (word.length < 20 || word.length > 20_000) return undefined;
  if (word.startsWith('eyJ') && JWT.test(word)) return 'jwt';
  if (word.startsWith('0.A') && AAD_REFRESH.test(word)) return 'aad-refresh-token';
  if (word.startsWith('1//') && GOOGLE_REFRESH.test(word)) return 'google-token';
  if (word.startsWith('ya29.') && GOOGLE_ACCESS.test(word)) return 'google-token';
  if (word.startsWith('00D') && SALESFORCE_SESSION.test(word)) return 'salesforce-session';
  if (word.includes('Q~') && CLIENT_SECRET.test(word)) return 'client-secret';
  return undefined;
}

/** Words after which the next word is a credential. */
const CREDENTIAL_SCHEMES: Record<string, SecretKind> = { bearer: 'bearer-token', ssws: 'okta-token' };

function scanWords(text: string, spans: Span[]): void {
  let i = 0;
  let previousWord = '';
  let previousEnd = -1;
  while (i < text.length) {
    if (!isSecretChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && isSecretChar(text.charCodeAt(i))) i++;
    // Base64 padding belongs to the word.
    while (i < text.length && text.charCodeAt(i) === 61 /* = */) i++;
    let end = i;
    // A sentence may end right after a token.
    while (end > start && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 33)) end--;
    const word = text.slice(start, end);
    let kind = classifyWord(word.replace(/=+$/, ''));
    if (!kind && previousEnd >= 0 && word.length >= 8) {
      // `Bearer <token>` / `SSWS <token>`: only spaces between the scheme and the token.
      let gapOnlySpaces = true;
      for (let k = previousEnd; k < start; k++) {
        if (!isSpace(text.charCodeAt(k))) {
          gapOnlySpaces = false;
          break;
        }
      }
      if (gapOnlySpaces) kind = CREDENTIAL_SCHEMES[previousWord.toLowerCase()];
    }
    if (kind) spans.push({ start, end, kind });
    previousWord = word;
    previousEnd = end;
  }
}

/** Key names whose value is a secret (`password=`, `"client_secret": "..."`, `refreshToken: ...`). */
const SECRET_KEY_SUFFIXES = ['password', 'passwd', 'secret', 'token', 'apikey', 'api_key', 'api-key', 'credential', 'credentials'];
const SECRET_KEYS_EXACT = new Set(['pwd', 'pass', 'sig', 'signature', 'client_assertion', 'assertion', 'private_key', 'privatekey', 'sessionid', 'session_id', 'sid', 'code_verifier']);
/** Values that are not secrets even after a secret-looking key. */
const NOT_SECRETS = new Set(['', 'null', 'true', 'false', 'none', 'undefined', '""', REDACTED.toLowerCase()]);

function isSecretKey(keyLower: string): boolean {
  if (SECRET_KEYS_EXACT.has(keyLower)) return true;
  if (keyLower.length > 64) return false;
  return SECRET_KEY_SUFFIXES.some((suffix) => keyLower.endsWith(suffix)) && !keyLower.endsWith('_type') && !keyLower.endsWith('tokens');
}

/** `key=value`, `key: value`, `"key":"value"`, `'key' = 'value'` where the key names a secret. */
function scanPairs(text: string, spans: Span[]): void {
  let i = 0;
  while (i < text.length) {
    if (!isKeyChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const keyStart = i;
    while (i < text.length && isKeyChar(text.charCodeAt(i))) i++;
    const keyEnd = i;
    if (keyEnd - keyStart > 64) continue;
    const key = text.slice(keyStart, keyEnd).toLowerCase();
    if (!isSecretKey(key)) continue;
    let j = keyEnd;
    // `"key"`, `'key'`, and `\"key\"` inside an escaped JSON string.
    if (text.charCodeAt(j) === 92 /* \ */) j++;
    if (text.charCodeAt(j) === 34 || text.charCodeAt(j) === 39) j++;
    while (j < text.length && j - keyEnd < 4 && isSpace(text.charCodeAt(j))) j++;
    const separator = text.charCodeAt(j);
    if (separator !== 61 /* = */ && separator !== 58 /* : */) continue;
    j++;
    while (j < text.length && j - keyEnd < 8 && isSpace(text.charCodeAt(j))) j++;
    const escaped = text.charCodeAt(j) === 92 && (text.charCodeAt(j + 1) === 34 || text.charCodeAt(j + 1) === 39);
    if (escaped) j++;
    const quote = text.charCodeAt(j);
    let valueStart = j;
    let valueEnd = j;
    if (quote === 34 || quote === 39) {
      valueStart = j + 1;
      valueEnd = valueStart;
      // No length cap on a value: a cap would leave the tail of a long one (a SAML assertion) in
      // clear. Still linear: the scan resumes after the value.
      const limit = text.length;
      while (valueEnd < limit && text.charCodeAt(valueEnd) !== 10) {
        const c = text.charCodeAt(valueEnd);
        if (escaped) {
          // The value of an escaped string ends at the next \" (or \').
          if (c === 92 && text.charCodeAt(valueEnd + 1) === quote) break;
        } else if (c === quote) {
          break;
        } else if (c === 92 /* \ */) {
          // JSON escapes: `\"` does not end the value.
          valueEnd++;
        }
        valueEnd++;
      }
      valueEnd = Math.min(valueEnd, limit);
    } else {
      const limit = text.length;
      while (valueEnd < limit) {
        const c = text.charCodeAt(valueEnd);
        if (c <= 32 || c === 38 /* & */ || c === 44 || c === 59 || c === 125 || c === 93 || c === 41 || c === 34 || c === 39 || c === 60) break;
        valueEnd++;
      }
    }
    if (text.startsWith(REDACTED, valueStart)) {
      i = Math.max(i, valueStart + REDACTED.length);
      continue;
    }
    const value = text.slice(valueStart, valueEnd);
    if (!NOT_SECRETS.has(value.toLowerCase()) && !/^\*+$/.test(value)) {
      spans.push({ start: valueStart, end: valueEnd, kind: 'secret-pair' });
    }
    i = Math.max(i, valueEnd);
  }
}

/** `Authorization: <anything up to the end of the line or the closing quote>`. */
function scanAuthorizationHeaders(text: string, lower: string, spans: Span[]): void {
  const needle = 'authorization';
  let at = lower.indexOf(needle);
  while (at !== -1) {
    let j = at + needle.length;
    if (lower.charCodeAt(j) === 34 || lower.charCodeAt(j) === 39) j++;
    while (j < text.length && j - at < needle.length + 4 && isSpace(text.charCodeAt(j))) j++;
    const separator = text.charCodeAt(j);
    if (separator === 58 || separator === 61) {
      j++;
      while (j < text.length && isSpace(text.charCodeAt(j))) j++;
      let quote = 0;
      if (text.charCodeAt(j) === 34 || text.charCodeAt(j) === 39) {
        quote = text.charCodeAt(j);
        j++;
      }
      const valueStart = j;
      // To the end of the line however long (a cap would leave a long credential's tail in clear).
      const limit = text.length;
      while (j < limit && text.charCodeAt(j) !== 10 && (quote === 0 || text.charCodeAt(j) !== quote)) j++;
      let valueEnd = j;
      while (valueEnd > valueStart && isSpace(text.charCodeAt(valueEnd - 1))) valueEnd--;
      if (valueEnd > valueStart && text.slice(valueStart, valueEnd) !== REDACTED) {
        spans.push({ start: valueStart, end: valueEnd, kind: 'authorization-header' });
      }
    }
    at = lower.indexOf(needle, Math.max(j, at + needle.length));
  }
}

/** The password of `scheme://user:password@host`. */
function scanUrlCredentials(text: string, spans: Span[]): void {
  let at = text.indexOf('://');
  while (at !== -1) {
    const start = at + 3;
    const limit = Math.min(text.length, start + 512);
    let colon = -1;
    let j = start;
    for (; j < limit; j++) {
      const c = text.charCodeAt(j);
      if (c <= 32 || c === 47 /* / */ || c === 34 || c === 39 || c === 60 || c === 62) break;
      if (c === 58 && colon === -1) colon = j;
      if (c === 64 /* @ */) {
        if (colon !== -1 && j > colon + 1) spans.push({ start: colon + 1, end: j, kind: 'url-password' });
        break;
      }
    }
    at = text.indexOf('://', Math.max(j, start));
  }
}

/** Replaces every secret in `text` by `[REDACTED]`. Never throws; linear in the text's length. */
export function redact(text: string): Redaction {
  if (typeof text !== 'string' || text.length === 0) return { text: typeof text === 'string' ? text : '', count: 0, kinds: [] };
  const spans: Span[] = [];
  scanAuthorizationHeaders(text, text.toLowerCase(), spans);
  scanUrlCredentials(text, spans);
  scanPairs(text, spans);
  scanWords(text, spans);
  if (spans.length === 0) return { text, count: 0, kinds: [] };
  // Wider spans first at equal starts, so an Authorization header swallows the bearer token inside it.
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: string[] = [];
  const kinds: string[] = [];
  let cursor = 0;
  let count = 0;
  for (const span of spans) {
    if (span.start < cursor) {
      // Overlapping: extend the redaction already emitted if this one reaches further.
      if (span.end > cursor) cursor = span.end;
      continue;
    }
    out.push(text.slice(cursor, span.start), REDACTED);
    cursor = span.end;
    count++;
    if (!kinds.includes(span.kind)) kinds.push(span.kind);
  }
  out.push(text.slice(cursor));
  return { text: out.join(''), count, kinds };
}
