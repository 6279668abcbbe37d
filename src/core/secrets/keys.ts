// Which key names hold a secret: `password`, `client_secret`, `access_token2`, `mySecretString`,
// `some_api_token_123`, `private-key`, `AWSAccessKeyId`, `Ocp-Apim-Subscription-Key`. A name is split
// into its words (separators, camelCase, digits); the last meaningful word decides.

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
const WEAK_WORDS = new Set(['key', 'auth', 'session', 'sessionid', 'sid', 'code', 'cookie', 'otp', 'pin']);
/** Words that, after the secret word, keep its meaning (`secretString`, `token_value`, `apiKeyB64`). */
const TRAILERS = new Set(['value', 'val', 'string', 'str', 'text', 'data', 'b64', 'base64', 'hex', 'raw', 'plain', 'plaintext', 'encoded', 'enc', 'pem']);
/** Long secret words that still count when glued to other words (`ZENDESKAPITOKEN`, `dbpassword`). */
const GLUED_SUFFIXES = ['password', 'passwd', 'userpwd', 'passphrase', 'secret', 'token', 'apikey', 'credential', 'credentials', 'accesskey', 'secretkey', 'privatekey', 'accountkey'];
/** Names that mention a secret word but hold none. */
const NOT_SECRET_FIRST = new Set(['public', 'publishable', 'no', 'max', 'min', 'num', 'is', 'has', 'use', 'show']);

/** Splits `AWSAccessKeyId`, `some_api_token_123`, `x-api-key` into lower-case words. */
export function nameWords(name: string): string[] {
  const words: string[] = [];
  let current = '';
  const flush = (): void => {
    if (current) words.push(current.toLowerCase());
    current = '';
  };
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] ?? '';
    const c = name.charCodeAt(i);
    const upper = c >= 65 && c <= 90;
    const lower = c >= 97 && c <= 122;
    const digit = c >= 48 && c <= 57;
    if (!upper && !lower && !digit) {
      flush();
      continue;
    }
    const prev = name.charCodeAt(i - 1);
    const next = name.charCodeAt(i + 1);
    const prevUpper = prev >= 65 && prev <= 90;
    const prevLower = prev >= 97 && prev <= 122;
    const prevDigit = prev >= 48 && prev <= 57;
    const nextLower = next >= 97 && next <= 122;
    if (current) {
      if (upper && (prevLower || prevDigit)) flush(); // camelCase, v2Token
      else if (upper && prevUpper && nextLower) flush(); // AWSAccess
      else if (digit !== prevDigit) flush(); // token2, 123abc
    }
    current += ch;
  }
  flush();
  return words;
}

/** Whether a key name holds a secret, and how sure we are. Undefined for every other name. */
export function secretKeyOf(name: string): SecretKey | undefined {
  if (name.length === 0 || name.length > 80) return undefined;
  const words = nameWords(name);
  if (words.length === 0 || words.length > 12) return undefined;
  if (NOT_SECRET_FIRST.has(words[0] ?? '')) return undefined;
  // Drop trailing digits and words that keep the meaning: `access_token2`, `mySecretString`.
  let last = words.length - 1;
  while (last > 0 && (/^\d+$/.test(words[last] ?? '') || (TRAILERS.has(words[last] ?? '') && words[last - 1] !== 'key'))) last--;
  const word = words[last] ?? '';
  const before = last > 0 ? (words[last - 1] ?? '') : '';
  if (words.slice(0, last).some((w) => w === 'public')) return undefined;

  if (PASSWORD_WORDS.has(word)) return { strength: 'strong', kind: 'password' };
  if (STRONG_WORDS.has(word)) return { strength: 'strong', kind: 'secret-pair' };
  if (word === 'key') return { strength: KEY_QUALIFIERS.has(before) ? 'strong' : 'weak', kind: 'secret-pair' };
  if (word === 'id') {
    // `aws_access_key_id`, `AWSAccessKeyId`, Vault's `secret_id`; never `client_id` or `tenant_id`.
    if (before === 'key' || before === 'secret' || before === 'accesskey') return { strength: 'strong', kind: 'secret-pair' };
    if (before === 'session') return { strength: 'weak', kind: 'secret-pair' };
    return undefined;
  }
  if (word === 'verifier' && before === 'code') return { strength: 'strong', kind: 'secret-pair' };
  if (WEAK_WORDS.has(word)) return { strength: 'weak', kind: 'secret-pair' };
  for (const suffix of GLUED_SUFFIXES) {
    if (word.length > suffix.length && word.endsWith(suffix)) {
      return { strength: 'strong', kind: suffix.startsWith('pass') ? 'password' : 'secret-pair' };
    }
  }
  if (word.length > 3 && word.endsWith('key') && (word.startsWith('api') || word.startsWith('x'))) return { strength: 'strong', kind: 'secret-pair' };
  return undefined;
}
