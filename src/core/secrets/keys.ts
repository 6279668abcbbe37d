// Which key names hold a secret: `password`, `client_secret`, `access_token2`, `mySecretString`,
// `some_api_token_123`, `private-key`, `AWSAccessKeyId`, `Ocp-Apim-Subscription-Key`. A name is split
// into its words (separators, camelCase, digits); the last meaningful word decides.

import { codeAt } from '../chars.js';

/** `strong`: whatever the value, it is a secret. `weak`: only a random-looking value is. */
export type KeyStrength = 'strong' | 'weak';

export interface SecretKey {
  strength: KeyStrength;
  /** Passwords are named as such on the card; everything else is "a secret value". */
  kind: 'password' | 'secret-pair';
}

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'pass', 'passcode', 'pw']);
const STRONG_WORDS = new Set([
  'secret', 'token', 'credential', 'credentials', 'creds', 'apikey', 'privatekey', 'accesskey', 'secretkey',
  'accountkey', 'signature', 'sig', 'assertion', 'pat', 'authtoken', 'accesstoken', 'refreshtoken', 'apitoken',
  'sessiontoken', 'clientsecret', 'authkey', 'masterkey', 'sharedaccesskey', 'sas', 'sastoken', 'connectionstring',
]);
/** Words after which `key` names a secret (`api_key`, `AccountKey`, `Ocp-Apim-Subscription-Key`). */
const KEY_QUALIFIERS = new Set([
  'api', 'access', 'secret', 'private', 'account', 'master', 'signing', 'encryption', 'subscription', 'client',
  'auth', 'app', 'consumer', 'ssh', 'storage', 'shared', 'hmac', 'integration', 'service', 'admin', 'function', 'functions',
]);
/** Words before `key` naming a key that locates or deduplicates, not one that unlocks (`Idempotency-Key`, `partitionKey`). */
const NOT_SECRET_KEYS = new Set([
  'idempotency', 'partition', 'row', 'sort', 'primary', 'foreign', 'cache', 'lookup', 'routing', 'dedupe', 'dedup',
  'deduplication', 'object', 'composite', 'unique', 'natural', 'surrogate', 'correlation', 'message', 'event',
  'translation', 'i18n', 'map', 'dict', 'registry', 'issue', 'project', 'sharding', 'shard', 'group', 'bucket',
]);
const WEAK_WORDS = new Set(['key', 'auth', 'session', 'sessionid', 'sid', 'code', 'cookie', 'otp', 'pin']);
/**
 * Words that, after the secret word, say the value is something else: its name, type, URL, time,
 * length, file, a flag (`token_type`, `secretName`, `password_expires_at`, `tokenUrl`, `max_tokens`).
 * Any other word keeps the secret (`DB_PASSWORD_REPLICA`, `todo_secret_do_not_commit`, `mySecretString`).
 */
const META_WORDS = new Set([
  'type', 'types', 'kind', 'name', 'names', 'ids', 'url', 'urls', 'uri', 'uris', 'endpoint', 'endpoints', 'path',
  'paths', 'file', 'files', 'filename', 'dir', 'location', 'expiry', 'expires', 'expiration', 'expired', 'exp',
  'lifetime', 'ttl', 'age', 'duration', 'timeout', 'length', 'len', 'size', 'count', 'max', 'min', 'limit', 'policy',
  'policies', 'rule', 'rules', 'format', 'header', 'headers', 'prefix', 'suffix', 'hint', 'prompt', 'label',
  'description', 'desc', 'field', 'fields', 'input', 'param', 'parameter', 'version', 'provider', 'method',
  'mode', 'status', 'state', 'enabled', 'disabled', 'required', 'valid', 'validation', 'validity', 'change',
  'changed', 'reset', 'update', 'updated', 'rotation', 'rotated', 'created', 'issued', 'used', 'last', 'at', 'in',
  'on', 'hash', 'hashed', 'salt', 'strength', 'complexity', 'manager', 'store', 'vault', 'ref', 'reference', 'arn',
  'error', 'errors', 'message', 'msg', 'event', 'events', 'scope', 'scopes', 'audience', 'issuer', 'algorithm',
  'alg', 'encoding', 'cache', 'handler', 'class', 'factory', 'helper', 'generator', 'regex', 'pattern', 'schema',
  'template', 'example', 'sample', 'placeholder', 'flag', 'check', 'set', 'missing', 'invalid', 'request', 'auth',
  'id', 'variable', 'var', 'env', 'exception', 'exceptions', 'response', 'failure', 'fault', 'warning', 'result',
  'info', 'details', 'detail', 'list', 'map', 'config', 'configuration', 'settings', 'options', 'service', 'client',
  'source', 'count', 'counter', 'metric', 'metrics', 'log', 'logs',
]);
/** Prefixes of a name that say it holds no secret (`publicKey`, `is_token_valid`, `max_tokens`). */
/** Long secret words that still count when glued to other words (`ZENDESKAPITOKEN`, `dbpassword`). */
const GLUED_SUFFIXES = ['password', 'passwd', 'userpwd', 'passphrase', 'secret', 'token', 'apikey', 'credential', 'credentials', 'accesskey', 'secretkey', 'privatekey', 'accountkey'];
const NOT_SECRET_FIRST = new Set(['public', 'publishable', 'no', 'max', 'min', 'num', 'is', 'has', 'use', 'show']);

