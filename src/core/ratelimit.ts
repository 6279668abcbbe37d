// Per-user and per-conversation token buckets, so one person (or one noisy channel) cannot flood the bot.
// Pure: the clock is injected; memory is bounded by forgetting the least recently seen keys.

export interface BucketSpec {
  /** Burst size: messages allowed at once. */
  capacity: number;
  /** Tokens added back per second. */
  refillPerSecond: number;
}

export interface RateLimitOptions {
  user: BucketSpec;
  conversation: BucketSpec;
  /** Most keys (users + conversations) remembered at once; the least recently seen are forgotten first. */
  maxTrackedKeys: number;
  /** Milliseconds; Date.now in production, a counter in tests. */
  clock: () => number;
}

export type RateDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** Which bucket ran dry (the user's wins when both did). */
      scope: 'user' | 'conversation';
      /** When one more message would be accepted. */
      retryAfterMs: number;
      /** True for the first refusal of a streak: answer "slow down" once, then stay quiet until allowed again. */
      notify: boolean;
    };

export interface RateLimiter {
  /** Spend one message for this user in this conversation; nothing is spent when refused. */
  take(userKey: string, conversationKey: string): RateDecision;
  /** Keys currently remembered (for metrics and tests). */
  trackedKeys(): number;
}

/** A sensible default for a chat bot: bursts of 5 per user (20 per conversation), then one every 3 s (1/s). */
export const DEFAULT_RATE_LIMITS: Omit<RateLimitOptions, 'clock'> = {
  user: { capacity: 5, refillPerSecond: 1 / 3 },
  conversation: { capacity: 20, refillPerSecond: 1 },
  maxTrackedKeys: 10_000,
};

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** A refusal was already announced and no message has been allowed since. */
  warned: boolean;
}

function validate(name: string, spec: BucketSpec): void {
  if (!(spec.capacity >= 1) || !Number.isFinite(spec.capacity)) throw new RangeError(`${name}.capacity must be a finite number >= 1`);
  if (!(spec.refillPerSecond > 0) || !Number.isFinite(spec.refillPerSecond)) throw new RangeError(`${name}.refillPerSecond must be a finite number > 0`);
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  validate('user', options.user);
  validate('conversation', options.conversation);
  if (!Number.isInteger(options.maxTrackedKeys) || options.maxTrackedKeys < 2) throw new RangeError('maxTrackedKeys must be an integer >= 2');

  // Map iteration order is insertion order: re-inserting on every access makes the first key the least recently seen.
  const buckets = new Map<string, Bucket>();

  function bucketFor(key: string, spec: BucketSpec, now: number): Bucket {
    const existing = buckets.get(key);
    if (existing) {
      buckets.delete(key);
      const elapsedSec = Math.max(0, now - existing.updatedAt) / 1000;
      existing.tokens = Math.min(spec.capacity, existing.tokens + elapsedSec * spec.refillPerSecond);
      existing.updatedAt = now;
      buckets.set(key, existing);
      return existing;
    }
    const fresh: Bucket = { tokens: spec.capacity, updatedAt: now, warned: false };
    buckets.set(key, fresh);
    while (buckets.size > options.maxTrackedKeys) {
      const oldest = buckets.keys().next().value as string;
      buckets.delete(oldest);
    }
    return fresh;
  }

  const waitMs = (bucket: Bucket, spec: BucketSpec): number => Math.ceil(((1 - bucket.tokens) / spec.refillPerSecond) * 1000);

  return {
    take(userKey, conversationKey) {
      const now = options.clock();
      // Namespaced so a user id can never collide with a conversation id.
      const user = bucketFor(`u:${userKey}`, options.user, now);
      const conversation = bucketFor(`c:${conversationKey}`, options.conversation, now);
      const userDry = user.tokens < 1;
      const conversationDry = conversation.tokens < 1;
      if (!userDry && !conversationDry) {
        user.tokens -= 1;
        conversation.tokens -= 1;
        user.warned = false;
        conversation.warned = false;
        return { allowed: true };
      }
      const scope = userDry ? 'user' : 'conversation';
      const bucket = userDry ? user : conversation;
      const retryAfterMs = Math.max(userDry ? waitMs(user, options.user) : 0, conversationDry ? waitMs(conversation, options.conversation) : 0);
      const notify = !bucket.warned;
      bucket.warned = true;
      return { allowed: false, scope, retryAfterMs, notify };
    },
    trackedKeys: () => buckets.size,
  };
}

/**
 * Button presses (Mark resolved, Escalate, It's Okta) are cheap and idempotent, and people click
 * several cards in a row after a multi-error paste: a larger burst than messages, its own buckets.
 */
export const DEFAULT_PRESS_RATE_LIMITS: Omit<RateLimitOptions, 'clock'> = {
  user: { capacity: 20, refillPerSecond: 1 },
  conversation: { capacity: 60, refillPerSecond: 3 },
  maxTrackedKeys: 10_000,
};

/** The friendly answer to a refused button press. */
export function slowDownPressMessage(decision: Extract<RateDecision, { allowed: false }>): string {
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  return `Too many button presses at once. Please wait about ${seconds} second${seconds === 1 ? '' : 's'} and press again.`;
}

/** The friendly answer to a refused message. */
export function slowDownMessage(decision: Extract<RateDecision, { allowed: false }>): string {
  const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const who = decision.scope === 'user' ? "You're sending messages" : 'This conversation is sending messages';
  return `${who} faster than I can diagnose them. Please wait about ${seconds} second${seconds === 1 ? '' : 's'} and try again.`;
}
