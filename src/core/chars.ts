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
