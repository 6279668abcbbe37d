// Character classes and small judgements shared by the secret scanners: what a token is made of,
// what a placeholder looks like, whether a string looks random. All of them look at one string once.

import type { SecretKind } from './kinds.js';
import { codeAt } from '../chars.js';

export const REDACTED = '[REDACTED]';

/** A stretch of the text to replace, and what it held. */
export interface Span {
  start: number;
  end: number;
  kind: SecretKind;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

export function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

export function isAlnum(c: number): boolean {
  return isDigit(c) || isUpper(c) || isLower(c);
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

export function isQuote(c: number): boolean {
  return c === 34 /* " */ || c === 39 /* ' */ || c === 96 /* ` */;
}

/** Bits of CHAR_CLASS: the classes the scanners test for every character. */
const TOKEN_CHAR = 1;
const KEY_CHAR = 2;

/** The classes of every ASCII character, by code: one load per character instead of a chain of comparisons. */
const CHAR_CLASS = Uint8Array.from({ length: 128 }, (_, c) => {
  const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  const token = alnum || c === 95 /* _ */ || c === 45 /* - */ || c === 46 /* . */ || c === 126 /* ~ */ || c === 33 /* ! */ ||
    c === 47 /* / */ || c === 43 /* + */ || c === 42 /* * */ || c === 37 /* % */;
  const key = alnum || c === 95 || c === 45 || c === 46;
  return (token ? TOKEN_CHAR : 0) | (key ? KEY_CHAR : 0);
});

/** Characters of tokens and ids (base64, base64url, JWT, AAD, Salesforce and URL-escaped forms). */
export function isTokenChar(c: number): boolean {
  return c < 128 && ((CHAR_CLASS[c] as number) & TOKEN_CHAR) !== 0;
}

/** Characters of key names: `client_secret`, `x-api-key`, `spring.datasource.password`. */
export function isKeyChar(c: number): boolean {
  return c < 128 && ((CHAR_CLASS[c] as number) & KEY_CHAR) !== 0;
}

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isGuid(word: string): boolean {
  return word.length === 36 && GUID.test(word);
}

/** Words that follow `password:` or `token is` in prose and are not the secret. */
const PROSE_WORDS = new Set([
  'a', 'an', 'the', 'is', 'was', 'are', 'were', 'be', 'been', 'has', 'have', 'had', 'not', 'no', 'for', 'of', 'to',
  'in', 'on', 'and', 'or', 'with', 'from', 'by', 'at', 'as', 'it', 'this', 'that', 'your', 'my', 'our', 'their',
  'expired', 'invalid', 'required', 'missing', 'incorrect', 'wrong', 'empty', 'changed', 'reset', 'revoked',
  'must', 'should', 'will', 'cannot', 'can', 'could', 'does', 'did', 'do', 'failed', 'error', 'denied', 'rejected',
  'unknown', 'unset', 'set', 'none', 'null', 'nil', 'true', 'false', 'yes', 'undefined', 'redacted', 'hidden',
  'masked', 'omitted', 'removed', 'present', 'provided', 'supplied', 'given', 'here', 'there', 'used', 'valid',
  'authentication', 'authorization', 'token', 'password', 'secret', 'key', 'value', 'string', 'see', 'below', 'above',
]);

/** A lower-case English word that in prose follows a secret word without being the secret. */
export function isProseWord(word: string): boolean {
  return PROSE_WORDS.has(word.toLowerCase());
}

/**
 * Values that stand for a secret without being one: `$API_KEY`, `${TOKEN}`, `<token>`, `{{token}}`,
 * `%TOKEN%`, `XXXX`, `****`, `YOUR_API_KEY`, `[REDACTED]`.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  const first = codeAt(v, 0);
  if (first === 36 /* $ */ || first === 60 /* < */ || first === 91 /* [ */) return true;
  if (v.startsWith('{{') || v.startsWith('%') || v.startsWith('{$') || v.startsWith('#{')) return true;
  if (v.endsWith('...') || v.endsWith('…')) return v.length < 12;
  // One character repeated (XXXX, ****, ...., 0000), possibly with separators.
  let repeated = true;
  const c0 = codeAt(v, 0);
  for (let i = 1; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c !== c0 && c !== 45 && c !== 95 && c !== 46) {
      repeated = false;
      break;
    }
  }
  if (repeated) return true;
  if (isDocumentationSample(v)) return true;
  const lower = v.toLowerCase();
  if (lower.startsWith('your') || lower.startsWith('my_') || lower.includes('placeholder') || lower.includes('changeme') || lower.startsWith('replace')) {
    // `your-api-key`, `YOUR_TOKEN_HERE`; not a random value that merely begins with "your".
    return !hasDigit(v) || v.length < 24;
  }
  // An environment-variable name (API_KEY, SLACK_BOT_TOKEN): capitals and underscores only.
  if (/^[A-Z][A-Z_]{2,60}$/.test(v) && v.includes('_')) return true;
  return false;
}

