// What the scorer reads of one error: its words with typos corrected to the catalog's vocabulary
// (one edit away, words of six letters or more), and its masked words for the lexical score.

import type { Index, WordInfo } from './catalog-index.js';
import type { Token } from './mask.js';
import { isAlphabetic, typoKeys, withinOneEdit } from './words.js';

/** The corrections of a view with none. */
const NO_CORRECTIONS: ReadonlyMap<string, string> = new Map();

/** Corrections remembered per matcher (a word maps to itself when none is one edit away). */
const MAX_REMEMBERED_TYPOS = 20_000;

export interface SegmentView {
  /** Raw words, typos corrected to the catalog's vocabulary where one edit away. */
  words: string[];
  /** What the index knows of each of `words` (Index.words), read once. */
  infos: (WordInfo | undefined)[];
  /** Masked words (placeholders once per span), typos corrected. */
  masked: string[];
  /** What the index knows of each of `masked`. */
  maskedInfos: (WordInfo | undefined)[];
  /** Words corrected from a typo: corrected -> as written. */
  corrected: ReadonlyMap<string, string>;
  lowerText: string;
}

function correctTypo(index: Index, word: string): string | undefined {
  if (word.length < 6 || word.length > 40 || !isAlphabetic(word)) return undefined;
  for (const length of [word.length, word.length - 1, word.length + 1]) {
    for (const key of typoKeys(word, length)) {
      for (const candidate of index.typos.get(key) ?? []) {
        if (candidate !== word && withinOneEdit(word, candidate)) return candidate;
      }
    }
  }
  return undefined;
}

/**
 * The view of one error from its scoring tokens (see scoringTokens) and their text;
 * `tokenInfos[k]`, when given, is what the index knows of `tokens[k].raw`. The same
 * unknown words come back paste after paste (chat, instance data), so corrections are remembered
 * across calls; the memo is bounded and only ever holds the answer correctTypo would give.
 */
export function viewOf(index: Index, tokens: readonly Token[], text: string, tokenInfos?: readonly (WordInfo | undefined)[]): SegmentView {
  const words: string[] = [];
  const infos: (WordInfo | undefined)[] = [];
  const masked: string[] = [];
  const maskedInfos: (WordInfo | undefined)[] = [];
  // Made at the first correction: most views have none.
  let corrected: Map<string, string> | undefined;
  const memo = index.typoMemo;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] as Token;
    let word = t.raw;
    // What the index knows of the word as written: given (read once per paste) or asked here.
    let info = tokenInfos !== undefined ? tokenInfos[k] : index.words.get(word);
    if (info?.vocabulary !== true && t.masked === word) {
      let fixed = memo.get(word);
      if (fixed === undefined) {
        fixed = correctTypo(index, word) ?? word;
        if (memo.size >= MAX_REMEMBERED_TYPOS) memo.clear();
        memo.set(word, fixed);
      }
      if (fixed !== word) {
        (corrected ??= new Map()).set(fixed, word);
        word = fixed;
        info = index.words.get(word);
      }
    }
    words.push(word);
    infos.push(info);
    if (t.masked.length > 0) {
      if (t.masked === t.raw) {
        masked.push(word);
        maskedInfos.push(info);
      } else {
        masked.push(t.masked);
        maskedInfos.push(index.words.get(t.masked));
      }
    }
  }
  return { words, infos, masked, maskedInfos, corrected: corrected ?? NO_CORRECTIONS, lowerText: text.toLowerCase() };
}
