// Reading a text's characters without reading past either end of it.

/**
 * `text.charCodeAt(i)` for an integer `i`, NaN outside the text as charCodeAt gives, but never
 * asked outside it: V8 compiles a scan on the bet that every charCodeAt reads inside its string,
 * and throws the optimised code away to compile it again the first time one does not (the
 * look-ahead at a text's last character, the look-behind at its first). Scans that read around a
 * position use this; loops bounded by the text's length read it directly.
 */
export function codeAt(text: string, i: number): number {
  return i >= 0 && i < text.length ? text.charCodeAt(i) : NaN;
}

/** Word characters (ASCII letters, digits, `_`) by code: one load per character instead of four range tests. */
const WORD_CHAR = Uint8Array.from({ length: 128 }, (_, c) => ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ? 1 : 0));

/** A letter, digit or `_` (ASCII); false for NaN and every other code. */
export function isWordCode(c: number): boolean {
  return c < 128 && WORD_CHAR[c] === 1;
}