function hasDigit(word: string): boolean {
  for (let i = 0; i < word.length; i++) if (isDigit(word.charCodeAt(i))) return true;
  return false;
}

/** Counts of character classes in a word. */
export interface Classes {
  upper: number;
  lower: number;
  digit: number;
  other: number;
  /** Changes between upper, lower and digit from one character to the next. */
  switches: number;
}

/** classesOf's class of each ASCII code: 0 upper, 1 lower, 2 digit, 3 anything else. */
const CLASS_OF = Uint8Array.from({ length: 128 }, (_, c) => (isUpper(c) ? 0 : isLower(c) ? 1 : isDigit(c) ? 2 : 3));

export function classesOf(word: string): Classes {
  const out: Classes = { upper: 0, lower: 0, digit: 0, other: 0, switches: 0 };
  let previous = -1;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    const cls = c < 128 ? (CLASS_OF[c] as number) : 3;
    if (cls === 0) out.upper++;
    else if (cls === 1) out.lower++;
    else if (cls === 2) out.digit++;
    else out.other++;
    if (cls !== 3 && previous !== -1 && previous !== cls) out.switches++;
    if (cls !== 3) previous = cls;
  }
  return out;
}

/** Scratch counts for `entropy` (ASCII); reset after each use, so the function stays pure. */
const COUNTS = new Int32Array(128);

/** Shannon entropy of the word's characters, in bits per character. */
export function entropy(word: string): number {
  let other: Map<number, number> | undefined;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 128) COUNTS[c] = (COUNTS[c] ?? 0) + 1;
    else (other ??= new Map()).set(c, (other.get(c) ?? 0) + 1);
  }
  let h = 0;
  const add = (n: number): void => {
    const p = n / word.length;
    h -= p * Math.log2(p);
  };
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 128 && (COUNTS[c] ?? 0) > 0) {
      add(COUNTS[c] ?? 0);
      COUNTS[c] = 0;
    }
  }
  if (other) for (const n of other.values()) add(n);
  return h;
}

/**
 * Words run together rather than random characters: `SlackAppConfigurationAccessTokenHere`,
 * `InvalidAccessKeyId`, `getPagesInConfluenceSpace`. Letters only, mostly lower case, with the
 * vowels of words: random letters have long consonant clusters (`xxsrXxhhzb`), words do not.
 */
export function isIdentifierLike(word: string): boolean {
  let letters = 0;
  let lower = 0;
  let vowels = 0;
  let cluster = 0;
  // Word starts: the first letter, a capital after a small letter (`keyId`), the last capital of
  // an acronym before small letters (`AWSAccess`). Words average four letters or more.
  let starts = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (isDigit(c)) return false;
    if (!isUpper(c) && !isLower(c)) {
      cluster = 0;
      continue;
    }
    const prev = codeAt(word, i - 1);
    const next = codeAt(word, i + 1);
    if (letters === 0 || (isUpper(c) && (isLower(prev) || (isUpper(prev) && isLower(next))))) starts++;
    letters++;
    if (isLower(c)) lower++;
    const l = c | 32;
    if (l === 97 || l === 101 || l === 105 || l === 111 || l === 117) {
      vowels++;
      cluster = 0;
    } else if (l === 121) {
      cluster = 0; // y ends a cluster as a vowel would (`AppType`, `KeyId`)
    } else if (++cluster > 4) {
      return false;
    }
  }
  return letters >= 8 && lower * 2 >= letters && vowels * 4 >= letters && letters >= starts * 4;
}

/**
 * A value written for documentation in a secret's shape: one letter repeated (`AIzaaaaaaaa...`,
 * `github_pat_xxxx..._xxxx...`), or AWS's published examples (`AKIAIOSFODNN7EXAMPLE`,
 * `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`).
 */
export function isDocumentationSample(word: string): boolean {
  if (word.length < 16) return false;
  if (word.includes('EXAMPLE')) return true;
  let pieceStart = 0;
  for (let i = 0; i <= word.length; i++) {
    if (i === word.length || !isAlnum(codeAt(word, i))) {
      // A piece of letters filled with one to three characters (`xxxxxxxx`); numbers repeat digits anyway.
      const piece = word.slice(pieceStart, i);
      if (piece.length >= 12 && /[A-Za-z]/.test(piece) && isLowVariety(piece, 4)) return true;
      pieceStart = i + 1;
    }
  }
  return isLowVariety(word, 8);
}

