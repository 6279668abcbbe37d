// Secrets named by the key in front of them, in the syntaxes people paste: `key=value`, `key: value`,
// `"key":"value"` (escaped JSON too), `:=`, `::=`, `=>`, `?=`, `+=`, typed declarations, XML elements,
// `setProperty("X_TOKEN", "...")`, name/value records (`{"name":"x_token","value":"..."}`, `<add key=
// "ApiToken" value="..."/>`, Kubernetes `- name: X_TOKEN` / `value:`) and YAML block scalars.
// One forward pass: the scan resumes after each value it reads.

import { mayNameSecret, secretKeyOf, type SecretKey } from './keys.js';
import { classifyToken } from './shapes.js';
import { REDACTED, isDigit, isKeyChar as isKeyCharImport, isProseWord, isPlaceholder, isQuote as isQuoteImport, isSpace as isSpaceImport, looksRandom, type Span } from './text.js';
import { isYamlKeyLine, readBlockScalar, readQuoted, readUnquoted, readYamlPlain, type Value } from './values.js';
import { codeAt } from '../chars.js';

// Hot-loop tests bound once: tsx and vitest turn imported functions into getters, which cost
// about a fifth of a scan when called for every character.
const isKeyChar = isKeyCharImport;
const isQuote = isQuoteImport;
const isSpace = isSpaceImport;

/** Keys whose value names another field: `{"name": "x_token", "value": "..."}`. */
const NAMING_KEYS = new Set(['name', 'key', 'id', 'paramname', 'parametername', 'parameterkey', 'settingname', 'variable', 'envvar', 'property', 'propertyname', 'field', 'fieldname']);
/** Keys holding the value of the field named just before. */
const VALUE_KEYS = new Set(['value', 'val', 'data', 'content', 'parametervalue', 'settingvalue', 'secretvalue', 'propertyvalue', 'fieldvalue']);
/** Type names in `token string = "..."` (Go) declarations. */
const TYPE_WORDS = new Set(['string', 'str', 'String', 'var', 'val', 'const', 'let', '[]byte', 'char*', '*string', '&str', 'SecureString']);
/** First characters of the type words, to skip the check for every other word followed by a space. */
const TYPE_STARTS = 'sSvcl[*&';
/** Their lengths: a word of another length is not cut out to be looked up. */
const TYPE_WORD_LENGTHS = new Set([...TYPE_WORDS].map((w) => w.length));

/** Characters of a type annotation: `string`, `Optional[str]`, `Map<K, V>`, `&str`, `String?`. */
function isTypeChar(c: number): boolean {
  return isKeyChar(c) || c === 60 || c === 62 || c === 91 || c === 93 || c === 63 || c === 124 || c === 38 || c === 42;
}

/** How far a name/value record's value may follow its name. */
const NAMING_WINDOW = 400;

/**
 * `Credential=AKIA.../20261130/us-east-1/s3/aws4_request`, `X-Amz-Credential=ASIA...%2F20261130%2F...`:
 * a token in its own shape followed by a path-like scope; the scope is no secret and stays.
 */
function tokenPrefixLength(value: string): number {
  const slash = value.indexOf('/');
  const escaped = value.search(/%2F/i);
  const cut = slash === -1 ? escaped : escaped === -1 ? slash : Math.min(slash, escaped);
  if (cut < 20) return value.length;
  return classifyToken(value.slice(0, cut)) ? cut : value.length;
}

/** Whether a found value is worth removing under a key of this strength. */
function isSecretValue(value: string, key: SecretKey, quoted: boolean): boolean {
  if (value.length === 0 || value === REDACTED || isPlaceholder(value)) return false;
  // A PEM block is the PEM scanner's: it tells a real key from `-----BEGIN PRIVATE KEY-----\n...`.
  if (value.includes('-----BEGIN ')) return false;
  if (isProseWord(value)) return false;
  // Quoted, a value is a literal whatever it says (`"password": "JsonPw s3cret with space"`).
  if (!quoted && (isSentence(value) || isCodeReference(value) || isTypeAnnotation(value))) return false;
  if (key.strength === 'strong') return true;
  return classifyToken(value) !== undefined || looksRandom(value, 'context');
}

