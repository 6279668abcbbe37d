// PEM private-key blocks wherever they sit: plain lines, a YAML block scalar (`|`, `>`, indented),
// a JSON string with `\n` escapes (a Google service-account key), one line with spaces. The whole
// block goes, BEGIN and END lines included; a block cut short (no END) goes to the end of its body.

import type { Span } from './text.js';
import { codeAt } from '../chars.js';

const BEGIN = '-----BEGIN ';
const END = '-----END ';
/** Longest armour label (`ENCRYPTED PRIVATE KEY`, `OPENSSH PRIVATE KEY`, `PGP PRIVATE KEY BLOCK`). */
const MAX_LABEL = 48;
/** Largest block we look for an END in (a 16384-bit RSA key is about 12 KB; PGP blocks can be larger). */
const MAX_BLOCK = 65_536;

/** Base64, whitespace, and what escaping and YAML add to a body (`\n`, `\r`, quotes, indentation). */
function isBodyChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 || c === 61 ||
    c === 32 || c === 9 || c === 10 || c === 13 || c === 92 /* \ */ || c === 58 /* : */ || c === 44 /* , */ || c === 45 /* - */
  );
}

export function scanPrivateKeys(text: string, spans: Span[]): void {
  let at = text.indexOf(BEGIN);
  // The next END at or after some point: remembered, so a paste of many BEGINs and no END stays linear.
  let knownEnd = -2;
  while (at !== -1) {
    const labelStart = at + BEGIN.length;
    const labelEnd = text.indexOf('-----', labelStart);
    let next = labelStart;
    if (labelEnd !== -1 && labelEnd - labelStart <= MAX_LABEL) {
      const label = text.slice(labelStart, labelEnd);
      if (label.includes('PRIVATE KEY')) {
        const bodyStart = labelEnd + 5;
        if (knownEnd !== -1 && knownEnd < bodyStart) knownEnd = text.indexOf(END, bodyStart);
        const endAt = knownEnd;
        let blockEnd: number;
        if (endAt !== -1 && endAt - bodyStart <= MAX_BLOCK) {
          const close = text.indexOf('-----', endAt + END.length);
          blockEnd = close !== -1 && close - endAt <= END.length + MAX_LABEL ? close + 5 : endAt + END.length;
        } else {
          // No END (the paste was cut): the body runs while it looks like one.
          blockEnd = bodyStart;
          while (blockEnd < text.length && isBodyChar(text.charCodeAt(blockEnd))) blockEnd++;
          while (blockEnd > bodyStart && !isBase64(codeAt(text, blockEnd - 1))) blockEnd--;
        }
        // `-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----` in documentation is no key.
        if (hasKeyMaterial(text, bodyStart, blockEnd)) {
          spans.push({ start: at, end: blockEnd, kind: 'private-key' });
          next = blockEnd;
        }
      }
    }
    at = text.indexOf(BEGIN, next);
  }
}

function isBase64(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 || c === 61;
}

/** At least a line's worth of base64 (the smallest real key body is far longer). */
function hasKeyMaterial(text: string, start: number, end: number): boolean {
  let n = 0;
  for (let i = start; i < end && n < 40; i++) {
    const c = codeAt(text, i);
    // `\n` escapes are not key material: skip the `n` after a backslash.
    if (c === 92) i++;
    else if (isBase64(c)) n++;
  }
  return n >= 40;
}
