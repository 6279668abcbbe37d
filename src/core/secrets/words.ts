// Secrets recognised as words of the text: by their own shape (also when glued to `/` or `%2F`),
// after an authentication scheme (`Bearer x`, `SSWS x`), and as long random strings, either next to
// a secret word ("Zendesk token 6wiIBW...") or, longer and more random still, on their own.

import { mayNameSecret, secretKeyOf } from './keys.js';
import { classifyToken, hasShapePrefix } from './shapes.js';
import type { SecretKind } from './kinds.js';
import { classesOf, isAlnum as isAlnumImport, isPlaceholder, isProseWord, isQuote as isQuoteImport, isSpace as isSpaceImport, isTokenChar as isTokenCharImport, looksRandom, type Span } from './text.js';
import { codeAt } from '../chars.js';

// Hot-loop tests bound once: tsx and vitest turn imported functions into getters, which cost
// about a fifth of a scan when called for every character.
const isAlnum = isAlnumImport;
const isQuote = isQuoteImport;
const isSpace = isSpaceImport;
const isTokenChar = isTokenCharImport;

/** Words after which the next word is a credential. */
const SCHEMES: Record<string, SecretKind> = { bearer: 'bearer-token', ssws: 'okta-token', basic: 'bearer-token' };
/** Secret words that `secretKeyOf` does not know as key names. */
const CONTEXT_WORDS = new Set(['bearer', 'ssws', 'apikey', 'api-key', 'sas', 'pat', 'secrets', 'tokens', 'passwords', 'keys']);
/** How many words back a secret word still speaks for a random string. */
const CONTEXT_WORDS_BACK = 4;
/** How many `/`-separated pieces one glued base64 token may span. */
const MAX_GLUED_PIECES = 16;

interface Word {
  start: number;
  end: number;
  /** May name a password (`pass`, `pw` in it): worth asking `isPasswordWord`. */
  pw?: boolean;
  /** A field's value (`api_key=<your-api-key>`): it speaks for no word after it, whatever it says. */
  value?: boolean;
}

/** `pass` or `pw` somewhere in the word, any case; no allocation. */
function mentionsPassword(text: string, start: number, end: number): boolean {
  // (`end` is within the text: both reads are inside it.)
  for (let k = start; k + 1 < end; k++) {
    if ((text.charCodeAt(k) | 32) !== 112) continue;
    const next = text.charCodeAt(k + 1) | 32;
    if (next === 97 || next === 119) return true;
  }
  return false;
}

/** `abc/ghp_...`, `state%2Fghp_...`: the pieces of a word between `/` and URL-escaped separators. */
function pieces(word: string): Word[] {
  const out: Word[] = [];
  let start = 0;
  for (let i = 0; i <= word.length; i++) {
    let sep = 0;
    if (i === word.length) sep = 1;
    else if (codeAt(word, i) === 47 /* / */ && !(i === start + 1 && word.startsWith('1//', start))) sep = 1;
    else if (codeAt(word, i) === 47) i++; // Google's `1//` prefix is one piece
    else if (codeAt(word, i) === 37 /* % */ && /^%(?:2F|3D|3A|40|2C|3F|26)$/i.test(word.slice(i, i + 3))) sep = 3;
    if (sep) {
      if (i > start) out.push({ start, end: i });
      start = i + sep;
      i += sep - 1;
    }
  }
  return out;
}

/** Base64 with `/` can be a secret; a path is not: every piece must itself look generated. */
function randomPieces(word: string): boolean {
  if (!word.includes('/')) return true;
  if (word.includes('//')) return false;
  for (const piece of word.split('/')) {
    if (piece.length < 2) return false;
    const k = classesOf(piece);
    const kinds = (k.upper > 0 ? 1 : 0) + (k.lower > 0 ? 1 : 0) + (k.digit > 0 ? 1 : 0);
    if (kinds < 2) return false;
  }
  return true;
}

/** A piece of base64 rather than a path segment: mixed character classes, not a word. */
function looksGenerated(piece: string): boolean {
  if (isProseWord(piece)) return false;
  const k = classesOf(piece);
  return (k.upper > 0 ? 1 : 0) + (k.lower > 0 ? 1 : 0) + (k.digit > 0 ? 1 : 0) >= 2 || k.other > 0 || (piece.length <= 4 && k.lower < piece.length);
}

