// HTTP failure statuses in a paste, read only in a status's own context (`status code 502`,
// `"status": 503`, `returned 429`, `401 Unauthorized`), so a stray number (`retried 503 times`,
// `room 401`, `500 people`) is not taken for one.

/** First word of the standard reason phrase of each 4xx/5xx status (RFC 9110 and registry). */
const REASON_FIRST_WORD: Record<number, string> = {
  400: 'bad', 401: 'unauthorized', 402: 'payment', 403: 'forbidden', 404: 'not', 405: 'method', 406: 'not',
  407: 'proxy', 408: 'request', 409: 'conflict', 410: 'gone', 411: 'length', 412: 'precondition',
  413: 'content', 414: 'uri', 415: 'unsupported', 416: 'range', 417: 'expectation', 421: 'misdirected',
  422: 'unprocessable', 423: 'locked', 424: 'failed', 425: 'too', 426: 'upgrade', 428: 'precondition',
  429: 'too', 431: 'request', 451: 'unavailable', 500: 'internal', 501: 'not', 502: 'bad', 503: 'service',
  504: 'gateway', 505: 'http', 506: 'variant', 507: 'insufficient', 508: 'loop', 510: 'not', 511: 'network',
};
/** Words that say the number after them is an HTTP status (`status code 502`, `"status": 503`, `returned: 429`, `error 401`). */
const STATUS_CONTEXT = new Set(['status', 'code', 'statuscode', 'status_code', 'httpstatus', 'http', 'returned', 'returns', 'returning', 'response', 'error']);
/** Status names as .NET and some SDKs print them (`Status Code: Unauthorized`), read after a status word. */
const STATUS_NAMES = new Map<string, number>([
  ['badrequest', 400], ['unauthorized', 401], ['paymentrequired', 402], ['forbidden', 403], ['notfound', 404], ['conflict', 409],
  ['toomanyrequests', 429], ['internalservererror', 500], ['badgateway', 502], ['serviceunavailable', 503], ['gatewaytimeout', 504],
]);

/** The 4xx/5xx status `words[p]` is, or undefined. */
function failureStatusAt(words: readonly string[], p: number): number | undefined {
  const word = words[p] ?? '';
  if (word.length !== 3) return undefined;
  const a = word.charCodeAt(0) - 48;
  const b = word.charCodeAt(1) - 48;
  const c = word.charCodeAt(2) - 48;
  if (a < 4 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return undefined;
  return a * 100 + b * 10 + c;
}

/** The number at `p` reads as a status: a status word before it, or its reason phrase after it. */
function inStatusContext(words: readonly string[], p: number, n: number): boolean {
  const reason = REASON_FIRST_WORD[n];
  return STATUS_CONTEXT.has(words[p - 1] ?? '') || (reason !== undefined && words[p + 1] === reason);
}

/**
 * HTTP error statuses the catalog has no entry for (`502 Bad Gateway`, `status code 429`): read
 * only in a status's own context, so a plain number is not taken for one. Statuses the catalog
 * knows are read on their own, as before.
 */
export function httpStatusesIn(words: readonly string[], known: ReadonlySet<number>): number[] {
  const found: number[] = [];
  for (let p = 0; p < words.length; p++) {
    const n = failureStatusAt(words, p);
    if (n === undefined || known.has(n) || found.includes(n)) continue;
    if (inStatusContext(words, p, n)) found.push(n);
  }
  return found;
}

/**
 * Every 4xx/5xx status read in a status's own context: a status word before it or its reason
 * phrase after it (`status code 403`, `401 Unauthorized`), the client libraries' `403 Client
 * Error`, or a status name after a status word (`Status Code: Unauthorized`).
 */
export function statusesInContext(words: readonly string[]): Set<number> {
  const found = new Set<number>();
  for (let p = 0; p < words.length; p++) {
    const n = failureStatusAt(words, p);
    if (n !== undefined) {
      const next = words[p + 1];
      if (inStatusContext(words, p, n) || (n < 500 && next === 'client') || (n >= 500 && next === 'server')) found.add(n);
      continue;
    }
    const named = STATUS_NAMES.get(words[p] ?? '');
    if (named !== undefined && STATUS_CONTEXT.has(words[p - 1] ?? '')) found.add(named);
  }
  return found;
}

/**
 * Does the text report an HTTP failure? A 4xx/5xx status in its own context, or the client
 * libraries' own wording (`403 Client Error`, `502 Server Error`).
 */
export function hasFailureStatus(words: readonly string[]): boolean {
  return statusesInContext(words).size > 0;
}

/**
 * The status of a terse report, `Exchange Online 401` or `Okta connector 403`: a failure status
 * that ends the text right after the app's name (or after `connector`). `names`: the word
 * sequences of the app names to look for.
 */
export function terseStatus(words: readonly string[], names: readonly (readonly string[])[]): number | undefined {
  const last = words.length - 1;
  const n = failureStatusAt(words, last);
  if (n === undefined) return undefined;
  let end = last - 1;
  if (words[end] === 'connector') end--;
  for (const name of names) {
    const start = end - name.length + 1;
    if (start >= 0 && name.every((w, k) => words[start + k] === w)) return n;
  }
  return undefined;
}
