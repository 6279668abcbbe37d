// Retention: incidents, their audit trail and finished outbox rows older than RETENTION_DAYS are
// deleted, at start and then a few times a day. Escalations still being delivered are kept.

import { DAY_MS } from './rows.js';
import type { IncidentStore } from './types.js';
import type { OutboxLogger } from './outbox.js';

export interface RetentionJobOptions {
  store: Pick<IncidentStore, 'purge'>;
  retentionDays: number;
  clock?: () => Date;
  /** Default 6 h. */
  intervalMs?: number;
  logger?: Pick<OutboxLogger, 'info' | 'error'>;
}

export interface RetentionJob {
  /** Purge now; returns the number of incidents removed. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): void;
}

export function createRetentionJob(options: RetentionJobOptions): RetentionJob {
  const clock = options.clock ?? (() => new Date());
  const intervalMs = options.intervalMs ?? 6 * 60 * 60_000;
  let timer: NodeJS.Timeout | undefined;

  async function runOnce(): Promise<number> {
    const before = new Date(clock().getTime() - options.retentionDays * DAY_MS);
    const removed = await options.store.purge(before);
    options.logger?.info({ removed, before: before.toISOString() }, 'retention purge');
    return removed;
  }

  const safeRun = () =>
    void runOnce().catch((error: unknown) => options.logger?.error({ err: error instanceof Error ? error.name : 'error' }, 'retention purge failed'));

  return {
    runOnce,
    start() {
      if (timer) return;
      safeRun();
      timer = setInterval(safeRun, intervalMs);
      // Retention alone never keeps the process alive.
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