/** A name people write (`password`, `api_token2`, `--client-secret`), not a random string that splits into name-like bits. */
function isNameLike(word: string): boolean {
  return word.length <= 48 && /^[-]{0,2}[A-Za-z][A-Za-z_.-]*[0-9]*$/.test(word);
}

function isContextWord(word: string): boolean {
  if (!mayNameSecret(word) || !isNameLike(word)) return false;
  return CONTEXT_WORDS.has(word.toLowerCase()) || secretKeyOf(word) !== undefined;
}

/** `password`, `DB_PASSWORD`, `pwd`: a word after which a short value in prose is a password. */
function isPasswordWord(word: string): boolean {
  const lower = word.toLowerCase();
  return (lower.includes('pass') || lower.includes('pw')) && isNameLike(word) && secretKeyOf(word)?.kind === 'password';
}

/** A secret word among the recent words (a field's value speaks for nothing after it). */
function hasContextWord(text: string, recent: readonly Word[]): boolean {
  for (const w of recent) if (!w.value && isContextWord(text.slice(w.start, w.end))) return true;
  return false;
}

function mayNamePassword(recent: readonly Word[]): boolean {
  for (const w of recent) if (w.pw) return true;
  return false;
}

export function scanWords(text: string, spans: Span[]): void {
  const recent: Word[] = [];
  let publicValue = false;
  // The word just read was a field's name (`token:`, `api_key=`): the next word is its value.
  let valueNext = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (recent.length > 0) recent.length = 0; // context does not cross lines
      valueNext = false;
      i++;
      continue;
    }
    if (!isTokenChar(c)) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
    const runEnd = i;
    // Base64 padding belongs to the word (`...==`, `...=/path`); `name=value` is an assignment.
    let pad = i;
    while (pad < text.length && text.charCodeAt(pad) === 61 /* = */) pad++;
    const after = codeAt(text, pad);
    const longRun = runEnd - start >= 16;
    if (pad > i && (pad - i >= 2 || !(isAlnum(after) || after === 95 || after === 45 || (!longRun && isQuote(after))))) i = pad;
    let end = i;
    // A sentence may end right after a token.
    while (end > start && (codeAt(text, end - 1) === 46 || codeAt(text, end - 1) === 33 || codeAt(text, end - 1) === 42)) end--;
    // Atlassian tokens end in `=` and a checksum: `ATATT3...=C7892A61` (maybe glued to a path).
    if (codeAt(text, i) === 61 && end === i && i - start >= 20) {
      let k = i + 1;
      while (k < text.length && isAlnum(text.charCodeAt(k))) k++;
      let from = i;
      while (from > start && codeAt(text, from - 1) !== 47) from--;
      if (k > i + 1 && classifyToken(text.slice(from, k))) {
        i = k;
        end = k;
      }
    }
    // An unsigned JWT ends in its (empty) signature's dot.
    // (classifyToken knows no shape under 20 characters: shorter words are not cut out to ask.)
    if (end < i && codeAt(text, end) === 46 && end + 1 - start >= 20 && classifyToken(text.slice(start, end + 1)) === 'jwt') end++;
    // Most words are short and plain: no slice, no classification.
    const word = end - start >= 8 ? text.slice(start, end) : '';
    const kind = word ? classifyWord(text, word, start, recent, spans, publicValue) : undefined;
    const password = mayNamePassword(recent) ? passwordAfter(text, start, recent) : undefined;
    if (password && password >= end) {
      spans.push({ start, end: password, kind: kind && kind !== 'random-secret' ? kind : 'password' });
      i = Math.max(i, password);
    } else if (kind) spans.push({ start, end, kind });
    publicValue = false;
    const field = startsAnotherField(text, start, runEnd);
    // Right after a secret key, `<your-api-key>` is the key's value (a placeholder), not a tag.
    const isValue: boolean = valueNext && (!field || codeAt(text, start - 1) === 60);
    const key: boolean = field && !isValue && isContextWord(text.slice(start, runEnd));
    if (field && !isValue && !key) {
      // `</AWSAccessKeyId><RequestId>...`, `&client_id=...`: a new field, whose value the secret word
      // before it does not describe. A field named public (`publicToken`, `publishable_key`) holds
      // a random value that is meant to be seen.
      if (recent.length > 0) recent.length = 0;
      publicValue = /public/i.test(text.slice(start, end));
      valueNext = false;
      continue;
    }
    if (isValue) {
      // The field's value, judged above with its key as context. The key speaks for nothing after
      // it, nor does the value (`api_key=<your-api-key> HttpRequestFailure`, `token: ${{ secrets.X }} ...`).
      recent.length = 0;
      recent.push({ start, end: Math.min(end, runEnd), value: true });
      valueNext = false;
    } else {
      recent.push({ start, end: Math.min(end, runEnd), pw: mentionsPassword(text, start, end) });
      valueNext = key;
    }
    if (recent.length > CONTEXT_WORDS_BACK) recent.shift();
    // "API token expired. HttpRequestFailure: ...": a secret word speaks for its own sentence only.
    if (recent.length > 0 && endsSentence(text, end)) recent.length = 0;
  }
}

