// Tokens of a (redacted) text for matching. Variables that differ between two pastes of the same
// error (GUIDs, tenant ids, timestamps, emails, URLs, plain numbers) are masked to placeholders
// so the lexical score compares the error's words, not its instance data. One linear scan.

import { codeAt, isWordCode } from './chars.js';

export interface Token {
  /** Lower-cased word as written (`aadsts70008`, `okta`, `403`, `998cea7e`). */
  raw: string;
  /** What the lexical score sees: the word, or a placeholder (`<guid>`, `<ts>`, `<num>`, `<email>`, `<url>`). */
  masked: string;
  start: number;
  end: number;
}

interface MaskSpan {
  start: number;
  end: number;
  placeholder: string;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
const isWordChar = isWordCode;

/** Length of a GUID starting at `i` (8-4-4-4-12 hex), or 0. */
function guidLength(text: string, i: number): number {
  if (i + 36 > text.length) return 0;
  for (let k = 0; k < 36; k++) {
    const c = codeAt(text, i + k);
    if (k === 8 || k === 13 || k === 18 || k === 23) {
      if (c !== 45) return 0;
    } else if (!isHex(c)) {
      return 0;
    }
  }
  if (isWordChar(codeAt(text, i + 36))) return 0;
  return 36;
}

function digitsAt(text: string, i: number, n: number): boolean {
  if (i + n > text.length) return false;
  for (let k = 0; k < n; k++) if (!isDigit(codeAt(text, i + k))) return false;
  return true;
}

/** Length of a time `hh:mm[:ss[.fff]]` at `i`, or 0. */
function timeLength(text: string, i: number): number {
  let j = i;
  if (digitsAt(text, j, 2)) j += 2;
  else if (digitsAt(text, j, 1)) j += 1;
  else return 0;
  if (codeAt(text, j) !== 58 || !digitsAt(text, j + 1, 2)) return 0;
  j += 3;
  if (codeAt(text, j) === 58 && digitsAt(text, j + 1, 2)) {
    j += 3;
    if ((codeAt(text, j) === 46 || codeAt(text, j) === 44) && isDigit(codeAt(text, j + 1))) {
      j++;
      let n = 0;
      while (isDigit(codeAt(text, j)) && n < 9) {
        j++;
        n++;
      }
    }
  }
  // Zone: Z, +01:00, -0500
  if (codeAt(text, j) === 90 /* Z */ && !isWordChar(codeAt(text, j + 1))) j++;
  else if ((codeAt(text, j) === 43 || codeAt(text, j) === 45) && digitsAt(text, j + 1, 2)) {
    let k = j + 3;
    if (codeAt(text, k) === 58) k++;
    if (digitsAt(text, k, 2)) j = k + 2;
  }
  return j - i;
}

/** Length of a date/time at `i`: `2024-05-01[T ]10:22:33.123Z`, `05/01/2024 10:22:33`, `10:22:33`, or 0. */
export function timestampLength(text: string, i: number): number {
  if (i > 0 && isWordChar(codeAt(text, i - 1))) return 0;
  let j = i;
  let isDate = false;
  if (digitsAt(text, j, 4) && (codeAt(text, j + 4) === 45 || codeAt(text, j + 4) === 47 || codeAt(text, j + 4) === 46) &&
    digitsAt(text, j + 5, 2) && codeAt(text, j + 7) === codeAt(text, j + 4) && digitsAt(text, j + 8, 2)) {
    j += 10;
    isDate = true;
  } else {
    // 05/01/2024, 1/5/2024, 01.05.2024
    let k = j;
    let n = 0;
    while (isDigit(codeAt(text, k)) && n < 2) {
      k++;
      n++;
    }
    const sep = codeAt(text, k);
    if (n > 0 && (sep === 47 || sep === 46 || sep === 45)) {
      let k2 = k + 1;
      let n2 = 0;
      while (isDigit(codeAt(text, k2)) && n2 < 2) {
        k2++;
        n2++;
      }
      if (n2 > 0 && codeAt(text, k2) === sep && digitsAt(text, k2 + 1, 4) && !isDigit(codeAt(text, k2 + 5))) {
        j = k2 + 5;
        isDate = true;
      }
    }
  }
  if (isDate) {
    const c = codeAt(text, j);
    if ((c === 84 /* T */ || c === 32) && isDigit(codeAt(text, j + 1))) {
      const t = timeLength(text, j + 1);
      if (t > 0) j += 1 + t;
    }
    if (isWordChar(codeAt(text, j))) return 0;
    return j - i;
  }
  const t = timeLength(text, i);
  if (t > 0 && !isWordChar(codeAt(text, i + t))) return t;
  return 0;
}

function isEmailLocalChar(c: number): boolean {
  return isWordChar(c) || c === 46 || c === 37 || c === 43 || c === 45;
}
function isHostChar(c: number): boolean {
  return isDigit(c) || isLetter(c) || c === 46 || c === 45;
}

/** Spans to mask, in order, non-overlapping. */
/** Adds a span unless it overlaps the last one (spans come in order). */
function push(spans: MaskSpan[], start: number, end: number, placeholder: string): void {
  if (start < (spans[spans.length - 1]?.end ?? 0)) return;
  spans.push({ start, end, placeholder });
}

function maskSpans(text: string): MaskSpan[] {
  const spans: MaskSpan[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isWordChar(c)) {
      if (i === 0 || !isWordChar(codeAt(text, i - 1))) {
        if (isHex(c)) {
          const g = guidLength(text, i);
          if (g > 0) {
            push(spans, i, i + g, '<guid>');
            i += g;
            continue;
          }
        }
        if (isDigit(c)) {
          const t = timestampLength(text, i);
          if (t > 0) {
            push(spans, i, i + t, '<ts>');
            i += t;
            continue;
          }
        }
      }
      // Nothing starts inside a word: GUIDs and timestamps at its start, URLs and emails at a
      // `:` or `@`. Skip to its end.
      i++;
      while (i < text.length && isWordChar(text.charCodeAt(i))) i++;
      continue;
    }
    if (c === 58 /* : */ && codeAt(text, i + 1) === 47 && codeAt(text, i + 2) === 47) {
      // scheme://rest-of-url
      let s = i;
      while (s > 0 && i - s < 12 && isLetter(codeAt(text, s - 1))) s--;
      if (s < i) {
        let e = i + 3;
        const limit = Math.min(text.length, e + 2048);
        while (e < limit) {
          const d = codeAt(text, e);
          if (d <= 32 || d === 34 || d === 39 || d === 60 || d === 62 || d === 96) break;
          e++;
        }
        while (e > i + 3 && (codeAt(text, e - 1) === 46 || codeAt(text, e - 1) === 44 || codeAt(text, e - 1) === 41)) e--;
        if (s >= (spans[spans.length - 1]?.end ?? 0)) {
          push(spans, s, e, '<url>');
          i = e;
          continue;
        }
      }
    }
    if (c === 64 /* @ */) {
      let s = i;
      while (s > (spans[spans.length - 1]?.end ?? 0) && i - s < 64 && isEmailLocalChar(codeAt(text, s - 1))) s--;
      let e = i + 1;
      let dot = false;
      while (e < text.length && e - i < 255 && isHostChar(text.charCodeAt(e))) {
        if (codeAt(text, e) === 46) dot = true;
        e++;
      }
      while (e > i + 1 && codeAt(text, e - 1) === 46) e--;
      if (s < i && dot && e > i + 3) {
        push(spans, s, e, '<email>');
        i = e;
        continue;
      }
    }
    i++;
  }
  return spans;
}

