// The outbox worker: delivers escalations recorded by the store through the configured sinks,
// at least once. Claims are leases in the database, so a worker killed mid-delivery only delays
// the message until the lease expires; several instances never deliver one message twice in a
// row (each claim is exclusive), and receivers dedupe the rare repeat by Idempotency-Key.

import { isStoreError } from '../core/errors.js';
import { backoffDelayMs } from '../core/retry-policy.js';
import type { EscalationSink, IncidentStore, OutboxMessage } from './types.js';

export interface OutboxLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * The production retry policy. 40 attempts with backoff from 2 s capped at 5 min keep retrying
 * for 82–164 minutes (jitter), so a support desk that is down for an hour still gets the
 * escalation; docs/incidents.md has the table for other values.
 */
export const DEFAULT_MAX_ATTEMPTS = 40;
export const DEFAULT_BASE_DELAY_MS = 2_000;
export const DEFAULT_MAX_DELAY_MS = 5 * 60_000;
export const DEFAULT_UNROUTABLE_AFTER_MS = 10 * 60_000;
/** Why a message for a destination that is no longer set up was dead-lettered. */
export const UNROUTABLE_ERROR = 'its destination is no longer set up';

export interface OutboxWorkerOptions {
  store: Pick<IncidentStore, 'claimDue' | 'markDelivered' | 'markFailed' | 'markDeadLettered'> & Partial<Pick<IncidentStore, 'unroutable' | 'extendClaim'>>;
  sinks: EscalationSink[];
  clock?: () => Date;
  /** In [0, 1): spreads retries of many messages (jitter). */
  random?: () => number;
  /** Attempts before a message is dead-lettered (ESCALATION_MAX_ATTEMPTS). Default DEFAULT_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** Backoff of the first retry (jittered to half..full; ESCALATION_RETRY_BASE_MS). Default 2 s. */
  baseDelayMs?: number;
  /** Cap of the exponential backoff (ESCALATION_RETRY_MAX_MS). Default 5 min. */
  maxDelayMs?: number;
  /** Longest Retry-After honoured as given; longer answers are cut to this. Default 1 h. */
  maxRetryAfterMs?: number;
  /**
   * How long a claim stays exclusive. While a delivery runs, the claim is extended every third of
   * this, so a destination that takes longer (Teams' client waiting out a long Retry-After inside
   * one call) is never claimed and delivered a second time by another worker. Default 60 s.
   */
  leaseMs?: number;
  /** Pause between polls when idle. Default 1 s. */
  pollMs?: number;
  /** Messages claimed per poll. Default 10. */
  batchSize?: number;
  onDelivered?: (message: OutboxMessage) => void | Promise<void>;
  onDeadLettered?: (message: OutboxMessage, error: string) => void | Promise<void>;
  /**
   * A pending message no sink here delivers (its destination was removed from the configuration)
   * is dead-lettered once it is this old, so its card says it was not sent and offers to send it
   * again, instead of "delivery pending" for ever. The wait lets an instance that has the sink (a
   * rolling configuration change) take it first. Default 10 min.
   */
  unroutableAfterMs?: number;
  logger?: OutboxLogger;
}

export interface DrainSummary {
  claimed: number;
  delivered: number;
  retrying: number;
  deadLettered: number;
}

export interface OutboxWorker {
  /** Poll in the background until stop(). */
  start(): void;
  /** Stop polling and wait for deliveries in flight. */
  stop(): Promise<void>;
  /** Poll now instead of at the next interval (e.g. right after an escalation). */
  wake(): void;
  /** Claim and attempt every due message once (tests, and each poll). */
  drainOnce(): Promise<DrainSummary>;
}

