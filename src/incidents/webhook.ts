// The support webhook sink: POSTs an escalation's stored JSON, signed with HMAC-SHA256, with the
// escalation's stable Idempotency-Key, and classifies the answer for the outbox (delivered,
// retry later, or give up). Errors it returns name a status or a failure kind only: never the
// receiver's body, never the URL (it may carry credentials).

import { createHmac } from 'node:crypto';
import { WebhookConfigError } from '../core/errors.js';
import { findInCauses, parseRetryAfter } from '../core/retry-policy.js';
import type { DeliveryResult, EscalationSink, OutboxMessage } from './types.js';

export { WebhookConfigError };

export const SIGNATURE_HEADER = 'X-Connector-Doctor-Signature';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export interface WebhookSinkOptions {
  url: string;
  secret: string;
  /** Per attempt; the outbox lease must be longer. Default 10 s. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** To turn a Retry-After HTTP-date into a delay. */
  clock?: () => Date;
}

/** `sha256=<hex>` of the raw body: what receivers recompute to verify. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

const RETRYABLE_STATUSES = new Set([408, 425, 429]);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or plain http to this machine only (a local receiver, tests): nothing goes in clear over a network. */
export function isSecureTransport(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

/** HTTPS, or plain HTTP to this machine only (a local receiver, tests): escalations are not sent in clear over a network. */
export function parseWebhookUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WebhookConfigError('SUPPORT_WEBHOOK_URL is not a valid URL.');
  }
  if (isSecureTransport(url)) return url;
  throw new WebhookConfigError('SUPPORT_WEBHOOK_URL must be https:// (plain http:// is accepted only for 127.0.0.1 or localhost).');
}

export function createWebhookSink(options: WebhookSinkOptions): EscalationSink {
  const url = parseWebhookUrl(options.url);
  if (!options.secret) throw new WebhookConfigError('SUPPORT_WEBHOOK_SECRET must be set to sign escalations.');
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clock = options.clock ?? (() => new Date());

  return {
    target: 'webhook',
    async deliver(message: OutboxMessage): Promise<DeliveryResult> {
      const body = JSON.stringify(message.payload);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'connector-doctor-escalations/1',
            [IDEMPOTENCY_HEADER]: message.idempotencyKey,
            [SIGNATURE_HEADER]: signBody(body, options.secret),
            'X-Connector-Doctor-Attempt': String(message.attempts),
          },
          body,
          // A signed body is never re-sent to wherever a redirect points.
          redirect: 'manual',
          signal: controller.signal,
        });
      } catch (error) {
        return { ok: false, retryable: true, error: controller.signal.aborted ? `timeout after ${timeoutMs} ms` : networkError(error) };
      } finally {
        clearTimeout(timer);
      }
      // The body is never read: it is not ours to store or show.
      await response.body?.cancel().catch(() => undefined);
      const status = response.status;
      if (status >= 200 && status < 300) return { ok: true };
      const retryable = RETRYABLE_STATUSES.has(status) || status >= 500;
      const error = `HTTP ${status}`;
      if (!retryable) return { ok: false, retryable: false, error: status >= 300 && status < 400 ? `${error} (redirects are not followed)` : error };
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), clock().getTime());
      return retryAfterMs === undefined ? { ok: false, retryable: true, error } : { ok: false, retryable: true, error, retryAfterMs };
    },
  };
}

/** A failure kind an operator can act on (ECONNREFUSED, ENOTFOUND), without host names or paths. */
function networkError(error: unknown): string {
  const code = findInCauses(error, (e) => (typeof e.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(e.code) ? e.code : undefined));
  return code ? `network error (${code})` : 'network error';
}