/** Splits `AWSAccessKeyId`, `some_api_token_123`, `x-api-key` into lower-case words. */
export function nameWords(name: string): string[] {
  const words: string[] = [];
  let current = '';
  // (`current` is flushed inline, not by a closure made per call.)
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] ?? '';
    const c = name.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    const lower = c >= 97 && c <= 122;
    const digit = c >= 48 && c <= 57;
    if (!upper && !lower && !digit) {
      if (current) words.push(current.toLowerCase());
      current = '';
      continue;
    }
    const prev = codeAt(name, i - 1);
    const next = codeAt(name, i + 1);
    const prevUpper = prev >= 65 && prev <= 90;
    const prevLower = prev >= 97 && prev <= 122;
    const prevDigit = prev >= 48 && prev <= 57;
    const nextLower = next >= 97 && next <= 122;
    // camelCase, v2Token; AWSAccess; token2, 123abc
    if (current && ((upper && (prevLower || prevDigit)) || (upper && prevUpper && nextLower) || digit !== prevDigit)) {
      words.push(current.toLowerCase());
      current = '';
    }
    current += ch;
  }
  if (current) words.push(current.toLowerCase());
  return words;
}

/** Whether a key name holds a secret, and how sure we are. Undefined for every other name. */
/**
 * Stems one of which every secret name holds: a cheap test before a name is split into words.
 * Literal alternatives only, so the expression cannot backtrack.
 */
const STEMS = /pass|pw|secret|token|key|cred|sig|assertion|pat|auth|sess|sid|code|cookie|otp|pin|sas|verifier|connectionstring/i;

/** False when the text cannot name a secret (most names, most lines); true means "ask secretKeyOf". */
export function mayNameSecret(name: string): boolean {
  return STEMS.test(name);
}

export function secretKeyOf(name: string): SecretKey | undefined {
  if (name.length === 0 || name.length > 80 || !mayNameSecret(name)) return undefined;
  const words = nameWords(name);
  if (words.length === 0 || words.length > 12) return undefined;
  if (NOT_SECRET_FIRST.has(words[0] ?? '') || words.includes('public') || words.includes('publishable')) return undefined;
  // The last secret word decides, unless a word after it says the value is something else.
  for (let i = words.length - 1; i >= 0; i--) {
    const found = secretWordAt(words, i);
    if (!found) continue;
    // `aws_access_key_id`: that id is the access key's own (secretWordAt said so).
    const from = words[i] === 'key' && words[i + 1] === 'id' ? i + 2 : i + 1;
    for (let k = from; k < words.length; k++) if (META_WORDS.has(words[k] ?? '')) return undefined;
    return found;
  }
  return undefined;
}

/** Whether `words[i]` (with the word before it) is a secret word: `token`, `api key`, `access key id`. */
function secretWordAt(words: string[], i: number): SecretKey | undefined {
  const word = words[i] ?? '';
  const before = i > 0 ? (words[i - 1] ?? '') : '';
  const after = words[i + 1];
  if (PASSWORD_WORDS.has(word)) return { strength: 'strong', kind: 'password' };
  if (STRONG_WORDS.has(word)) return { strength: 'strong', kind: 'secret-pair' };
  if (word === 'key') {
    // `key_id` is an id unless the key is an access key (`aws_access_key_id`, `AWSAccessKeyId`).
    if (after === 'id' && before !== 'access') return undefined;
    if (NOT_SECRET_KEYS.has(before)) return undefined;
    return { strength: KEY_QUALIFIERS.has(before) ? 'strong' : 'weak', kind: 'secret-pair' };
  }
  if (word === 'id') {
    // Vault's `secret_id`, a session id; never `client_id` or `tenant_id`.
    if (before === 'secret' || before === 'accesskey') return { strength: 'strong', kind: 'secret-pair' };
    if (before === 'session') return { strength: 'weak', kind: 'secret-pair' };
    return undefined;
  }
  if (word === 'verifier' && before === 'code') return { strength: 'strong', kind: 'secret-pair' };
  // Session cookies: `JSESSIONID`, `PHPSESSID`, `ASP.NET_SessionId` (split above), `sessionid`.
  if (WEAK_WORDS.has(word) || word.endsWith('sessionid') || word.endsWith('sessid')) return { strength: 'weak', kind: 'secret-pair' };
  for (const suffix of GLUED_SUFFIXES) {
    if (word.length > suffix.length && word.endsWith(suffix)) {
      return { strength: 'strong', kind: suffix.startsWith('pass') || suffix === 'userpwd' ? 'password' : 'secret-pair' };
    }
  }
  if (word.length > 3 && word.endsWith('key') && (word.startsWith('api') || word.startsWith('x'))) return { strength: 'strong', kind: 'secret-pair' };
  return undefined;
}