const silent: OutboxLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store } = options;
  const sinks = new Map(options.sinks.map((sink) => [sink.target, sink]));
  const targets = [...sinks.keys()];
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60 * 60_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 1_000;
  const batchSize = options.batchSize ?? 10;
  const logger = options.logger ?? silent;
  const unroutableAfterMs = options.unroutableAfterMs ?? DEFAULT_UNROUTABLE_AFTER_MS;
  /** When the last look for unroutable messages ran (clock ms). */
  let lastSweep: number | undefined;

  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> | undefined;

  /**
   * A sink or hook that throws met Teams or the store failing (a warning: the message is retried)
   * or has a bug (TypeError and kin: an error, so tests and alerts on the log see it).
   */
  const thrown = (fields: Record<string, unknown>, error: unknown, message: string) => {
    const bug = error instanceof TypeError || error instanceof ReferenceError || error instanceof RangeError || error instanceof SyntaxError;
    (bug ? logger.error : logger.warn).call(logger, { ...fields, ...errorFields(error) }, message);
  };

  /** What may be logged of an error a sink or hook threw: its name and code, never its message. */
  const errorFields = (error: unknown) => ({
    err: error instanceof Error ? error.name : 'error',
    ...(typeof (error as { code?: unknown } | null)?.code === 'string' ? { code: (error as { code: string }).code } : {}),
  });

  async function notify(name: string, message: OutboxMessage, fn: () => void | Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      // The card was not updated: said with the ids, never swallowed.
      thrown({ hook: name, outboxId: message.id, incidentId: message.incidentId, target: message.target }, error, 'outbox hook failed');
    }
  }

  async function attempt(message: OutboxMessage, summary: DrainSummary): Promise<void> {
    const fields = { outboxId: message.id, incidentId: message.incidentId, target: message.target, attempt: message.attempts };
    const sink = sinks.get(message.target);
    let result;
    const extend = store.extendClaim?.bind(store);
    const keepClaim = extend
      ? setInterval(() => {
          extend(message.id, new Date(clock().getTime() + leaseMs)).catch((error: unknown) => thrown(fields, error, 'outbox could not extend a claim'));
        }, Math.max(10, Math.floor(leaseMs / 3)))
      : undefined;
    keepClaim?.unref();
    try {
      result = sink ? await sink.deliver(message) : { ok: false as const, retryable: true, error: 'no sink for this target' };
    } catch (error) {
      // Sinks answer expected failures with a result; what they throw is logged with the ids, then retried.
      thrown(fields, error, 'outbox sink threw');
      result = { ok: false as const, retryable: true, error: `sink failed (${error instanceof Error ? error.name : 'error'})` };
    } finally {
      clearInterval(keepClaim);
    }
    const now = clock();
    if (result.ok) {
      await store.markDelivered(message.id, now);
      summary.delivered += 1;
      logger.info(fields, 'escalation delivered');
      await notify('onDelivered', message, () => options.onDelivered?.(message));
      return;
    }
    // Nowhere to deliver yet (no alerts channel): wait, without using up an attempt or dead-lettering.
    const waiting = result.retryable && result.notAttempted === true;
    if (!result.retryable || (message.attempts >= maxAttempts && !waiting)) {
      await store.markDeadLettered(message.id, result.error, now);
      summary.deadLettered += 1;
      logger.error({ ...fields, error: result.error, retryable: result.retryable }, 'escalation dead-lettered');
      await notify('onDeadLettered', message, () => options.onDeadLettered?.(message, result.error));
      return;
    }
    const delay =
      result.retryAfterMs !== undefined
        ? Math.min(Math.max(0, result.retryAfterMs), maxRetryAfterMs)
        : backoffDelayMs(message.attempts, baseDelayMs, maxDelayMs, random);
    const retryAt = new Date(now.getTime() + delay);
    await store.markFailed(message.id, result.error, retryAt, waiting);
    summary.retrying += 1;
    logger.warn({ ...fields, error: result.error, retryAt: retryAt.toISOString() }, 'escalation delivery failed; will retry');
  }

  async function drainOnce(): Promise<DrainSummary> {
    const summary: DrainSummary = { claimed: 0, delivered: 0, retrying: 0, deadLettered: 0 };
    const now = clock();
    // Nothing turns unroutable before unroutableAfterMs: look at most once a minute, not every poll.
    if (store.unroutable && (lastSweep === undefined || now.getTime() - lastSweep >= Math.min(60_000, unroutableAfterMs))) {
      lastSweep = now.getTime();
      for (const message of await store.unroutable(now, targets, new Date(now.getTime() - unroutableAfterMs), batchSize)) {
        await store.markDeadLettered(message.id, UNROUTABLE_ERROR, now);
        summary.deadLettered += 1;
        logger.error({ outboxId: message.id, incidentId: message.incidentId, target: message.target }, 'escalation dead-lettered: its destination is no longer set up');
        await notify('onDeadLettered', message, () => options.onDeadLettered?.(message, UNROUTABLE_ERROR));
      }
    }
    const messages = await store.claimDue(now, batchSize, leaseMs, targets);
    summary.claimed = messages.length;
    await Promise.all(
      messages.map((message) =>
        attempt(message, summary).catch((error: unknown) => {
          // The store failed to record the outcome: the lease expires and the message is retried.
          logger.error({ outboxId: message.id, incidentId: message.incidentId, target: message.target, ...errorFields(error) }, 'outbox could not record a delivery outcome');
        }),
      ),
    );
    return summary;
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), delayMs);
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (!running || inFlight) return;
    let full = false;
    const current = drainOnce().then(
      (summary) => {
        full = summary.claimed >= batchSize;
      },
      (error: unknown) => {
        // A store failure was logged (and counted) by the store already, at most once a minute: not again every poll.
        if (!isStoreError(error)) logger.error(errorFields(error), 'outbox poll failed');
      },
    );
    inFlight = current;
    await current;
    inFlight = undefined;
    // A full batch means more may be due right now.
    schedule(full ? 0 : pollMs);
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
    wake() {
      if (running && !inFlight) schedule(0);
    },
    drainOnce,
  };
}