/**
 * Sentence punctuation (`.`, `!`, `?`, `;`, maybe before a closing quote or bracket) right after a
 * word, then a space or the line's end: what follows is another sentence. Reads a few characters.
 */
function endsSentence(text: string, at: number): boolean {
  let k = at;
  let stop = false;
  while (k < text.length && k - at < 4) {
    const c = codeAt(text, k);
    if (c === 46 || c === 33 || c === 63 || c === 59) stop = true;
    else if (!(c === 41 || c === 93 || c === 34 || c === 39)) break;
    k++;
  }
  if (!stop) return false;
  const c = codeAt(text, k);
  return k >= text.length || isSpace(c) || c === 10 || c === 13;
}

/** Words between a password word and the password in prose: "password is X", "password: X". */
const LINKING_WORDS = new Set(['is', 'was', 'now', 'still', 'be', 'to', 'temporary', 'new', 'old']);

function onlySpacesBetween(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!isSpace(codeAt(text, k))) return false;
  return true;
}

/**
 * "temporary password Winter1!Glacier08!", "the password is Orbit3#Meadow149": a password in prose
 * is short and holds symbols a word does not, so it is read to the next space. Returns its end.
 */
function passwordAfter(text: string, start: number, recent: Word[]): number | undefined {
  let gapEnd = start;
  let found = false;
  for (let k = recent.length - 1, hops = 0; hops < 3 && k >= 0 && !found; hops++, k--) {
    const w = recent[k] as Word;
    if (!onlySpacesBetween(text, w.end, gapEnd)) return undefined;
    const word = text.slice(w.start, w.end);
    found = isPasswordWord(word);
    if (!found && !LINKING_WORDS.has(word.toLowerCase())) return undefined;
    gapEnd = w.start;
  }
  if (!found) return undefined;
  let end = start;
  while (end < text.length && end - start < 128 && !isSpace(text.charCodeAt(end)) && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
  // Sentence punctuation and closing quotes after it are not part of it.
  while (end > start && /[.,;:?)"'`\]}>]/.test(text[end - 1] ?? '')) end--;
  const value = text.slice(start, end);
  if (value.length < 6 || value.length > 64 || isPlaceholder(value) || isProseWord(value) || value.includes('://') || value.startsWith('-')) return undefined;
  // `<Password encrypted="false">...`: an attribute of a tag named password, not a password (the
  // pair scanner reads the element's content).
  if (/^[A-Za-z_][\w.:-]*=["']/.test(value)) return undefined;
  const k2 = classesOf(value);
  if (k2.upper + k2.lower === 0) return undefined;
  if (k2.digit === 0 && k2.other === 0) return undefined; // a plain word
  if (k2.lower === 0 && k2.other === 0) return undefined; // an error code (AADSTS50126, E0000011)
  return end;
}

/** A key of its own (`name:`, `name=`, `"name":`, `<name>`) or a closing tag (`</name>`). */
function startsAnotherField(text: string, start: number, end: number): boolean {
  if (codeAt(text, start) === 47 && codeAt(text, start - 1) === 60) return true;
  let k = end;
  if (isQuote(codeAt(text, k))) k++;
  while (k < text.length && k - end < 3 && isSpace(text.charCodeAt(k))) k++;
  const c = codeAt(text, k);
  return c === 58 /* : */ || c === 61 /* = */ || (c === 62 /* > */ && codeAt(text, start - 1) === 60);
}

function unpadded(word: string): string {
  const shaped = classifyToken(word);
  if (shaped) return word;
  let e = word.length;
  while (e > 0 && codeAt(word, e - 1) === 61) e--;
  return word.slice(0, e);
}

function classifyWord(text: string, word: string, start: number, recent: Word[], spans: Span[], publicValue: boolean): SecretKind | undefined {
  if (word.length < 8) return undefined;
  const shaped = classifyToken(word) ?? (word.endsWith('=') ? classifyToken(unpadded(word)) : undefined);
  if (shaped) return shaped;
  if (codeAt(word, 0) === 47) {
    // `/AKIA...`, `//<base64>@host`: the slashes before a token are the path's, not the token's.
    let k = 0;
    while (codeAt(word, k) === 47) k++;
    const rest = word.slice(k);
    const restKind = classifyToken(rest) ?? classifyToken(unpadded(rest));
    if (restKind) {
      spans.push({ start: start + k, end: start + word.length, kind: restKind });
      return undefined;
    }
  }
  if (word.length >= 20 && (word.includes('/') || word.includes('%'))) {
    // `/repos/x/ghp_...`, `state%2Fghp_...`: a token glued to a path or an escaped URL.
    let found = false;
    const parts = pieces(word);
    // Extension attempts per word, proportional to its length: `1//1//1//...` stays linear.
    let budget = 32 + (word.length >> 4);
    for (let p = 0; p < parts.length; p++) {
      const piece = parts[p] as Word;
      const text0 = word.slice(piece.start, piece.end);
      let best = classifyToken(unpadded(text0)) ? { end: piece.end, last: p, kind: classifyToken(unpadded(text0)) as SecretKind } : undefined;
      if ((best || hasShapePrefix(text0)) && budget > 0) {
        // A base64 token holds `/` itself: it runs on over the next pieces while they look generated
        // (`items/ABSK...d/JAab.../status`: `JAab...` is the token's, `status` the path's).
        for (let q = p + 1; q < parts.length && q - p <= MAX_GLUED_PIECES; q++) {
          const nextPiece = parts[q] as Word;
          if (codeAt(word, nextPiece.start - 1) !== 47 || !looksGenerated(word.slice(nextPiece.start, nextPiece.end))) break;
          budget--;
          const kind = classifyToken(unpadded(word.slice(piece.start, nextPiece.end)));
          if (kind) best = { end: nextPiece.end, last: q, kind };
          else if (best) break;
        }
      }
      if (!best) continue;
      spans.push({ start: start + piece.start, end: start + best.end, kind: best.kind });
      found = true;
      p = best.last;
    }
    if (!found && word.endsWith('=')) {
      // A padded base64 key with `/` in it, glued to a path (`/items/<key>==`): the word's last pieces.
      const last = parts.length - 1;
      for (let q = last; q >= 0 && last - q < MAX_GLUED_PIECES; q--) {
        // The key may itself begin with `/` (`items//d7qH...==`): try with the slash before the piece too.
        for (const from of [(parts[q] as Word).start, (parts[q] as Word).start - 1]) {
          const kind = from >= 0 ? classifyToken(word.slice(from)) : undefined;
          if (kind) {
            spans.push({ start: start + from, end: start + word.length, kind });
            return undefined;
          }
        }
      }
    }
    // An escaped URL is judged by its pieces only.
    if (found || word.includes('%')) return undefined;
  }

  const previous = recent[recent.length - 1];
  const previousLength = previous ? previous.end - previous.start : 0;
  if (previous && previousLength >= 4 && previousLength <= 6) {
    // `Bearer <token>` / `SSWS <token>` / `Basic <base64>`: only spaces between the scheme and the token.
    let gapOnlySpaces = true;
    for (let k = previous.end; k < start; k++) {
      if (!isSpace(codeAt(text, k))) {
        gapOnlySpaces = false;
        break;
      }
    }
    const scheme = gapOnlySpaces ? SCHEMES[text.slice(previous.start, previous.end).toLowerCase()] : undefined;
    if (scheme && !isPlaceholder(word) && !isProseWord(word) && !/^[a-z]+$/.test(word)) {
      if (text.slice(previous.start, previous.end).toLowerCase() !== 'basic' || /^[A-Za-z0-9+/]+=*$/.test(word)) return scheme;
    }
  }
  if (word.length < 16 || publicValue || !randomPieces(word)) return undefined;
  if (looksRandom(word, 'alone')) return 'random-secret';
  // Both tests are pure: the secret word nearby is asked first, as it is missing for nearly every word.
  if (hasContextWord(text, recent) && looksRandom(word, 'context')) return 'random-secret';
  return undefined;
}
