// Credentials given on a command line: `curl -u user:pass`, `--user 'api:...'`, `-u email/token:...`,
// `az login -u <app> -p <secret>`, `--password X`, `--client-secret X`, PowerShell `-ClientSecret X`.

import { secretKeyOf } from './keys.js';
import { classifyToken } from './shapes.js';
import { REDACTED, isPlaceholder, isQuote, isSpace, looksRandom, type Span } from './text.js';
import { codeAt } from '../chars.js';

const USER_OPTIONS = new Set(['-u', '--user', '-U', '--proxy-user', '--username', '--auth']);
/** Password options; the short ones only after a user on the same line (`-p` means a port elsewhere). */
const PASSWORD_OPTIONS = new Set(['-p', '-P', '--password']);

interface Arg {
  start: number;
  end: number;
  /** Where the next option may start. */
  next: number;
}

/** The argument starting at `at`: a quoted string or a run of non-space characters. */
function readArg(text: string, at: number): Arg | undefined {
  const c = codeAt(text, at);
  if (Number.isNaN(c) || c === 10 || c === 13) return undefined;
  if (isQuote(c)) {
    let end = at + 1;
    while (end < text.length && text.charCodeAt(end) !== c && text.charCodeAt(end) !== 10) end++;
    return { start: at + 1, end, next: end + 1 };
  }
  let end = at;
  while (end < text.length && !isSpace(text.charCodeAt(end)) && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
  return { start: at, end, next: end };
}

function worthRemoving(value: string): boolean {
  return value.length > 0 && !value.startsWith(REDACTED) && !isPlaceholder(value);
}

/** Option word starting at `at` (after a space or the line start), and where its argument begins. */
function readOption(text: string, at: number): { name: string; argAt: number } | undefined {
  let k = at;
  while (k < text.length && !isSpace(text.charCodeAt(k)) && text.charCodeAt(k) !== 61 && text.charCodeAt(k) !== 10 && k - at < 48) k++;
  const name = text.slice(at, k);
  const c = codeAt(text, k);
  if (c === 61 /* = */ && name.startsWith('--')) return { name, argAt: k + 1 };
  if (!isSpace(c)) return undefined;
  while (k < text.length && isSpace(text.charCodeAt(k))) k++;
  return { name, argAt: k };
}

export function scanCommandLines(text: string, spans: Span[]): void {
  // The user given by the last `-u` of this line, when it had no password: `-p` may follow.
  let userWithoutPasswordLine = -1;
  // Line numbers kept incrementally (a backwards search per option would be quadratic on one long
  // line), by reading each character once: a second `indexOf` for newlines in this loop made V8's
  // search for `-` quadratic on texts over 64 KB of one line (`sk-sk-sk-...`; `npm run bench`).
  let line = 0;
  let counted = 0;
  let at = text.indexOf('-');
  while (at !== -1) {
    for (; counted < at; counted++) if (codeAt(text, counted) === 10) line++;
    let next = at + 1;
    const before = at === 0 ? 10 : codeAt(text, at - 1);
    const flag = codeAt(text, at + 1);
    const glued = codeAt(text, at + 2);
    if ((isSpace(before) || before === 10 || before === 13) && (flag === 117 || flag === 112 || flag === 80) && isGluedStart(glued)) {
      // `mysql -u root -pS3cret`, `curl -uadmin:secret`: the value glued to a one-letter option.
      const arg = readArg(text, at + 2);
      if (arg) {
        const value = text.slice(arg.start, arg.end);
        if (flag === 117 /* u */) {
          scanUserArgument(value, arg.start, spans);
          if (!value.includes(':')) userWithoutPasswordLine = line;
        } else if (userWithoutPasswordLine === line && worthRemoving(value)) {
          spans.push({ start: arg.start, end: arg.end, kind: 'command-line-credential' });
        }
        next = Math.max(next, arg.next);
      }
    } else if (isSpace(before) || before === 10 || before === 13) {
      const option = readOption(text, at);
      if (option) {
        const arg = readArg(text, option.argAt);
        if (arg && arg.end > arg.start && !isOption(text, arg.start)) {
          next = Math.max(next, arg.next);
          const value = text.slice(arg.start, arg.end);
          if (USER_OPTIONS.has(option.name)) {
            scanUserArgument(value, arg.start, spans);
            if (!value.includes(':')) userWithoutPasswordLine = line;
          } else if (PASSWORD_OPTIONS.has(option.name)) {
            if (option.name.startsWith('--') || userWithoutPasswordLine === line) {
              if (worthRemoving(value)) spans.push({ start: arg.start, end: arg.end, kind: 'command-line-credential' });
            }
          } else if (option.name.length > 2) {
            // `--client-secret X`, `--token X`, `-ClientSecret X`, `--api-key X`.
            const key = secretKeyOf(option.name);
            if (key && (key.strength === 'strong' ? worthRemoving(value) : classifyToken(value) || looksRandom(value, 'context'))) {
              spans.push({ start: arg.start, end: arg.end, kind: 'command-line-credential' });
            }
          }
        }
      }
    }
    at = text.indexOf('-', next);
  }
}

/** `user:password`, `email/token:TOKEN`, `sk_live_...:`: the password part goes, and a user part that is a token. */
function scanUserArgument(value: string, at: number, spans: Span[]): void {
  // `-u <user:password>`, `-u $USER:$TOKEN`: documentation, not a credential.
  if (isPlaceholder(value)) return;
  const colon = value.indexOf(':');
  const user = colon === -1 ? value : value.slice(0, colon);
  const userIsToken = user.length >= 16 && (classifyToken(user) !== undefined || looksRandom(user, 'context'));
  if (userIsToken) spans.push({ start: at, end: at + user.length, kind: 'command-line-credential' });
  if (colon === -1) return;
  // `kevin:'pRf7...'`: shell quotes around the password are not the password.
  let start = colon + 1;
  let end = value.length;
  const q = codeAt(value, start);
  if (isQuote(q) && end - start >= 2 && codeAt(value, end - 1) === q) {
    start++;
    end--;
  }
  const password = value.slice(start, end);
  // `-u <token>:api_token`, `-u <token>:X`: a literal the API asks for after a token user, no secret.
  if (userIsToken && /^[A-Za-z_-]{1,20}$/.test(password)) return;
  if (worthRemoving(password)) spans.push({ start: at + start, end: at + end, kind: 'command-line-credential' });
}

/** A value glued to `-u` / `-p`, not another option or a word like `-update`. */
function isGluedStart(c: number): boolean {
  return !Number.isNaN(c) && !isSpace(c) && c !== 10 && c !== 13 && c !== 45 && c !== 61;
}

function isOption(text: string, at: number): boolean {
  return codeAt(text, at) === 45 && codeAt(text, at + 1) !== 45 ? /[A-Za-z]/.test(text[at + 1] ?? '') : text.startsWith('--', at);
}
