// Entry point of the incidents module: open the store named by DATABASE_URL and re-export what
// the bot needs (store, outbox worker, webhook sink, escalation payload).

import { StoreError } from './rows.js';
import { openSqliteStore } from './sqlite.js';
import type { IncidentStore } from './types.js';

export interface OpenStoreOptions {
  /** SQLite: ms a writer waits for another process's lock. */
  busyTimeoutMs?: number;
  /** PostgreSQL: pool size. */
  maxConnections?: number;
  /** PostgreSQL: ms to wait for a connection before failing. */
  connectTimeoutMs?: number;
  /** Id factory (tests); defaults to random UUIDs. */
  newId?: () => string;
  /** Clock for bookkeeping columns only; incident times come from arguments. */
  now?: () => Date;
  /** Skip migrations at open (they are idempotent; tests of migrate() itself use this). */
  skipMigrations?: boolean;
}

/**
 * Open and migrate the store: `sqlite:<path>` (the folder is created), `sqlite::memory:`, or
 * `postgres://...` / `postgresql://...`.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<IncidentStore> {
  const store = await createStore(databaseUrl, options);
  if (!options.skipMigrations) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  }
  return store;
}

async function createStore(databaseUrl: string, options: OpenStoreOptions): Promise<IncidentStore> {
  const url = databaseUrl.trim();
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new StoreError('bad-url', 'DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/connector-doctor.db');
    return openSqliteStore(path, options);
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(url, options);
  }
  throw new StoreError('bad-url', 'DATABASE_URL must start with sqlite: or postgres:// (e.g. sqlite:./data/connector-doctor.db).');
}

export { StoreError } from './rows.js';
export { buildEscalationPayload, ESCALATION_PAYLOAD_TYPE, teamsLink, type EscalationContext, type EscalationPayload } from './escalation.js';
export {
  createWebhookSink,
  IDEMPOTENCY_HEADER,
  parseRetryAfter,
  parseWebhookUrl,
  SIGNATURE_HEADER,
  signBody,
  WebhookConfigError,
  type WebhookSinkOptions,
} from './webhook.js';
export { backoffDelayMs, createOutboxWorker, type DrainSummary, type OutboxLogger, type OutboxWorker, type OutboxWorkerOptions } from './outbox.js';
export { createRetentionJob, type RetentionJob, type RetentionJobOptions } from './retention.js';
export { decide, idempotencyKey, repeatKey } from './machine.js';
export type * from './types.js';
