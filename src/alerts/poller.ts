// The optional pull: every interval, the instance holding the poll lease lists the Defender for
// Cloud Apps alerts raised (and resolved) since its cursor, keeps the app connector system alerts
// and feeds them to the same path as POST /api/alerts. The cursor lives in the store with the
// lease, so a restart or another instance carries on where the last poll stopped.

import { backoffDelayMs } from '../core/retry-policy.js';
import type { AlertOutcome, IncidentStore } from '../incidents/types.js';
import type { AlertListResult, MdcaClient } from './mdca-client.js';
import { parseAlert, type AlertSource, type ParsedAlert } from './payload.js';

/** Name of the lease (and cursor) in the store. */
const POLL_LEASE = 'mdca-alerts-poll';
const PAGE_SIZE = 100;
/** How much of the past a first poll looks at. */
const FIRST_LOOKBACK_MS = 24 * 60 * 60_000;
/** Resolutions are asked for a little before the last poll: clocks differ and the API indexes late. */
const RESOLVED_OVERLAP_MS = 5 * 60_000;
/** Ids remembered per cursor edge, so the overlap (and equal timestamps) fetch nothing twice. */
const MAX_REMEMBERED_IDS = 500;

export interface PollCursor {
  /** Alerts raised at or after this instant (ms) are still to be read... */
  raisedSince: number;
  /** ...except these, already read at exactly that instant. */
  raisedIds: string[];
  /** Resolutions at or after this instant are still to be read... */
  resolvedSince: number;
  /** ...except these, read by the last poll. */
  resolvedIds: string[];
}

export type PollOutcome = 'ok' | 'not-leader' | 'unauthorized' | 'throttled' | 'failed';

export interface PollSummary {
  outcome: PollOutcome;
  /** Alerts read from the API (of any kind). */
  fetched: number;
  /** App connector system alerts fed to the incidents. */
  recorded: number;
  /** When the next poll should run. */
  nextDelayMs: number;
}

export interface PollerLogger {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export interface PollerOptions {
  client: MdcaClient;
  store: Pick<IncidentStore, 'acquireLease' | 'saveLeaseCursor' | 'releaseLease'>;
  /** The same path as POST /api/alerts: record one alert. */
  record: (alert: ParsedAlert) => Promise<AlertOutcome>;
  onRecorded?: (outcome: AlertOutcome, source: AlertSource) => void;
  onPoll?: (outcome: PollOutcome) => void;
  /** This instance, as the lease's holder. */
  holder: string;
  clock: () => Date;
  intervalMs: number;
  /** How long the lease holds without a poll; default twice the interval, at least a minute. */
  leaseMs?: number;
  /** Pages read per poll (100 alerts each); the rest waits for the next poll. Default 10. */
  maxPages?: number;
  random?: () => number;
  logger: PollerLogger;
}

export interface Poller {
  pollOnce(): Promise<PollSummary>;
  start(): void;
  /** Stop polling, wait for a poll in flight and give the lease up. */
  stop(): Promise<void>;
}

/**
 * A system alert about an app connector. The API's alertType values are not documented, so the
 * alert's own words decide: a system alert (isSystemAlert, or "System alert" in the title) about
 * a connector ("System alert app connector error", "... app connector ... disconnected").
 */
export function isAppConnectorSystemAlert(alert: unknown): boolean {
  if (typeof alert !== 'object' || alert === null) return false;
  const { title, isSystemAlert } = alert as { title?: unknown; isSystemAlert?: unknown };
  if (typeof title !== 'string') return false;
  const system = isSystemAlert === true || /\bsystem alert\b/i.test(title);
  return system && /\bconnector\b/i.test(title);
}

function readCursor(value: unknown, now: number): PollCursor {
  const c = (typeof value === 'object' && value !== null ? value : {}) as Partial<PollCursor>;
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(-MAX_REMEMBERED_IDS) : []);
  return {
    raisedSince: num(c.raisedSince, now - FIRST_LOOKBACK_MS),
    raisedIds: ids(c.raisedIds),
    resolvedSince: num(c.resolvedSince, now),
    resolvedIds: ids(c.resolvedIds),
  };
}