/** Little words of a sentence ("token: it expired after a long pause"); a passphrase has none. */
const FUNCTION_WORDS = new Set(['the', 'a', 'an', 'is', 'was', 'it', 'has', 'have', 'been', 'not', 'for', 'of', 'to', 'in', 'on', 'and', 'or', 'with', 'after', 'before', 'by', 'be', 'this', 'that', 'your', 'please', 'when', 'if', 'are', 'were', 'we', 'you', 'they', 'there']);

/** A sentence, not a passphrase: four words or more, opening with a little word (`it expired after ...`). */
function isSentence(value: string): boolean {
  if (!value.includes(' ')) return false;
  const words = value.toLowerCase().split(/\s+/).map((w) => w.replace(/[^a-z]/g, ''));
  return words.length >= 4 && FUNCTION_WORDS.has(words[0] ?? '');
}

/** Type names of declarations (`password: str`, `apiKey: string;`, `secret: SecretStr`), lower-cased. */
const TYPE_NAMES = new Set([
  'string', 'str', 'securestring', 'secretstr', 'secretbytes', 'secretstring', 'secret', 'bytes', 'byte', 'char',
  'text', 'varchar', 'nvarchar', 'any', 'unknown', 'object', 'undefined', 'null', 'none', 'optional', 'option',
  'maybe', 'nullable', 'number', 'int', 'integer', 'long', 'bool', 'boolean', 'pscredential', 'securestr',
]);

/**
 * A type annotation, not a value: type names joined by `|`, `[]`, `<>`, `?` and `,`, maybe ending
 * the declaration (`;`, `,`): `str`, `string | undefined;`, `Optional[str]`, `Option<String>`.
 * Only known type names: a password that looks like an identifier (`Hunter2`) is still one.
 */
function isTypeAnnotation(value: string): boolean {
  const words = value.split(/[\s|[\]<>?,;*&]+/).filter((w) => w.length > 0);
  return words.length > 0 && words.length <= 6 && words.every((w) => TYPE_NAMES.has(w.toLowerCase()));
}

/** Where a secret lives rather than the secret: `process.env.WEBHOOK_SECRET`, `config.password`, `os.environ`. */
const CODE_ROOTS = new Set(['process', 'os', 'env', 'config', 'cfg', 'conf', 'settings', 'self', 'this', 'ctx', 'context', 'options', 'opts', 'secrets', 'vault', 'app', 'environment', 'system', 'props', 'properties', 'window', 'global', 'globalthis', 'args', 'params', 'req', 'request']);

function isCodeReference(value: string): boolean {
  const dot = value.indexOf('.');
  return dot > 0 && CODE_ROOTS.has(value.slice(0, dot).toLowerCase()) && /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value);
}

/** Values that say "no value": `token: null`, `password: (empty)`, `apiKey: undefined`, `secret: ""`. */
const FILLERS = new Set(['', 'null', 'undefined', 'none', 'nil', 'empty', 'unset', 'notset', 'blank', 'n/a', 'na', '~', '-', 'redacted', 'hidden', 'masked', 'omitted', 'removed', 'tbd', 'todo']);

