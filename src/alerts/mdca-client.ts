// The Defender for Cloud Apps alerts API as the poller uses it: POST /api/v1/alerts/ with filters,
// sorting and paging (skip/limit), answered {data, hasNext, total}. Authenticated with an API token
// ("Authorization: Token <token>") or an Entra app's bearer token. Every failure comes back as a
// value saying what kind it is and when to try again; no credential or response body is kept.

import { parseRetryAfter } from '../core/retry-policy.js';
import type { TokenSource } from './entra-token.js';

export type MdcaAuth = { kind: 'api-token'; token: string } | { kind: 'bearer'; tokens: TokenSource };

export interface AlertListQuery {
  filters: Record<string, unknown>;
  sortField: 'date';
  sortDirection: 'asc' | 'desc';
  skip: number;
  limit: number;
}

export type AlertListResult =
  | { ok: true; alerts: unknown[]; hasNext: boolean }
  | { ok: false; kind: 'unauthorized' | 'throttled' | 'failed'; status?: number; retryAfterMs?: number; error: string };

export interface MdcaClient {
  listAlerts(query: AlertListQuery): Promise<AlertListResult>;
}

export interface MdcaClientOptions {
  /** https://<tenant>.<region>.portal.cloudappsecurity.com (no trailing slash). */
  apiUrl: string;
  auth: MdcaAuth;
  fetchImpl?: typeof fetch;
  /** Per request. Default 20 s. */
  timeoutMs?: number;
  clock?: () => Date;
}

/** Responses are capped (100 alerts a page); a body beyond this is refused, not parsed. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export function createMdcaClient(options: MdcaClientOptions): MdcaClient {
  const fetchImpl = options.fetchImpl ?? fetch;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const clock = options.clock ?? (() => new Date());
  const url = `${options.apiUrl.replace(/\/+$/, '')}/api/v1/alerts/`;

  async function authorization(fresh: boolean): Promise<string> {
    return options.auth.kind === 'api-token' ? `Token ${options.auth.token}` : `Bearer ${await options.auth.tokens.token(fresh)}`;
  }

  async function attempt(query: AlertListQuery, fresh: boolean): Promise<AlertListResult> {
    let header: string;
    try {
      header = await authorization(fresh);
    } catch (error) {
      return { ok: false, kind: 'unauthorized', error: error instanceof Error ? error.message : 'no token' };
    }
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: { authorization: header, 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'connector-doctor-alerts/1' },
        body: JSON.stringify(query),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'error';
      return { ok: false, kind: 'failed', error: name === 'TimeoutError' ? 'the API did not answer in time' : 'the API could not be reached' };
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), clock().getTime());
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const status = response.status;
      if (status === 401 || status === 403) return { ok: false, kind: 'unauthorized', status, error: `the API answered ${status}` };
      if (status === 429) return { ok: false, kind: 'throttled', status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error: 'the API answered 429' };
      return { ok: false, kind: 'failed', status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error: `the API answered ${status}` };
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_RESPONSE_BYTES) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, kind: 'failed', status: response.status, error: 'the API answered with a body too large to read' };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ok: false, kind: 'failed', status: response.status, error: 'the API answered with something that is not JSON' };
    }
    const data = (body as { data?: unknown })?.data;
    if (!Array.isArray(data)) return { ok: false, kind: 'failed', status: response.status, error: 'the API answered without a data list' };
    return { ok: true, alerts: data, hasNext: (body as { hasNext?: unknown }).hasNext === true };
  }

  return {
    async listAlerts(query) {
      const first = await attempt(query, false);
      // A cached Entra token the API no longer takes (revoked, new permissions): one fresh try.
      if (!first.ok && first.kind === 'unauthorized' && first.status === 401 && options.auth.kind === 'bearer') return attempt(query, true);
      return first;
    },
  };
}
