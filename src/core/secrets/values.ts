// Reading the value after a key: quoted (JSON escapes, escaped JSON inside a string), unquoted,
// a plain YAML scalar to the end of its line, or a YAML block scalar (`|`, `>`) below it.

import { isQuote as isQuoteImport, isSpace as isSpaceImport } from './text.js';
import { codeAt } from '../chars.js';

// Hot-loop tests bound once: tsx and vitest turn imported functions into getters.
const isQuote = isQuoteImport;
const isSpace = isSpaceImport;

/** Where an unquoted value ends. */
function endsUnquoted(c: number): boolean {
  return (
    c <= 32 || c === 38 /* & */ || c === 44 /* , */ || c === 59 /* ; */ || c === 125 /* } */ || c === 93 /* ] */ ||
    c === 41 /* ) */ || c === 40 /* ( */ || c === 34 || c === 39 || c === 96 || c === 60 /* < */ || c === 62 /* > */
  );
}
export interface Value {
  start: number;
  end: number;
  /** Where scanning resumes (after a closing quote). */
  next: number;
  quoted: boolean;
}

/** Reads a quoted value whose opening quote is at `at` (`escaped`: inside a JSON string, `\"...\"`). */
export function readQuoted(text: string, at: number, escaped: boolean): Value {
  const quote = codeAt(text, at);
  const start = at + 1;
  let end = start;
  // No length cap: a cap would leave the tail of a long value (a SAML assertion) in clear.
  while (end < text.length && text.charCodeAt(end) !== 10) {
    const c = codeAt(text, end);
    if (escaped) {
      if (c === 92 && codeAt(text, end + 1) === quote) break;
    } else if (c === quote) {
      break;
    } else if (c === 92 /* \ */) {
      end++; // `\"` does not end the value
    }
    end++;
  }
  end = Math.min(end, text.length);
  return { start, end, next: end + (escaped ? 2 : 1), quoted: true };
}

export function readUnquoted(text: string, at: number): Value {
  let end = at;
  while (end < text.length && !endsUnquoted(text.charCodeAt(end))) end++;
  // `Access key: AKIA.... Verify the key`: the sentence's full stop is not the value's.
  if (end > at + 1 && codeAt(text, end - 1) === 46 && (end === text.length || codeAt(text, end) <= 32)) end--;
  return { start: at, end, next: end, quoted: false };
}

/** The plain YAML scalar after `key:` on a line of its own: to the end of the line, less a comment. */
export function readYamlPlain(text: string, at: number): Value {
  let end = at;
  while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) {
    if (codeAt(text, end) === 35 /* # */ && isSpace(codeAt(text, end - 1))) break;
    end++;
  }
  while (end > at && isSpace(codeAt(text, end - 1))) end--;
  return { start: at, end, next: end, quoted: false };
}

/** Indentation of the line starting at `start` up to `at`, with a list's `- ` counted as indentation. */
function indentOf(text: string, start: number, at: number): number {
  let i = start;
  while (i < at && (isSpace(codeAt(text, i)) || codeAt(text, i) === 45 /* - */)) i++;
  return i - start;
}

/**
 * `key: |` / `key: >-`: the more-indented lines below hold the value. `keyLineStart` is where the
 * key's line begins (the caller tracks it going forward: searching back for it from every key
 * would be quadratic on one long line).
 */
export function readBlockScalar(text: string, keyLineStart: number, keyStart: number, afterIndicator: number): Value | undefined {
  const keyIndent = indentOf(text, keyLineStart, keyStart);
  let i = text.indexOf('\n', afterIndicator);
  if (i === -1) return undefined;
  i++;
  let start = -1;
  let end = -1;
  while (i < text.length) {
    const lineEndAt = text.indexOf('\n', i);
    const stop = lineEndAt === -1 ? text.length : lineEndAt;
    let k = i;
    while (k < stop && (isSpace(codeAt(text, k)) || codeAt(text, k) === 13)) k++;
    if (k < stop) {
      if (k - i <= keyIndent) break; // back at the key's level: the block is over
      if (start === -1) start = k;
      end = stop;
      while (end > k && (isSpace(codeAt(text, end - 1)) || codeAt(text, end - 1) === 13)) end--;
    }
    if (lineEndAt === -1) break;
    i = lineEndAt + 1;
  }
  return start === -1 ? undefined : { start, end, next: end, quoted: false };
}

/**
 * `key: value` on a line of its own (YAML), not `key: value` inside a sentence or a JSON body.
 * `keyLineStart`: where the key's line begins, tracked by the caller.
 */
export function isYamlKeyLine(text: string, keyLineStart: number, keyStart: number, valueStart: number): boolean {
  for (let k = keyLineStart; k < keyStart; k++) {
    const c = codeAt(text, k);
    if (!isSpace(c) && c !== 45 /* - */) return false;
  }
  // A value that opens like JSON or a quoted string is read as such.
  const c = codeAt(text, valueStart);
  return c !== 123 && c !== 91 && !isQuote(c);
}
