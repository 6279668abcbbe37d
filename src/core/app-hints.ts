// Which apps a text points at: app names and aliases a person wrote (they rule other apps out)
// and hosts, packages, URLs and stack frames that merely pass by (they only settle ties).

import type { AppHintRef, Index, WordInfo } from './catalog-index.js';
import type { Token } from './mask.js';
import type { PasteTokens, SegmentTokens } from './paste-tokens.js';
import { codeAt } from './chars.js';

export interface AppHint {
  appId: string;
  /** What named the app: the hint or alias as the catalog writes it. */
  value: string;
  /**
   * A person named the app in the error's own words (`Atlassian: Get events: ...`), not a host,
   * package, URL or stack frame that merely passes by. Only such a mention (or the caller's app)
   * rules out entries of other apps.
   */
  named: boolean;
  /** Seen at least once as a host, package, URL or frame, not only as a name. */
  incidental: boolean;
}

/**
 * Is this occurrence of a name a person naming the app? Not inside a URL or email (masked), not in
 * a stack frame, and a one-word name only with its capital.
 */
function namedAt(hint: AppHintRef, tokens: readonly Token[], p: number, text: string, inFrame: (offset: number) => boolean): boolean {
  if (!hint.name) return false;
  for (let k = 0; k < hint.tokens.length; k++) {
    const t = tokens[p + k];
    if (!t || t.masked !== t.raw || inFrame(t.start)) return false;
  }
  // One word the catalog writes with a capital counts only when written so: `Exchange` and `Box`
  // are names, "token exchange" and "check box" are not.
  const first = tokens[p];
  if (hint.tokens.length === 1 && first) {
    const wanted = hint.display.charCodeAt(0);
    const written = codeAt(text, first.start);
    if (wanted >= 65 && wanted <= 90 && written !== wanted) return false;
  }
  return true;
}

/** What the index knows of each token's word (`Index.words`), read once per paste for every reader of app hints. */
export function tokenInfos(index: Index, tokens: readonly Token[]): (WordInfo | undefined)[] {
  const infos: (WordInfo | undefined)[] = [];
  for (const t of tokens) infos.push(index.words.get(t.raw));
  return infos;
}

/**
 * App hints of one error's own lines; mentions inside its stack frames are incidental. `infos`:
 * tokenInfos of the paste's tokens.
 */
export function segmentHints(text: string, paste: PasteTokens, infos: readonly (WordInfo | undefined)[], seg: SegmentTokens): AppHint[] {
  const frames: [number, number][] = [];
  for (const { line } of seg.lines) if (line.frame) frames.push([line.start, line.start + line.text.length]);
  const inFrame = frames.length === 0 ? noFrames : (offset: number) => frames.some(([a, b]) => offset >= a && offset < b);
  return appHintsIn(text, paste.tokens, infos, seg.from, seg.to, inFrame);
}

const noFrames = (): boolean => false;

/** How many non-blank lines above an error a header naming its app may stand. */
const HEADER_WINDOW = 3;
/** A header is a label, not a sentence: at most this many words. */
const HEADER_MAX_WORDS = 8;

/**
 * A label line (`Okta connector failing:`, `Connector alert: Okta`, `App: Okta`): a colon that
 * ends it or separates a label from its value, few words, and one clause (no `,` `;` `!` `?` or
 * sentence `.` inside it). "Our Okta connector is fine, only this one fails:" is two clauses: the
 * app it names is not necessarily the one of the error below.
 */
function isLabelLine(line: string, words: number): boolean {
  if (words === 0 || words > HEADER_MAX_WORDS || line.length > 200 || !line.includes(':')) return false;
  let end = line.trimEnd().length;
  while (end > 0 && '.:!?'.includes(line.charAt(end - 1))) end--;
  const body = line.slice(0, end);
  for (let k = 0; k < body.length; k++) {
    const c = body.charCodeAt(k);
    if (c === 44 || c === 59 || c === 33 || c === 63) return false;
    if (c === 46 && (codeAt(body, k + 1) === 32 || codeAt(body, k + 1) === 9)) return false;
  }
  return true;
}

/**
 * The app a header just above an error names (`Okta connector failing:` over a 401, an alert
 * card's `Connector alert: Okta`), or undefined. Read from at most HEADER_WINDOW non-blank lines
 * above the error, walking up: a line that is an error (or part of one) ends the walk; so does the
 * nearest line that mentions an app without being a label naming exactly one app by its name.
 * `isError[k]` says whether segment k is an error or an error report.
 */
export function headerHint(text: string, paste: PasteTokens, infos: readonly (WordInfo | undefined)[], segmentIndex: number, isError: readonly boolean[]): AppHint | undefined {
  let seen = 0;
  for (let k = segmentIndex - 1; k >= 0 && seen < HEADER_WINDOW; k--) {
    if (isError[k] === true) return undefined;
    const seg = paste.segments[k] as SegmentTokens;
    for (let l = seg.lines.length - 1; l >= 0 && seen < HEADER_WINDOW; l--) {
      const { line, from, to } = seg.lines[l] as SegmentTokens['lines'][number];
      seen++;
      const hints = appHintsIn(text, paste.tokens, infos, from, to);
      if (hints.length === 0) continue;
      const only = hints[0] as AppHint;
      if (hints.length === 1 && only.named && isLabelLine(line.text, to - from)) return { ...only, incidental: false };
      return undefined;
    }
  }
  return undefined;
}

/**
 * App ids that `tokens[from..to)` of `text` point at, in order of first mention, with what was
 * seen. `infos[p]`: what the index knows of `tokens[p]` (tokenInfos). `inFrame` tells which
 * offsets of `text` lie in stack frames (mentions there are incidental).
 */
export function appHintsIn(text: string, tokens: readonly Token[], infos: readonly (WordInfo | undefined)[], from: number, to: number, inFrame: (offset: number) => boolean = noFrames): AppHint[] {
  const found: AppHint[] = [];
  // A hint inside a longer one says nothing more: `outlook.office365.com` is Exchange Online's
  // host, not a mention of the `Office365` alias.
  let coveredUntil = 0;
  for (let p = from; p < to; p++) {
    const list = infos[p]?.appHints;
    if (!list) continue;
    let longest: AppHintRef | undefined;
    for (const hint of list) {
      let ok = p + hint.tokens.length <= to;
      for (let k = 1; ok && k < hint.tokens.length; k++) {
        if (tokens[p + k]?.raw !== hint.tokens[k]) {
          ok = false;
          break;
        }
      }
      if (ok && (!longest || hint.tokens.length > longest.tokens.length)) longest = hint;
    }
    if (!longest || (p < coveredUntil && p + longest.tokens.length <= coveredUntil)) continue;
    coveredUntil = Math.max(coveredUntil, p + longest.tokens.length);
    const { appId, display } = longest;
    const named = namedAt(longest, tokens, p, text, inFrame);
    let seen: AppHint | undefined;
    for (const f of found) {
      if (f.appId === appId) {
        seen = f;
        break;
      }
    }
    if (!seen) found.push({ appId, value: display, named, incidental: !named });
    else if (named) seen.named = true;
    else seen.incidental = true;
  }
  return found;
}