function isFiller(word: string): boolean {
  return FILLERS.has(word.replace(/^[("'[<]+|[)"'\]>,;.]+$/g, '').toLowerCase());
}

/**
 * A YAML plain value runs to the end of its line, which a passphrase of plain words needs
 * (`password: correct horse battery staple`). A first word that is a filler (`token: null ...`) or
 * a value of its own (digits, symbols: `Password: hunter2 (copied from vault) then Box said ...`)
 * is the whole value: the rest of the line is the paste's, and may hold the error.
 */
function firstWordOfPlain(text: string, value: Value): Value {
  let end = value.start;
  while (end < value.end && !isSpace(codeAt(text, end))) end++;
  if (end === value.end) return value;
  const first = text.slice(value.start, end);
  if (isFiller(first)) return { start: value.start, end, next: end, quoted: false };
  if (/^[A-Za-z]+$/.test(first)) return value;
  // A sentence's comma or full stop after the value is not the value's.
  let cut = end;
  while (cut > value.start + 1 && /[,;.]/.test(text[cut - 1] ?? '')) cut--;
  return { start: value.start, end: cut, next: end, quoted: false };
}

/** How far ahead a query string's next `&name=` is looked for (bounded: read at most once per key). */
const QUERY_WINDOW = 512;

/**
 * A query string from `at`: `?name=value`, or `name=value&name=...` (a URL's query without its
 * host, a SAS token). A base64 value's padding (`abc==`) is no `name=value`.
 */
function startsQuery(text: string, at: number): boolean {
  let k = at;
  const question = codeAt(text, k) === 63;
  if (question) k++;
  const nameStart = k;
  while (k < text.length && k - nameStart <= 32 && isKeyChar(text.charCodeAt(k))) k++;
  if (k === nameStart || codeAt(text, k) !== 61 || codeAt(text, k + 1) === 61) return false;
  if (question) return true;
  for (let j = k + 1; j < text.length && j - at < QUERY_WINDOW; j++) {
    const c = codeAt(text, j);
    if (c <= 32 || isQuote(c)) return false;
    if (c === 38 /* & */) {
      let n = j + 1;
      while (n < text.length && n - j <= 33 && isKeyChar(text.charCodeAt(n))) n++;
      if (n > j + 1 && codeAt(text, n) === 61) return true;
    }
  }
  return false;
}

/** Separator after a key: `=`, `:`, `:=`, `::=`, `=>`, `?=`, `+=`, `||=`, `??=`, `==`, `<-`. */
function readSeparator(text: string, at: number): { end: number; colon: boolean } | undefined {
  if (codeAt(text, at) === 60 && codeAt(text, at + 1) === 45) return { end: at + 2, colon: false }; // R: `token <- "..."`
  let j = at;
  let sawEquals = false;
  let colons = 0;
  while (j < text.length && j - at < 4) {
    const c = codeAt(text, j);
    if (c === 61 /* = */) sawEquals = true;
    else if (c === 58 /* : */) colons++;
    else if (!(c === 62 /* > */ || c === 63 /* ? */ || c === 43 /* + */ || c === 124 /* | */ || c === 33 /* ! */)) break;
    j++;
  }
  if (sawEquals) return { end: j, colon: false };
  if (colons === 1 && j === at + 1) return { end: j, colon: true };
  return undefined;
}

/** The key's own character before it (skipping a backslash of escaped JSON). */
function charBefore(text: string, at: number): number {
  let k = at - 1;
  if (codeAt(text, k) === 92) k--;
  return k >= 0 ? codeAt(text, k) : -1;
}

/**
 * `{Sup3r;S3cret}` after `Pwd=`: an ODBC braced value (`}}` stands for `}`), closed on its line and
 * followed by the next attribute or the string's end; not a JSON object or a code block (no quote,
 * colon, `=` or brace inside). Bounded by the line: read once per key.
 */
function readBraced(text: string, at: number): Value | undefined {
  let k = at + 1;
  for (; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 125 /* } */) {
      if (codeAt(text, k + 1) === 125) {
        k++;
        continue;
      }
      break;
    }
    if (c === 10 || c === 13 || c === 34 || c === 39 || c === 58 || c === 61 || c === 123) return undefined;
  }
  if (k >= text.length || k === at + 1) return undefined;
  const after = codeAt(text, k + 1);
  if (!(Number.isNaN(after) || after === 59 || isSpace(after) || after === 10 || after === 13 || isQuote(after))) return undefined;
  return { start: at + 1, end: k, next: k + 1, quoted: true };
}

/** Last non-space character before `at`. */
function previousNonSpace(text: string, at: number): number {
  let k = at - 1;
  while (k >= 0 && isSpace(codeAt(text, k))) k--;
  return k >= 0 ? codeAt(text, k) : -1;
}

/** Characters read as values by one scan: a test's measure that the scan stays linear. */
export interface PairsWork {
  valueChars: number;
}

/**
 * Where the current line starts, kept going forward with the scan (keys come in order), so no
 * key searches back for its line: on one long line that search would make the scan quadratic.
 */
interface LineCursor {
  lineAt: number;
  scanned: number;
}

function lineStartOf(text: string, cursor: LineCursor, at: number): number {
  for (; cursor.scanned < at; cursor.scanned++) if (codeAt(text, cursor.scanned) === 10) cursor.lineAt = cursor.scanned + 1;
  return cursor.lineAt;
}

/** The compact names scanPairs asks about (naming and value keys, the header's). */
const ASKED_NAMES = [...NAMING_KEYS, ...VALUE_KEYS, 'authorization', 'proxyauthorization'];
/** Their lengths and first letters, `length * 128 + code`: any other compact name is none of them. */
const ASKED_SHAPES = new Set(ASKED_NAMES.map((n) => n.length * 128 + n.charCodeAt(0)));

/**
 * `name` lower-cased with everything but letters and digits dropped, when that may be one of
 * ASKED_NAMES; '' (none of them) when its length and first letter say it is not. Names are key
 * characters (ASCII), so the compact form's length and first letter are read without making it.
 */
function compactName(name: string): string {
  let length = 0;
  let first = 0;
  let plain = true;
  for (let k = 0; k < name.length; k++) {
    let c = name.charCodeAt(k);
    if (c >= 65 && c <= 90) {
      c += 32;
      plain = false;
    } else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) {
      plain = false;
      continue;
    }
    if (length === 0) first = c;
    length++;
  }
  if (!ASKED_SHAPES.has(length * 128 + first)) return '';
  return plain ? name : name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function scanPairs(text: string, spans: Span[], work?: PairsWork): void {
  let pending: { key: SecretKey; until: number } | undefined;
  const line: LineCursor = { lineAt: 0, scanned: 0 };
  // End of the block scalar whose lines are being scanned again because its value was no secret
  // (`auth: |` holding `password=...`): a block below one of its lines is not read as a block
  // again, or nested blocks would read the same lines once per level.
  let blockUntil = -1;
  let i = 0;
  while (i < text.length) {
    if (!isKeyChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const keyStart = i;
    while (i < text.length && isKeyChar(text.charCodeAt(i))) i++;
    const keyEnd = i;
    // Names do not start with a digit: timestamps (`2026-11-30T03:00`) and numbers are skipped cheaply.
    if (keyEnd - keyStart > 80 || isDigit(codeAt(text, keyStart))) continue;
    // `https://x-access-token:ghp_...@github.com`: a URL's user, not a key (the URL scanner's).
    if (text.startsWith('://', keyStart - 3)) continue;
    // The tail of a base64 token (`.../AwH7PWEgliFq0r==`, `+dT1JmZ`), not a name.
    const glued = codeAt(text, keyStart - 1);
    if (glued === 43 || glued === 47 || glued === 126 || glued === 42 || glued === 37) continue;

    let j = keyEnd;
    // `"key"`, `'key'`, `\"key\"`, `ENV["KEY"]`.
    const opening = charBefore(text, keyStart);
    let quotedKey = false;
    if (codeAt(text, j) === 92 && isQuote(codeAt(text, j + 1))) j++;
    if (isQuote(codeAt(text, j)) && opening === codeAt(text, j)) {
      quotedKey = true;
      j++;
    }
    if (codeAt(text, j) === 93 /* ] */) j++;
    // `<password>x</password>`, and with attributes: `<secret name="smtp" encrypted="false">x</secret>`.
    let tagEnd = opening === 60 /* < */ && codeAt(text, j) === 62 /* > */ ? j : -1;
    if (opening === 60 && isSpace(codeAt(text, j))) {
      // The attributes run to the tag's `>`, never past the next `<` (so each character is read once).
      let k = j;
      while (k < text.length && k - j < 512 && text.charCodeAt(k) !== 62 && text.charCodeAt(k) !== 60 && text.charCodeAt(k) !== 10) k++;
      if (codeAt(text, k) === 62 && codeAt(text, k - 1) !== 47 /* / */) tagEnd = k;
    }
    const xmlElement = tagEnd !== -1;
    while (j < text.length && j - keyEnd < 6 && isSpace(text.charCodeAt(j))) j++;

    let separator = xmlElement ? { end: tagEnd + 1, colon: false } : readSeparator(text, j);
    let call = false;
    if (!separator && quotedKey && codeAt(text, j) === 44 /* , */) {
      // setProperty("X_TOKEN", "..."), put('password', '...'): only as a call's or list's argument.
      const before = previousNonSpace(text, keyStart - 1);
      if (before === 40 /* ( */ || before === 91 /* [ */ || before === 123 /* { */) {
        separator = { end: j + 1, colon: false };
        call = true;
      }
    }
    let typedGo = false;
    if (!separator && isSpace(codeAt(text, keyEnd)) && TYPE_STARTS.includes(text[j] ?? '')) {
      // Go: `token string = "..."`.
      let t = j;
      while (t < text.length && t - j < 14 && !isSpace(text.charCodeAt(t)) && text.charCodeAt(t) !== 61) t++;
      if (TYPE_WORD_LENGTHS.has(t - j) && TYPE_WORDS.has(text.slice(j, t)) && mayNameSecret(text.slice(keyStart, keyEnd))) {
        let e = t;
        while (e < text.length && e - t < 4 && isSpace(text.charCodeAt(e))) e++;
        if (codeAt(text, e) === 61 && codeAt(text, e + 1) !== 61) {
          separator = { end: e + 1, colon: false };
          typedGo = true;
        }
      }
    }
    if (!separator) continue;

    const name = text.slice(keyStart, keyEnd);
    // Naming and value keys are short; only they need the compact lower-case form.
    const lowerName = name.length <= 24 ? compactName(name) : '';
    if (lowerName === 'authorization' || lowerName === 'proxyauthorization') continue; // the header scanner's
    let key = secretKeyOf(name);
    if (key && looksRandom(name, 'context')) key = undefined; // `sDQCQfIxNVPwY7XiqSQof==` only spells `pw` by chance
    const naming = NAMING_KEYS.has(lowerName);
    if (pending && keyStart > pending.until) pending = undefined;
    if (!key && pending && VALUE_KEYS.has(lowerName)) {
      key = pending.key;
      pending = undefined; // one value per name
    }
    if (!key && !naming) continue;

    let v = separator.end;
    while (v < text.length && v - separator.end < 8 && isSpace(text.charCodeAt(v))) v++;
    // `SAS: ?sp=r&...&sig=...`, `AZURE_SAS_TOKEN=sv=...&sig=...`: a query string under the key.
    // Its parameters are pairs of their own, each judged by its name (`sig` goes, `sp` stays).
    if (key && !xmlElement && startsQuery(text, v)) continue;
    // `var token: string = "..."`, `api_key: Optional[str] = "..."`: skip the type.
    if (separator.colon && !typedGo) {
      let t = v;
      while (t < text.length && t - v < 40 && isTypeChar(text.charCodeAt(t))) t++;
      let e = t;
      while (e < text.length && e - t < 4 && isSpace(text.charCodeAt(e))) e++;
      if (t > v && codeAt(text, e) === 61 && codeAt(text, e + 1) !== 61) {
        v = e + 1;
        while (v < text.length && v - e < 8 && isSpace(text.charCodeAt(v))) v++;
      }
    }

    const escaped = codeAt(text, v) === 92 && isQuote(codeAt(text, v + 1));
    if (escaped) v++;
    const first = codeAt(text, v);
    let value: Value | undefined;
    let braced: Value | undefined;
    if (xmlElement) {
      let end = v;
      while (end < text.length && text.charCodeAt(end) !== 60 && text.charCodeAt(end) !== 10) end++;
      // Only an element that closes (`<password>x</password>`); `Bearer <token>` in a sentence is prose.
      if (codeAt(text, end) === 60 && codeAt(text, end + 1) === 47) value = { start: v, end, next: end, quoted: false };
    } else if (isQuote(first) && first === opening && !quotedKey) {
      // "`token=` in a sentence", `'token=' + value`: the quote closes the span the key stands in.
      continue;
    } else if (isQuote(first)) {
      const inner = codeAt(text, v + 1);
      if (!call && (inner === 123 /* { */ || inner === 91 /* [ */)) {
        // `GOOGLE_CREDENTIALS='{"type": ...}'`: a JSON document in a string; its own pairs are scanned.
        continue;
      }
      value = readQuoted(text, v, escaped);
      if (call) {
        const after = previousNonSpace(text, value.next + 1);
        if (codeAt(text, value.next) === 58 || after === 58) continue; // `"a", "b": ...` is JSON, not a call
      }
    } else if (call) {
      continue;
    } else if (separator.colon && (first === 124 /* | */ || first === 62 /* > */)) {
      let k = v + 1;
      while (k < text.length && k - v < 4 && /[-+0-9]/.test(text[k] ?? '')) k++;
      while (k < text.length && isSpace(text.charCodeAt(k))) k++;
      if ((codeAt(text, k) === 10 || codeAt(text, k) === 13) && keyStart >= blockUntil) value = readBlockScalar(text, lineStartOf(text, line, keyStart), keyStart, k);
      if (value) blockUntil = value.next;
    } else if (first === 123 && !separator.colon && key && (braced = readBraced(text, v)) !== undefined) {
      // ODBC / JDBC connection strings quote a value holding `;` in braces: `Pwd={Sup3r;S3cret};`.
      value = braced;
    } else if (first === 123 /* { */ || first === 91 /* [ */ || first === 40 /* ( */) {
      // An object or list under the key: its own pairs are scanned in turn, and a `value` field
      // inside it (`"adminPassword": {"value": "..."}`, ARM parameters) holds this key's secret.
      if (key && first === 123) pending = { key, until: v + NAMING_WINDOW };
      continue;

    } else if (separator.colon && key && isYamlKeyLine(text, lineStartOf(text, line, keyStart), keyStart, v)) {
      value = firstWordOfPlain(text, readYamlPlain(text, v));
    } else {
      const word = readUnquoted(text, v);
      // An unquoted value is one word: a `key=` inside it (`Pwd=Pwd=...`, `a=b=c`) is part of it,
      // not a pair of its own, so the scan resumes after it whatever it held. Reading it again from
      // every `=` inside would be quadratic in the word's length.
      i = Math.max(i, word.next);
      // `password = getPassword()`, `token = os.environ[...]`: code, not a value.
      const after = codeAt(text, word.end);
      value = after === 40 || after === 91 ? undefined : word;
    }
    if (work) work.valueChars += Math.max(0, (value?.next ?? 0) - v, i - v);
    if (!value) continue;
    const found = text.slice(value.start, value.end);

    const named = naming ? secretKeyOf(found) : undefined;
    if (naming && !named) pending = undefined; // `- name: LOG_LEVEL`: the next value is not the secret's
    if (named) {
      pending = { key: named, until: value.next + NAMING_WINDOW };
      // `<entry key="password">hunter2</entry>`: the element's content is the value.
      let k = value.next;
      while (k < text.length && k - value.next < 4 && isSpace(text.charCodeAt(k))) k++;
      if (value.quoted && codeAt(text, k) === 62 /* > */) {
        let end = k + 1;
        while (end < text.length && text.charCodeAt(end) !== 60 && text.charCodeAt(end) !== 10) end++;
        if (isSecretValue(text.slice(k + 1, end).trim(), named, false)) spans.push({ start: k + 1, end, kind: named.kind });
        pending = undefined;
        i = Math.max(i, end);
        continue;
      }
      i = Math.max(i, value.next);
      continue;
    }
    if (!key) continue;
    if (found.startsWith(REDACTED)) {
      i = Math.max(i, value.start + REDACTED.length);
      continue;
    }
    if (isSecretValue(value.quoted ? found : found.trim(), key, value.quoted)) {
      spans.push({ start: value.start, end: value.start + tokenPrefixLength(found), kind: key.kind });
      i = Math.max(i, value.next);
    }
  }
}
