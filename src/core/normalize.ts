// Turns whatever people paste (Teams message HTML, plain text, Windows line endings, smart quotes)
// into plain text lines. A hand-written scanner: one pass, no regular expression on user text.

import { codeAt } from './chars.js';

/** Block-level tags whose boundaries become line breaks. */
const BREAK_TAGS = new Set([
  'p', 'div', 'br', 'li', 'tr', 'pre', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'ul', 'ol',
  'table', 'tbody', 'thead', 'codeblock',
]);
/** Inline tags that are dropped, keeping their content. */
const INLINE_TAGS = new Set([
  'span', 'code', 'b', 'i', 'u', 's', 'em', 'strong', 'a', 'font', 'sup', 'sub', 'del', 'ins', 'td', 'th',
  'img', 'emoji', 'attachment', 'strike', 'small', 'big', 'mark', 'samp', 'kbd', 'tt', 'systemcard', 'meta',
]);
/** Tags whose content is dropped too: mentions of the bot or people carry no error text. */
const DROP_CONTENT_TAGS = new Set(['at', 'style', 'script']);

// A Map, not an object: `&constructor;` must not find Object's own properties.
const NAMED_ENTITIES = new Map<string, string>(Object.entries({
  quot: '"', amp: '&', lt: '<', gt: '>', apos: "'", nbsp: ' ', hellip: '…', ndash: '-', mdash: '-',
  lsquo: "'", rsquo: "'", ldquo: '"', rdquo: '"', laquo: '"', raquo: '"', copy: '©', reg: '®', trade: '™',
  tab: '\t', newline: '\n', colon: ':', sol: '/', bsol: '\\', lbrace: '{', rbrace: '}', lbrack: '[',
  rbrack: ']', comma: ',', period: '.', excl: '!', num: '#', dollar: '$', percnt: '%', ast: '*',
  equals: '=', quest: '?', commat: '@', lpar: '(', rpar: ')', plus: '+', semi: ';', vert: '|', grave: '`',
  tilde: '~', lowbar: '_', hyphen: '-', zwsp: '', shy: '',
}));

/** Longest tag we are willing to scan for its closing `>` (bounds the work per `<`). */
const MAX_TAG_LENGTH = 2048;
/** Longest entity (`&#x1F600;`, `&hellip;`). */
const MAX_ENTITY_LENGTH = 12;

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** True when the text looks like Teams HTML rather than plain text that happens to contain `<`. */
function looksLikeHtml(text: string): boolean {
  // Every marker below holds `<` or `&`.
  if (!text.includes('<') && !text.includes('&')) return false;
  const lower = text.slice(0, 4096).toLowerCase();
  return (
    lower.includes('<p>') || lower.includes('<p ') || lower.includes('<div') || lower.includes('<br') ||
    lower.includes('<at') || lower.includes('<span') || lower.includes('<pre') || lower.includes('<code') ||
    lower.includes('&quot;') || lower.includes('&amp;') || lower.includes('&lt;') || lower.includes('&#')
  );
}

interface TagInfo {
  name: string;
  closing: boolean;
  /** Index just after the tag's `>`. */
  end: number;
}

/** Reads a tag starting at `<` at index `start`; undefined when it is not a tag we know. */
function readTag(text: string, start: number): TagInfo | undefined {
  let i = start + 1;
  let closing = false;
  if (codeAt(text, i) === 47 /* / */) {
    closing = true;
    i++;
  }
  const nameStart = i;
  while (i < text.length && i - nameStart < 16 && (isAsciiLetter(text.charCodeAt(i)) || isAsciiDigit(text.charCodeAt(i)))) i++;
  const name = text.slice(nameStart, i).toLowerCase();
  if (!BREAK_TAGS.has(name) && !INLINE_TAGS.has(name) && !DROP_CONTENT_TAGS.has(name)) return undefined;
  const next = codeAt(text, i);
  // `<p>`, `<p class=..>`, `<br/>`; not `<pre_x` or `<p2`.
  if (!(next === 62 || next === 32 || next === 47 || next === 9 || next === 10 || next === 13)) return undefined;
  const limit = Math.min(text.length, start + MAX_TAG_LENGTH);
  let quote = 0;
  for (; i < limit; i++) {
    const c = codeAt(text, i);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) {
      quote = c;
    } else if (c === 62 /* > */) {
      return { name, closing, end: i + 1 };
    }
  }
  return undefined;
}

