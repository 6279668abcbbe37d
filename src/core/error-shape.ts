// Does a stretch of text look like an error at all, whether or not the catalog knows it? Decided
// from the shape of the text (exceptions, error codes, stack frames, error JSON), never from a
// list of chat phrases.

import type { Segment } from './segment.js';
import type { SegmentView } from './view.js';
import { codeFamily } from './words.js';

/** Looks like an error even if nothing in the catalog fits: worth a `none` finding of its own. */
export function looksLikeError(seg: Segment, view: SegmentView): boolean {
  if (seg.lines.some((l) => l.frame)) return true;
  for (const w of view.words) {
    if (w.length > 9 && /(?:exception|failure|error|fault)$/.test(w)) return true;
    if (codeFamily(w)) return true;
  }
  return view.lowerText.includes('"error"') || view.lowerText.includes('"errorcode"');
}