/** Few distinct characters (`xxxxxxxx`, `AKIAXXXXXXXXXXXXXXXX`, `AAA0Q~AAAA...`): a placeholder, not a key. */
export function isLowVariety(word: string, atLeast = 8): boolean {
  const seen = new Set<number>();
  for (let i = 0; i < word.length && seen.size < atLeast; i++) seen.add(word.charCodeAt(i));
  return seen.size < atLeast;
}

/** A run of plain words among the word's alphanumeric pieces (`xoxe.xoxp-1-SlackAppConfigurationToken`). */
function hasWordyPiece(word: string): boolean {
  let start = 0;
  for (let i = 0; i <= word.length; i++) {
    if (i === word.length || !isAlnum(codeAt(word, i))) {
      if (i - start >= 12 && isIdentifierLike(word.slice(start, i))) return true;
      start = i + 1;
    }
  }
  return false;
}

/**
 * A name written in CamelCase, letters only: `HttpRequestFailure`, `AuthFatalFailureException`,
 * `AWSAccessKeyId`, `getPagesInConfluenceSpace`. Its humps are words (a capital and small letters,
 * or a short acronym before one) with the vowels of words and no long consonant cluster; random
 * letters split into one-letter humps, long acronyms or clusters (`xxsrXxhhzb`, `QADZAce`).
 */
function isCamelCaseName(word: string): boolean {
  let humps = 0;
  let acronyms = 0;
  let wordLetters = 0;
  let vowels = 0;
  let lower = 0;
  let i = 0;
  while (i < word.length) {
    const c = word.charCodeAt(i);
    if (!isUpper(c) && !isLower(c)) return false;
    let capitals = 0;
    while (i + capitals < word.length && isUpper(codeAt(word, i + capitals))) capitals++;
    const afterCapitals = i + capitals;
    if (capitals >= 2) {
      // An acronym: the capitals but the last, when small letters follow (`AWSAccess`), else all of them.
      const length = afterCapitals < word.length && isLower(word.charCodeAt(afterCapitals)) ? capitals - 1 : capitals;
      if (length >= 2) {
        if (length > 5 || ++acronyms > 2) return false;
        humps++;
        i += length;
        continue;
      }
    }
    // A word: at most one capital, then small letters.
    let end = i + Math.min(capitals, 1);
    let cluster = 0;
    while (end < word.length && isLower(word.charCodeAt(end))) {
      const l = codeAt(word, end);
      if (l === 97 || l === 101 || l === 105 || l === 111 || l === 117 || l === 121) {
        vowels++;
        cluster = 0;
      } else if (++cluster > 4) {
        return false;
      }
      end++;
    }
    const length = end - i;
    if (length < 2) return false;
    if (capitals > 0) {
      const first = codeAt(word, i) | 32;
      if (first === 97 || first === 101 || first === 105 || first === 111 || first === 117 || first === 121) vowels++;
    }
    lower += length - Math.min(capitals, 1);
    wordLetters += length;
    humps++;
    i = end;
  }
  return humps >= 2 && acronyms * 2 < humps && word.length >= humps * 3 && vowels * 10 >= wordLetters * 3 && lower * 2 >= word.length;
}

/** Strictness of `looksRandom`: next to a secret word a shorter, plainer string is enough. */
export type Evidence = 'context' | 'alone';

/**
 * True when a word looks like a generated secret rather than a name, a path, a number or an id
 * format we know (GUIDs). `context`: a secret word stands right before it; `alone`: nothing does.
 */
export function looksRandom(word: string, evidence: Evidence): boolean {
  const min = evidence === 'context' ? 16 : 32;
  if (word.length < min || word.length > 8192) return false;
  // Cheap tests first: most words fail on their character classes.
  const k = classesOf(word);
  const letters = k.upper + k.lower;
  if (letters === 0) return false; // a number
  const alnum = letters + k.digit;
  if (alnum < word.length * 0.75) return false; // a path, a sentence, a dotted name
  if (evidence === 'alone') {
    // Three classes and many switches between them: camelCase names and hex hashes do not qualify.
    if (k.upper === 0 || k.lower === 0 || k.digit === 0 || k.switches < word.length / 4) return false;
  } else {
    const mixed = (k.digit > 0 && letters > 0) || (k.upper > 0 && k.lower > 0 && k.switches >= word.length / 4);
    // A hex or base32 run is random with only 16 or 32 symbols, so the bar is switches, not entropy.
    if (!mixed || k.switches < word.length / 8) return false;
  }
  if (/\s/.test(word) || isGuid(word) || isPlaceholder(word) || hasWordyPiece(word) || isCamelCaseName(word)) return false;
  return entropy(word) >= (evidence === 'alone' ? 4.0 : 3.0);
}
