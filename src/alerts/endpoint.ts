// POST /api/alerts without the HTTP framework: who may send (a bearer token compared in constant
// time, before the body is read), how fast (a token bucket per token), and what an alert gets
// back (202 with the incident id once it is stored, or a clear 400/503). server.ts wires it.

import { createHash, timingSafeEqual } from 'node:crypto';
import { isStoreError } from '../core/errors.js';
import type { RateLimiter } from '../core/ratelimit.js';
import type { AlertOutcome } from '../incidents/types.js';
import { ingestAlert, type AlertIngestDeps } from './ingest.js';
import type { AlertSource } from './payload.js';

/**
 * A Logic App or a flow posting a burst of alerts (a tenant whose connectors all failed at once)
 * gets through; a runaway loop does not: 60 at once per token, then 2 a second, and 200 at once,
 * 10 a second, for every token together.
 */
export const DEFAULT_ALERT_RATE_LIMITS = {
  user: { capacity: 60, refillPerSecond: 2 },
  conversation: { capacity: 200, refillPerSecond: 10 },
  maxTrackedKeys: 1_000,
};

export type Admission = { ok: true; caller: string } | { ok: false; status: 401 } | { ok: false; status: 429; retryAfterSeconds: number };

export interface AlertReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * Why a request to /api/alerts got no 202, one reason per answer: 401, 429, 400 (unreadable JSON or
 * an alert it cannot use), 415, 413, 503, and 500 (`failed`).
 */
export type AlertRefusal = 'unauthorized' | 'rate-limited' | 'invalid' | 'unsupported-media-type' | 'too-large' | 'unavailable' | 'failed';

export interface AlertEndpoint {
  /** Before the body is read: is this caller allowed, and is it within its rate? */
  admit(authorization: string | undefined): Admission;
  /** The alert, parsed from JSON: recorded, or why not. */
  handle(body: unknown): Promise<AlertReply>;
  /** A refusal answered by the HTTP layer rather than by `admit` or `handle` (415, 413, unreadable JSON, 500): count it. */
  refused(reason: AlertRefusal): void;
}

export interface AlertEndpointOptions {
  /** ALERTS_TOKEN: one or more (during a rotation) accepted bearer tokens. */
  tokens: readonly string[];
  ingest: AlertIngestDeps;
  limiter: RateLimiter;
  /** After an alert was recorded: metrics, wake the outbox, update its card. */
  onRecorded?: (outcome: AlertOutcome, source: AlertSource) => void;
  /** A refusal, by reason: count it. */
  onRefused?: (reason: AlertRefusal) => void;
  logger: { info(fields: Record<string, unknown>, msg: string): void; warn(fields: Record<string, unknown>, msg: string): void; error(fields: Record<string, unknown>, msg: string): void };
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** What the sender gets back about its alert: the incident, and what its alert did to it. */
function outcomeWord(outcome: AlertOutcome): 'opened' | 'repeated' | 'cleared' | 'ignored' {
  switch (outcome.decision.kind) {
    case 'open':
      return 'opened';
    case 'repeat':
      return 'repeated';
    case 'clear':
      return 'cleared';
    case 'ignore':
      return 'ignored';
  }
}

export function createAlertEndpoint(options: AlertEndpointOptions): AlertEndpoint {
  // Tokens are compared as SHA-256 digests: equal lengths for timingSafeEqual, and every token is
  // compared whatever matched first, so the time taken says nothing about any of them.
  const expected = options.tokens.map(digest);
  const { logger } = options;

  function callerOf(authorization: string | undefined): number {
    const match = /^Bearer ([^\s]{1,4096})\s*$/i.exec(authorization ?? '');
    const given = digest(match?.[1] ?? '');
    let found = -1;
    for (let i = 0; i < expected.length; i += 1) {
      if (timingSafeEqual(given, expected[i]!) && match) found = i;
    }
    return found;
  }

  return {
    refused(reason) {
      options.onRefused?.(reason);
    },

    admit(authorization) {
      const caller = callerOf(authorization);
      if (caller < 0) {
        options.onRefused?.('unauthorized');
        return { ok: false, status: 401 };
      }
      const key = `token-${caller}`;
      const decision = options.limiter.take(key, 'alerts');
      if (!decision.allowed) {
        options.onRefused?.('rate-limited');
        return { ok: false, status: 429, retryAfterSeconds: Math.max(1, Math.ceil(decision.retryAfterMs / 1000)) };
      }
      return { ok: true, caller: key };
    },

    async handle(body) {
      let result;
      try {
        result = await ingestAlert(options.ingest, body);
      } catch (error) {
        if (isStoreError(error)) {
          options.onRefused?.('unavailable');
          logger.warn({ code: error.code, kind: error.kind }, 'alert not stored: the incident store failed');
          // Senders (Logic Apps, flows) retry 503 by themselves, after Retry-After.
          return {
            status: 503,
            headers: { 'Retry-After': '30' },
            body: { code: 'Unavailable', message: 'The alert could not be stored right now. Send it again in a moment.' },
          };
        }
        throw error;
      }
      if (!result.ok) {
        options.onRefused?.('invalid');
        return { status: 400, body: { code: 'BadRequest', message: result.message } };
      }
      const { outcome } = result;
      logger.info({ source: result.source, incidentId: outcome.incident.id, outcome: outcome.decision.kind, verdict: outcome.incident.verdict }, 'alert recorded');
      options.onRecorded?.(outcome, result.source);
      return { status: 202, body: { incidentId: outcome.incident.id, outcome: outcomeWord(outcome), state: outcome.incident.state } };
    },
  };
}