/** A number that stays a word: an HTTP status (100-599). Other numbers become `<num>`. */
function isStatusNumber(raw: string): boolean {
  if (raw.length !== 3) return false;
  const n = Number(raw);
  return n >= 100 && n <= 599;
}

/** Longest part of a word kept as its token (base64 blobs stay small). */
const MAX_TOKEN_CHARS = 128;

/**
 * Appends the tokens of `text` to `out`, their offsets shifted by `offset` (see tokenize). One
 * pass over each word reads its case and digits, so a word already in lower case is not copied
 * again and a number is known without a second look.
 */
function tokenizeInto(text: string, offset: number, out: Token[], maxTokens: number): void {
  const spans = maskSpans(text);
  const n = text.length;
  const first = out.length;
  let spanIndex = 0;
  let lastPlaceholderSpan = -1;
  let i = 0;
  // The text in lower case, made at the first word that has a capital: its words are cut out of
  // it (lower-casing never changes the length of a text but for a few non-ASCII letters, and then
  // each word is lower-cased on its own).
  let lower: string | undefined;
  while (i < n && out.length - first < maxTokens) {
    if (!isWordChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    // Cap absurd words (base64 blobs) so a token never dominates memory; case and digits are
    // read within the cap, as the token is.
    const cap = start + MAX_TOKEN_CHARS;
    let upper = false;
    let digits = true;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) continue;
      if ((c >= 97 && c <= 122) || c === 95) {
        if (i < cap) digits = false;
      } else if (c >= 65 && c <= 90) {
        if (i < cap) {
          digits = false;
          upper = true;
        }
      } else break;
    }
    const end = i < cap ? i : cap;
    let raw: string;
    if (!upper) raw = text.slice(start, end);
    else {
      lower ??= text.toLowerCase();
      raw = lower.length === n ? lower.slice(start, end) : text.slice(start, end).toLowerCase();
    }
    while (spanIndex < spans.length && (spans[spanIndex] as MaskSpan).end <= start) spanIndex++;
    const span = spans[spanIndex];
    let masked: string;
    if (span && span.start <= start && start < span.end) {
      if (lastPlaceholderSpan === spanIndex) {
        out.push({ raw, masked: '', start: start + offset, end: i + offset });
        continue;
      }
      lastPlaceholderSpan = spanIndex;
      masked = span.placeholder;
    } else if (digits) {
      masked = isStatusNumber(raw) ? raw : '<num>';
    } else {
      masked = raw;
    }
    out.push({ raw, masked, start: start + offset, end: i + offset });
  }
}

/**
 * Splits text into word tokens (runs of letters, digits and `_`), masked where they fall in a GUID,
 * timestamp, email or URL (such a span yields its placeholder once, as the first token in it).
 */
export function tokenize(text: string, maxTokens = Number.POSITIVE_INFINITY): Token[] {
  const tokens: Token[] = [];
  tokenizeInto(text, 0, tokens, maxTokens);
  return tokens;
}

/** Appends the tokens of a line that starts at `offset` in a longer text, at their offsets in it (as tokenize(line) shifted). */
export function tokenizeLine(line: string, offset: number, out: Token[]): void {
  tokenizeInto(line, offset, out, Number.POSITIVE_INFINITY);
}
