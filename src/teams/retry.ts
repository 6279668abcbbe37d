// Retries for the bot's calls to Teams (sendActivity, updateActivity, continueConversation): Teams answers
// 429 / 412 / 502 / 504 or drops the connection under load, and asks us to back off with jitter, honouring Retry-After.
// Note: botbuilder's HTTP pipeline already retries 429 and 5xx a few times inside one call; this wrapper adds
// 412 and resets, and decides when to give up, so keep maxAttempts small.
import type { MiddlewareHandler } from 'botbuilder';
import { backoffDelayMs, findInCauses, parseRetryAfter } from '../core/retry-policy.js';

export interface TeamsRetryOptions {
  /** Total attempts, the first included. Default 3. */
  maxAttempts?: number;
  /** First backoff; doubles each attempt. Default 500 ms. */
  baseDelayMs?: number;
  /** Ceiling for the exponential backoff. Default 8000 ms. */
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the error is thrown instead. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Statuses worth another attempt. Default 412, 429, 502, 504. */
  retryStatuses?: readonly number[];
  /** Default: a real timer. Tests pass a fake that records the delays. */
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1). Default Math.random. */
  random?: () => number;
  /** Milliseconds since the epoch, to read a Retry-After given as an HTTP date. Default Date.now. */
  clock?: () => number;
  /** Told about each retry before the wait (for logs and metrics). */
  onRetry?: (retry: { attempt: number; delayMs: number; status?: number; code?: string }) => void;
}

export const DEFAULT_RETRY_STATUSES: readonly number[] = [412, 429, 502, 504];

/** Connection-level failures that are worth another attempt. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

type Headers = { get?: (name: string) => string | null | undefined } | Record<string, unknown>;

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  status?: unknown;
  headers?: Headers;
  response?: { status?: unknown; headers?: Headers };
  cause?: unknown;
}

const shape = (err: unknown): ErrorShape => (typeof err === 'object' && err !== null ? (err as ErrorShape) : {});

/** The HTTP status of a failed call to Teams: botbuilder's RestError carries statusCode (and response.status). */
export function httpStatusOf(err: unknown): number | undefined {
  const e = shape(err);
  for (const candidate of [e.statusCode, e.status, e.response?.status]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate)) return candidate;
  }
  return undefined;
}

function networkCodeOf(err: unknown): string | undefined {
  return findInCauses(err, (e) => (typeof e.code === 'string' && RESET_CODES.has(e.code) ? e.code : undefined));
}

function header(headers: Headers | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof headers.get === 'function') {
    const value = (headers.get as (n: string) => unknown)(name);
    return typeof value === 'string' ? value : undefined;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && (typeof value === 'string' || typeof value === 'number')) return String(value);
  }
  return undefined;
}

/** Retry-After in milliseconds (delta-seconds or HTTP date), undefined when absent or unreadable. */
export function retryAfterMs(err: unknown, now: number = Date.now()): number | undefined {
  const e = shape(err);
  return parseRetryAfter(header(e.response?.headers, 'retry-after') ?? header(e.headers, 'retry-after'), now);
}

/** Whether another attempt could succeed: a retryable status or a dropped connection; never a cancellation. */
export function isRetriableTeamsError(err: unknown, retryStatuses: readonly number[] = DEFAULT_RETRY_STATUSES): boolean {
  if (shape(err).name === 'AbortError') return false;
  const status = httpStatusOf(err);
  if (status !== undefined) return retryStatuses.includes(status);
  return networkCodeOf(err) !== undefined;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run `fn` (a call to Teams) and retry it on transient failures: exponential backoff with equal jitter
 * (half fixed, half random, so waits still grow), never shorter than the server's Retry-After.
 * The last error is rethrown unchanged when attempts run out or the failure is not transient.
 */
export async function withTeamsRetry<T>(fn: (attempt: number) => Promise<T>, options: TeamsRetryOptions = {}): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 3));
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 8_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const retryStatuses = options.retryStatuses ?? DEFAULT_RETRY_STATUSES;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const clock = options.clock ?? Date.now;

  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= maxAttempts || !isRetriableTeamsError(err, retryStatuses)) throw err;
      const backoff = backoffDelayMs(attempt, baseDelayMs, maxDelayMs, random);
      const asked = retryAfterMs(err, clock());
      if (asked !== undefined && asked > maxRetryAfterMs) throw err;
      const delayMs = Math.max(backoff, asked ?? 0);
      const status = httpStatusOf(err);
      const code = networkCodeOf(err);
      options.onRetry?.({ attempt, delayMs, ...(status !== undefined ? { status } : {}), ...(code !== undefined ? { code } : {}) });
      await sleep(delayMs);
    }
  }
}

export interface TeamsRetryMiddlewareOptions extends TeamsRetryOptions {
  /**
   * Tighter settings inside invoke turns (card buttons), whose answer Teams expects within about 5 s.
   * Default: 2 attempts, Retry-After up to 1.5 s, backoff at most 1 s.
   */
  invoke?: TeamsRetryOptions;
}

/**
 * Adapter middleware (`adapter.use(teamsRetryMiddleware())`) that puts withTeamsRetry around every send
 * and card update of every turn, proactive ones included. A batch of several activities is not retried
 * (a failure half-way would post the first ones twice); the bot sends one activity per call.
 */
export function teamsRetryMiddleware(options: TeamsRetryMiddlewareOptions = {}): MiddlewareHandler {
  const { invoke, ...general } = options;
  const forInvoke: TeamsRetryOptions = { ...general, maxAttempts: 2, maxRetryAfterMs: 1_500, maxDelayMs: 1_000, ...invoke };
  return async (context, next) => {
    const settings = context.activity?.type === 'invoke' ? forInvoke : general;
    context.onSendActivities((_ctx, activities, send) => (activities.length === 1 ? withTeamsRetry(() => send(), settings) : send()));
    context.onUpdateActivity((_ctx, _activity, update) => withTeamsRetry(() => update(), settings));
    await next();
  };
}
