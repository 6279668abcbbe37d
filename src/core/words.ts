// Shapes of single words the matcher reasons about: error codes (`AADSTS70008`), plain
// alphabetic words, and words one typo apart. Pure, allocation-light checks on one word.

import { codeAt } from './chars.js';

/** `aadsts70008` -> `aadsts`; undefined when the word is not shaped like an error code. */
export function codeFamily(word: string): string | undefined {
  let letters = 0;
  while (letters < word.length) {
    const c = word.charCodeAt(letters);
    if (c < 97 || c > 122) break;
    letters++;
  }
  const digits = word.length - letters;
  if (letters === 0 || digits < 3) return undefined;
  for (let k = letters; k < word.length; k++) {
    const c = word.charCodeAt(k);
    if (c < 48 || c > 57) return undefined;
  }
  if (letters === 1 && digits < 5) return undefined;
  return word.slice(0, letters);
}

export function isAlphabetic(word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    const c = word.charCodeAt(k);
    if (!((c >= 97 && c <= 122) || c === 95)) return false;
  }
  return true;
}

/** One insertion, deletion, substitution or swap of neighbours turns `a` into `b` (or they are equal). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && codeAt(a, i) === codeAt(b, i)) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return codeAt(a, i) === codeAt(b, i + 1) && codeAt(a, i + 1) === codeAt(b, i) && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * One edit leaves a word of six letters or more with either its first two or its last two letters
 * in place, so a typo is looked up in two small buckets instead of the whole vocabulary.
 */
export function typoKeys(word: string, length: number): [string, string] {
  return [`${length}<${word.slice(0, 2)}`, `${length}>${word.slice(-2)}`];
}
