// The text a user reads back: the paste cut at the input cap without leaving half a secret, and
// each finding's excerpt kept short.

import type { Segment } from './segment.js';
import { MAX_EXCERPT_CHARS } from './weights.js';

export function excerptOf(seg: Segment): string {
  let out = '';
  for (const line of seg.lines) {
    const next = out.length === 0 ? line.text.trim() : `${out}\n${line.text.trimEnd()}`;
    if (next.length > MAX_EXCERPT_CHARS) {
      if (out.length === 0) out = `${next.slice(0, MAX_EXCERPT_CHARS - 1)}…`;
      else out = `${out}\n…`;
      break;
    }
    out = next;
  }
  return out;
}

export function trimExcerpt(text: string): string {
  const t = text.trim();
  return t.length > MAX_EXCERPT_CHARS ? `${t.slice(0, MAX_EXCERPT_CHARS - 1)}…` : t;
}

/** Cuts the input at the cap without leaving half a secret behind (the last partial word goes). */
export function capInput(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  let cut = max;
  let k = cut;
  while (k > 0 && cut - k < 20_000) {
    const c = text.charCodeAt(k - 1);
    if (c === 32 || c === 10 || c === 9 || c === 13 || c === 60 || c === 62) break;
    k--;
  }
  if (k > 0 && cut - k < 20_000) cut = k;
  // Never split a surrogate pair.
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return { text: text.slice(0, cut), truncated: true };
}
