// How every retry in the bot waits and reads the other side's wishes, written once: the outbox's
// webhook deliveries, the webhook sink's Retry-After, and the bot's calls to Teams all use these.

/**
 * Exponential backoff with "equal jitter": between half and all of base·2^(attempt-1), capped at
 * `maxDelayMs`, so waits keep growing while many retries spread apart. `random` is in [0, 1).
 */
export function backoffDelayMs(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A Retry-After header as milliseconds from `nowMs`: delta-seconds (decimals allowed) or an
 * HTTP-date (a date in the past is 0). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The first value `pick` finds walking an error and its `cause` chain (fetch wraps the socket
 * error, botbuilder wraps fetch's), at most `depth` levels deep.
 */
export function findInCauses<T>(error: unknown, pick: (candidate: Record<string, unknown>) => T | undefined, depth = 4): T | undefined {
  let current: unknown = error;
  for (let level = 0; level < depth && typeof current === 'object' && current !== null; level += 1) {
    const found = pick(current as Record<string, unknown>);
    if (found !== undefined) return found;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