/** Decodes one entity at `&` (index `start`); undefined when it is not one. */
function readEntity(text: string, start: number): { value: string; end: number } | undefined {
  const limit = Math.min(text.length, start + MAX_ENTITY_LENGTH);
  let i = start + 1;
  if (codeAt(text, i) === 35 /* # */) {
    i++;
    let hex = false;
    if (codeAt(text, i) === 120 || codeAt(text, i) === 88) {
      hex = true;
      i++;
    }
    const digitsStart = i;
    while (i < limit) {
      const c = codeAt(text, i);
      const ok = isAsciiDigit(c) || (hex && ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)));
      if (!ok) break;
      i++;
    }
    if (i === digitsStart || codeAt(text, i) !== 59 /* ; */) return undefined;
    const code = Number.parseInt(text.slice(digitsStart, i), hex ? 16 : 10);
    if (!Number.isFinite(code) || code < 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    return { value: String.fromCodePoint(code), end: i + 1 };
  }
  const nameStart = i;
  while (i < limit && (isAsciiLetter(codeAt(text, i)) || isAsciiDigit(codeAt(text, i)))) i++;
  if (codeAt(text, i) !== 59) return undefined;
  const value = NAMED_ENTITIES.get(text.slice(nameStart, i).toLowerCase());
  if (value === undefined) return undefined;
  return { value, end: i + 1 };
}

/** Strips the tags we know and decodes entities; unknown `<...>` stays as text (think `List<String>`). */
function htmlToText(text: string): string {
  const out: string[] = [];
  let dropDepth = 0;
  let i = 0;
  let runStart = 0;
  const flush = (end: number): void => {
    if (dropDepth === 0 && end > runStart) out.push(text.slice(runStart, end));
  };
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 60 /* < */) {
      const tag = readTag(text, i);
      if (tag) {
        flush(i);
        if (DROP_CONTENT_TAGS.has(tag.name)) {
          dropDepth = tag.closing ? Math.max(0, dropDepth - 1) : dropDepth + 1;
        } else if (dropDepth === 0 && BREAK_TAGS.has(tag.name)) {
          // An opening <p>/<div> only breaks the line if something precedes it on the line.
          if (tag.closing || tag.name === 'br' || tag.name === 'hr') out.push('\n');
          else if (out.length > 0 && !out[out.length - 1]?.endsWith('\n')) out.push('\n');
        } else if (dropDepth === 0 && (tag.name === 'td' || tag.name === 'th') && !tag.closing) {
          out.push(' ');
        }
        i = tag.end;
        runStart = i;
        continue;
      }
    }
    i++;
  }
  flush(text.length);
  return decodeEntities(out.join(''));
}

/** Decodes HTML entities (`&quot;`, `&amp;`, `&#123;`, `&#x7B;`); one pass, so `&amp;quot;` stays `&quot;`. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  const out: string[] = [];
  let runStart = 0;
  let i = text.indexOf('&');
  while (i !== -1) {
    const entity = readEntity(text, i);
    if (entity) {
      out.push(text.slice(runStart, i), entity.value);
      runStart = entity.end;
      i = text.indexOf('&', entity.end);
    } else {
      i = text.indexOf('&', i + 1);
    }
  }
  out.push(text.slice(runStart));
  return out.join('');
}

/** Folds characters that differ between paste sources: smart quotes, odd spaces, zero-width chars. */
function foldCharacters(text: string): string {
  let out = '';
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let replacement: string | undefined;
    switch (c) {
      case 0x0d: // \r\n -> \n, lone \r -> \n
        replacement = codeAt(text, i + 1) === 0x0a ? '' : '\n';
        break;
      case 0x2018: case 0x2019: case 0x201a: case 0x2032:
        replacement = "'";
        break;
      case 0x201c: case 0x201d: case 0x201e: case 0x2033:
        replacement = '"';
        break;
      case 0x00a0: case 0x2007: case 0x202f: case 0x2002: case 0x2003: case 0x2009: case 0x3000: case 0x0b: case 0x0c:
        replacement = ' ';
        break;
      case 0x200b: case 0x200c: case 0x200d: case 0xfeff: case 0x00ad: case 0x00:
        replacement = '';
        break;
      case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2212:
        replacement = '-';
        break;
      default:
        break;
    }
    if (replacement !== undefined) {
      out += text.slice(runStart, i) + replacement;
      runStart = i + 1;
    }
  }
  return runStart === 0 ? text : out + text.slice(runStart);
}

/**
 * Plain text of a paste: Teams HTML tags stripped (`<at>` mentions dropped with their content),
 * entities decoded, line endings unified, smart quotes and odd spaces folded, trailing spaces
 * trimmed and runs of blank lines collapsed to one.
 */
export function normalize(text: string): string {
  if (typeof text !== 'string' || text.length === 0) return '';
  const html = looksLikeHtml(text);
  const plain = html ? htmlToText(text) : text;
  // In HTML outside code blocks, leading spaces (often an &nbsp; after a mention) mean nothing;
  // in plain text and code blocks they mark stack frames and JSON bodies.
  const lower = html ? text.toLowerCase() : '';
  const keepIndent = !html || lower.includes('<pre') || lower.includes('<codeblock');
  const folded = foldCharacters(plain);
  const lines = folded.split('\n');
  const out: string[] = [];
  let blank = 0;
  for (const raw of lines) {
    const line = keepIndent ? raw.trimEnd() : raw.trim();
    if (line.trim().length === 0) {
      blank++;
      continue;
    }
    if (blank > 0 && out.length > 0) out.push('');
    blank = 0;
    out.push(line);
  }
  return out.join('\n');
}