const idOf = (alert: unknown): string => String((alert as { _id?: unknown })?._id ?? '');
const timestampOf = (alert: unknown): number | undefined => {
  const t = (alert as { timestamp?: unknown })?.timestamp;
  return typeof t === 'number' && Number.isFinite(t) ? t : undefined;
};

export function createPoller(options: PollerOptions): Poller {
  const { client, store, logger } = options;
  const leaseMs = options.leaseMs ?? Math.max(60_000, 2 * options.intervalMs);
  const maxPages = options.maxPages ?? 10;
  const random = options.random ?? Math.random;
  let failures = 0;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> | undefined;

  function failed(result: Extract<AlertListResult, { ok: false }>, fetched: number, recorded: number): PollSummary {
    failures += 1;
    // Refused credentials are not fixed by hammering: a longer backoff (from 1 min) than for a hiccup (from 30 s).
    const base = result.kind === 'unauthorized' ? 60_000 : 30_000;
    const backoff = backoffDelayMs(failures, base, 30 * 60_000, random);
    const nextDelayMs = Math.max(options.intervalMs, result.retryAfterMs ?? 0, backoff);
    logger.warn({ kind: result.kind, status: result.status, error: result.error, retryInMs: nextDelayMs, failures }, 'Defender for Cloud Apps alerts could not be listed');
    options.onPoll?.(result.kind);
    return { outcome: result.kind, fetched, recorded, nextDelayMs };
  }

  /** Feed the app connector system alerts of one page; false when the lease was lost meanwhile. */
  async function feed(page: unknown[]): Promise<number> {
    let recorded = 0;
    for (const raw of page) {
      if (!isAppConnectorSystemAlert(raw)) continue;
      const parsed = parseAlert(raw);
      if (!parsed.ok || parsed.alert.source !== 'mdca') {
        logger.warn({ id: idOf(raw).slice(0, 64) }, 'a Defender for Cloud Apps alert could not be read; skipped');
        continue;
      }
      const outcome = await options.record(parsed.alert);
      recorded += 1;
      options.onRecorded?.(outcome, 'mdca');
    }
    return recorded;
  }

  async function pollOnce(): Promise<PollSummary> {
    const started = options.clock();
    const lease = await store.acquireLease(POLL_LEASE, options.holder, started, leaseMs);
    if (!lease) {
      options.onPoll?.('not-leader');
      return { outcome: 'not-leader', fetched: 0, recorded: 0, nextDelayMs: options.intervalMs };
    }
    const cursor = readCursor(lease.cursor, started.getTime());
    let fetched = 0;
    let recorded = 0;
    // Where the stored cursor stood when this poll last read or wrote it: another instance that
    // polled meanwhile moved it.
    const mark = (c: typeof cursor) => `${c.raisedSince}/${c.resolvedSince}`;
    let savedMark = mark(cursor);
    const lost = () => logger.warn({}, 'the poll lease moved to another instance; this poll stops');
    const save = async (): Promise<boolean> => {
      const kept = await store.saveLeaseCursor(POLL_LEASE, options.holder, cursor, options.clock());
      if (!kept) lost();
      else savedMark = mark(cursor);
      return kept;
    };
    // Before alerts of a page are recorded: still ours (extended for another leaseMs), and nobody
    // else polled while this page was fetched. Otherwise stop before writing anything: the other
    // instance has fed these alerts, and feeding them again would count false repeats.
    const hold = async (): Promise<boolean> => {
      const renewed = await store.acquireLease(POLL_LEASE, options.holder, options.clock(), leaseMs);
      const kept = renewed !== undefined && mark(readCursor(renewed.cursor, started.getTime())) === savedMark;
      if (!kept) lost();
      return kept;
    };

    // Raised since the cursor, oldest first, page by page; the cursor moves after each page.
    for (let page = 0; page < maxPages; page += 1) {
      const result = await client.listAlerts({
        filters: { date: { gte: cursor.raisedSince } },
        sortField: 'date',
        sortDirection: 'asc',
        // No skip: alerts sharing the cursor's instant may come back in any order; ids tell them apart.
        skip: 0,
        limit: PAGE_SIZE,
      });
      if (!result.ok) return failed(result, fetched, recorded);
      fetched += result.alerts.length;
      const fresh = result.alerts.filter((a) => !(timestampOf(a) === cursor.raisedSince && cursor.raisedIds.includes(idOf(a))));
      if (!(await hold())) return { outcome: 'not-leader', fetched, recorded, nextDelayMs: options.intervalMs };
      recorded += await feed(fresh);
      for (const alert of result.alerts) {
        const t = timestampOf(alert);
        if (t === undefined) continue;
        if (t > cursor.raisedSince) {
          cursor.raisedSince = t;
          cursor.raisedIds = [];
        }
        if (t === cursor.raisedSince && !cursor.raisedIds.includes(idOf(alert))) cursor.raisedIds.push(idOf(alert));
      }
      cursor.raisedIds = cursor.raisedIds.slice(-MAX_REMEMBERED_IDS);
      if (!(await save())) return { outcome: 'not-leader', fetched, recorded, nextDelayMs: options.intervalMs };
      // A page of nothing new (more alerts at one instant than a page holds) would come back forever.
      if (!result.hasNext || fresh.length === 0) break;
    }

    // Resolved or dismissed since the last poll: their cards say so, and nobody-touched ones resolve.
    const resolvedFrom = Math.max(0, cursor.resolvedSince - RESOLVED_OVERLAP_MS);
    const seen: string[] = [];
    for (let page = 0, skip = 0; page < maxPages; page += 1) {
      const result = await client.listAlerts({ filters: { resolutionDate: { gte: resolvedFrom } }, sortField: 'date', sortDirection: 'asc', skip, limit: PAGE_SIZE });
      if (!result.ok) return failed(result, fetched, recorded);
      fetched += result.alerts.length;
      skip += result.alerts.length;
      const fresh = result.alerts.filter((a) => !cursor.resolvedIds.includes(idOf(a)));
      if (!(await hold())) return { outcome: 'not-leader', fetched, recorded, nextDelayMs: options.intervalMs };
      recorded += await feed(fresh);
      seen.push(...result.alerts.map(idOf));
      if (!result.hasNext || result.alerts.length === 0) break;
    }
    cursor.resolvedSince = started.getTime();
    cursor.resolvedIds = seen.slice(-MAX_REMEMBERED_IDS);
    if (!(await save())) return { outcome: 'not-leader', fetched, recorded, nextDelayMs: options.intervalMs };

    failures = 0;
    options.onPoll?.('ok');
    if (recorded > 0) logger.info({ fetched, recorded }, 'Defender for Cloud Apps alerts polled');
    return { outcome: 'ok', fetched, recorded, nextDelayMs: options.intervalMs };
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), delayMs);
    timer.unref();
  }

  async function tick(): Promise<void> {
    if (!running || inFlight) return;
    let next = options.intervalMs;
    const current = pollOnce().then(
      (summary) => {
        next = summary.nextDelayMs;
      },
      (error: unknown) => {
        // The store failed (it logged why): try again at the next interval.
        logger.error({ err: error instanceof Error ? error.name : 'error' }, 'Defender for Cloud Apps poll failed');
        options.onPoll?.('failed');
      },
    );
    inFlight = current;
    await current;
    inFlight = undefined;
    schedule(next);
  }

  return {
    pollOnce,
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await inFlight;
      await store.releaseLease(POLL_LEASE, options.holder).catch(() => undefined);
    },
  };
}
