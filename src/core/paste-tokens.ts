// A paste's words, tokenised once: each line's tokens at their offsets in the whole text, and
// which tokens belong to which segment and line. App hints (whole paste, one error) and the
// scorer's view all read these instead of tokenising the same text again.

import type { WordInfo } from './catalog-index.js';
import { MAX_SEGMENT_TOKENS } from './weights.js';
import { tokenize, tokenizeLine, type Token } from './mask.js';
import type { Segment, SegmentLine } from './segment.js';

export interface LineTokens {
  line: SegmentLine;
  /** Range of the line's tokens in PasteTokens.tokens. */
  from: number;
  to: number;
}

export interface SegmentTokens {
  segment: Segment;
  from: number;
  to: number;
  lines: LineTokens[];
}

export interface PasteTokens {
  /** Every token of the text, in order, with offsets in the text. */
  tokens: Token[];
  segments: SegmentTokens[];
}

/**
 * Tokenises line by line: a masked span (URL, email, GUID, timestamp) never crosses a line break,
 * so the tokens are those of the whole text, at a fraction of the work of tokenising it per use.
 */
export function tokenizePaste(segments: readonly Segment[]): PasteTokens {
  const tokens: Token[] = [];
  const out: SegmentTokens[] = [];
  for (const segment of segments) {
    const from = tokens.length;
    const lines: LineTokens[] = [];
    for (const line of segment.lines) {
      const lineFrom = tokens.length;
      tokenizeLine(line.text, line.start, tokens);
      lines.push({ line, from: lineFrom, to: tokens.length });
    }
    out.push({ segment, from, to: tokens.length, lines });
  }
  return { tokens, segments: out };
}

/**
 * The tokens of the segment's scoring text: the bodies (log prefix off) of its lines that are not
 * stack frames, at most MAX_SEGMENT_TOKENS. A body's tokens are its line's tokens from the body
 * on, unless a masked span runs across the prefix's end: then the body is tokenised on its own,
 * as it would read alone.
 */
export function scoringTokens(paste: PasteTokens, seg: SegmentTokens): Token[] {
  const out: Token[] = [];
  collectScoringTokens(paste, seg, out, undefined, undefined, undefined);
  return out;
}

/**
 * scoringTokens with what the index knows of each token's word: `pasteInfos[k]` for the paste's
 * token k (read once per paste), `words` asked for a body tokenised on its own.
 */
export function scoringTokensWithInfos(paste: PasteTokens, seg: SegmentTokens, pasteInfos: readonly (WordInfo | undefined)[], words: ReadonlyMap<string, WordInfo>): { tokens: Token[]; infos: (WordInfo | undefined)[] } {
  const tokens: Token[] = [];
  const infos: (WordInfo | undefined)[] = [];
  collectScoringTokens(paste, seg, tokens, infos, pasteInfos, words);
  return { tokens, infos };
}

function collectScoringTokens(
  paste: PasteTokens, seg: SegmentTokens, out: Token[], outInfos: (WordInfo | undefined)[] | undefined,
  pasteInfos: readonly (WordInfo | undefined)[] | undefined, words: ReadonlyMap<string, WordInfo> | undefined,
): void {
  for (const { line, from, to } of seg.lines) {
    if (line.frame) continue;
    let first = from;
    if (line.bodyStart > 0) {
      const bodyStart = line.start + line.bodyStart;
      while (first < to && (paste.tokens[first] as Token).start < bodyStart) first++;
      const straddles = first > from && (paste.tokens[first - 1] as Token).end > bodyStart;
      if (straddles || (first < to && (paste.tokens[first] as Token).masked === '')) {
        for (const t of tokenize(line.body)) {
          if (out.length >= MAX_SEGMENT_TOKENS) return;
          out.push(t);
          outInfos?.push(words?.get(t.raw));
        }
        continue;
      }
    }
    for (let k = first; k < to; k++) {
      if (out.length >= MAX_SEGMENT_TOKENS) return;
      out.push(paste.tokens[k] as Token);
      outInfos?.push(pasteInfos?.[k]);
    }
  }
}
