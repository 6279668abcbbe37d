// Secrets inside URLs: the password of `user:password@host` (a password may itself hold `@`), a
// token used as the user (`https://<token>@github.com/...`), and incoming-webhook URLs whose path is
// the credential (Slack, Teams, Discord).

import { classifyToken } from './shapes.js';
import { REDACTED, isAlnum, isPlaceholder, looksRandom, type Span } from './text.js';
import type { SecretKind } from './kinds.js';
import { codeAt } from '../chars.js';

/** Longest authority (`user:password@host:port`) we read. */
const MAX_AUTHORITY = 1024;

/** Where an authority ends. Not `#`: people paste passwords holding it (`user:pa#ss@host`). */
function endsAuthority(c: number): boolean {
  return c <= 32 || c === 47 /* / */ || c === 63 /* ? */ || c === 34 || c === 39 || c === 96 || c === 60 || c === 62 || c === 92;
}

/** Characters of a webhook's path secret. */
function isPathChar(c: number): boolean {
  return isAlnum(c) || c === 47 || c === 95 || c === 45 || c === 64 /* @ */ || c === 46;
}

/** Literal passwords that say "the user part is the token" rather than being a secret. */
const NOT_PASSWORDS = new Set(['x-oauth-basic', 'x-oauth-token']);

interface Webhook {
  host: (host: string) => boolean;
  /** Path prefixes after which everything is the secret. */
  paths: readonly string[];
  kind: SecretKind;
}

const WEBHOOKS: readonly Webhook[] = [
  { host: (h) => h === 'hooks.slack.com', paths: ['/services/', '/workflows/', '/triggers/'], kind: 'slack-webhook' },
  { host: (h) => h.endsWith('.webhook.office.com') || h === 'outlook.office.com' || h === 'outlook.office365.com', paths: ['/webhookb2/', '/webhook/'], kind: 'teams-webhook' },
  { host: (h) => h === 'discord.com' || h === 'discordapp.com', paths: ['/api/webhooks/'], kind: 'webhook-url' },
];

function scanWebhook(text: string, hostStart: number, hostEnd: number, spans: Span[]): void {
  const host = text.slice(hostStart, hostEnd).toLowerCase().replace(/:\d+$/, '');
  const hook = WEBHOOKS.find((w) => w.host(host));
  if (!hook) return;
  for (const path of hook.paths) {
    if (!text.startsWith(path, hostEnd)) continue;
    const start = hostEnd + path.length;
    let end = start;
    while (end < text.length && isPathChar(text.charCodeAt(end))) end++;
    while (end > start && codeAt(text, end - 1) === 46) end--; // a sentence's full stop
    // A real hook's path is long and carries ids with digits (`T0000/B0000/XXXX`, `<guid>@<guid>/...`).
    const secret = text.slice(start, end);
    if (secret.length >= 20 && /\d/.test(secret) && !secret.startsWith(REDACTED)) spans.push({ start, end, kind: hook.kind });
    return;
  }
}

export function scanUrls(text: string, spans: Span[]): void {
  let at = text.indexOf('://');
  while (at !== -1) {
    const start = at + 3;
    const limit = Math.min(text.length, start + MAX_AUTHORITY);
    let end = start;
    let lastAt = -1;
    while (end < limit && !endsAuthority(codeAt(text, end))) {
      if (codeAt(text, end) === 64 /* @ */) lastAt = end;
      end++;
    }
    if (lastAt === -1) {
      scanWebhook(text, start, end, spans);
    } else {
      // Userinfo runs to the last `@` of the authority: a password may hold `@` itself.
      let colon = start;
      while (colon < lastAt && codeAt(text, colon) !== 58) colon++;
      if (colon < lastAt) {
        const password = text.slice(colon + 1, lastAt);
        if (password.length > 0 && !password.startsWith(REDACTED) && !isPlaceholder(password) && !NOT_PASSWORDS.has(password.toLowerCase())) {
          spans.push({ start: colon + 1, end: lastAt, kind: 'url-password' });
        }
        const user = text.slice(start, colon);
        const userKind = credentialKind(user);
        if (userKind) spans.push({ start, end: colon, kind: userKind });
      } else {
        const user = text.slice(start, lastAt);
        const userKind = credentialKind(user);
        if (userKind) spans.push({ start, end: lastAt, kind: userKind });
      }
      scanWebhook(text, lastAt + 1, end, spans);
    }
    at = text.indexOf('://', Math.max(end, start));
  }
}

/**
 * Oracle logons, `user/password@db`: after a JDBC/OCI driver prefix (`jdbc:oracle:thin:scott/
 * Tiger1@//db:1521/ORCL`) or as the first argument of Oracle's tools (`sqlplus -s system/pw@orcl`,
 * `expdp system/pw@db`, `rman target sys/pw@db`). Bounded quantifiers only: each match attempt reads
 * a few hundred characters at most.
 */
const ORACLE_DRIVER_LOGON = /\b(?:thin|oci8?|kprb):"?[A-Za-z_][\w$#.]{0,127}"?\/("[^"\n]{1,256}"|[^\s/@"'<>;]{1,256})(?=@)/gi;
const ORACLE_TOOL_LOGON =
  /\b(?:sqlplus|expdp|impdp|exp|imp|sqlldr|rman|dgmgrl)(?:[ \t]{1,8}-[A-Za-z]{1,12}){0,4}[ \t]{1,8}(?:target[ \t]{1,8})?"?[A-Za-z_][\w$#.]{0,127}"?\/("[^"\n]{1,256}"|[^\s/@"'<>;]{1,256})(?=@|[\s"';]|$)/gi;

export function scanOracleLogons(text: string, spans: Span[]): void {
  // Both logons are `user/password`: without a slash neither can match.
  if (!text.includes('/')) return;
  for (const pattern of [ORACLE_DRIVER_LOGON, ORACLE_TOOL_LOGON]) scanLogons(pattern, text, spans);
}

function scanLogons(pattern: RegExp, text: string, spans: Span[]): void {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    let password = m[1] ?? '';
    let end = pattern.lastIndex;
    if (password.startsWith('"')) {
      password = password.slice(1, -1);
      end--;
    }
    const start = end - password.length;
    if (password.length > 0 && !password.startsWith(REDACTED) && !isPlaceholder(password)) spans.push({ start, end, kind: 'password' });
  }
}

/** A user part that is really a token (`https://ghp_...@github.com`, `https://oauth2:glpat-...@`). */
function credentialKind(user: string): SecretKind | undefined {
  if (user.length < 16 || user.startsWith(REDACTED)) return undefined;
  const shaped = classifyToken(user);
  if (shaped) return shaped;
  return looksRandom(user, 'context') ? 'url-credential' : undefined;
}
