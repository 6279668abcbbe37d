// Defence in depth: the incidents module redacts every free text it stores or sends, even when
// the caller already did. Already-redacted text must come out unchanged, so the redactor runs on
// the pieces between existing `[REDACTED]` markers (running it over a marker again would mangle it).

import { redact, REDACTED } from '../core/redact.js';

export function scrub(text: string): string {
  return text
    .split(REDACTED)
    .map((piece) => redact(piece).text)
    .join(REDACTED);
}
