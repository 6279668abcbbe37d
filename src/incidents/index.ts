// Entry point of the incidents module: open the store named by DATABASE_URL and re-export what
// the bot needs (store, outbox worker, webhook sink, escalation payload).

import { StoreError } from '../core/errors.js';
import type { StoreDriver } from './driver.js';
import { openSqliteDriver } from './sqlite.js';
import { createStore } from './store.js';
import type { IncidentStore } from './types.js';

export interface OpenStoreOptions {
  /** SQLite: ms an operation may wait for another process's lock, off the event loop (default 2000). */
  busyTimeoutMs?: number;
  /** SQLite: told each time an operation finds the database locked and waits to try again. */
  onLockWait?: () => void;
  /** SQLite: told after each COMMIT with how many transactions it held (group commit). */
  onCommit?: (transactions: number) => void;
  /** SQLite: extra pragmas for every connection (e.g. `max_page_count = 100`). */
  sqlitePragmas?: readonly string[];
  /** PostgreSQL: pool size. */
  maxConnections?: number;
  /** PostgreSQL: ms to wait for a connection before failing (default 2000). */
  connectTimeoutMs?: number;
  /** PostgreSQL: ms a statement waits for a lock (default 2000). */
  lockTimeoutMs?: number;
  /** PostgreSQL: ms a statement may run (default 3000). */
  statementTimeoutMs?: number;
  /** PostgreSQL: application_name of the bot's connections (default connector-doctor). */
  applicationName?: string;
  /** Id factory (tests); defaults to random UUIDs. */
  newId?: () => string;
  /** Clock for bookkeeping only (columns, the age of a remembered setting); incident times come from arguments. */
  now?: () => Date;
  /** How long a setting read is reused; a write through this store is seen at once, another instance's within this long. Default 0 (always read). */
  settingsMaxAgeMs?: number;
  /** Skip migrations and the write probe at open (tests of migrate() itself use this). */
  skipMigrations?: boolean;
  /** Told about every failed store operation (after its one retry): log and count it. */
  onFailure?: (operation: string, error: StoreError) => void;
  /** Told about faults found outside an operation: a dropped PostgreSQL connection, a replaced SQLite file. */
  onFault?: (error: Error) => void;
}

/**
 * How long the bot reuses a setting read from the store (`settingsMaxAgeMs`, src/index.ts). Every
 * paste and press asks whether escalations have somewhere to go (the support channel setting): at
 * most one read a second instead of one per card. `set support channel` is seen by the very next
 * card of the instance that ran it; another instance sharing the database sees it within this long.
 */
export const SETTINGS_MAX_AGE_MS = 1_000;

/**
 * Open and migrate the store: `sqlite:<path>` (the folder is created), `sqlite::memory:`, or
 * `postgres://...` / `postgresql://...`. Then write once: a store that cannot record anything
 * (read-only, disk full) is refused here, at start, not at the first paste.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<IncidentStore> {
  const driver = await openDriver(databaseUrl, options);
  const store = createStore(driver, { newId: options.newId, now: options.now, onFailure: options.onFailure, settingsMaxAgeMs: options.settingsMaxAgeMs });
  if (!options.skipMigrations) {
    try {
      await store.migrate();
      await store.probe();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  }
  return store;
}

/** The SQLite file a `sqlite:` URL names, or undefined when the URL names none. */
export function sqlitePath(databaseUrl: string): string | undefined {
  const url = databaseUrl.trim();
  if (!url.startsWith('sqlite:')) return undefined;
  const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  // sqlite: and sqlite:// name no file (config refuses both; this agrees).
  return path === '' || path === '//' ? undefined : path;
}

async function openDriver(databaseUrl: string, options: OpenStoreOptions): Promise<StoreDriver> {
  const url = databaseUrl.trim();
  if (url.startsWith('sqlite:')) {
    const path = sqlitePath(url);
    if (path === undefined) throw new StoreError('bad-url', 'DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/connector-doctor.db');
    return openSqliteDriver(path, {
      busyTimeoutMs: options.busyTimeoutMs,
      pragmas: options.sqlitePragmas,
      onReplaced: options.onFault,
      onLockWait: options.onLockWait,
      onCommit: options.onCommit,
    });
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    const { openPostgresDriver } = await import('./postgres.js');
    return openPostgresDriver(url, {
      maxConnections: options.maxConnections,
      connectTimeoutMs: options.connectTimeoutMs,
      lockTimeoutMs: options.lockTimeoutMs,
      statementTimeoutMs: options.statementTimeoutMs,
      applicationName: options.applicationName,
      onConnectionError: options.onFault,
    });
  }
  throw new StoreError('bad-url', 'DATABASE_URL must start with sqlite: or postgres:// (e.g. sqlite:./data/connector-doctor.db).');
}

export { StoreError, isStoreError, type StoreFailureKind } from '../core/errors.js';
export { buildEscalationPayload, ESCALATION_PAYLOAD_TYPE, teamsLink, type EscalationContext, type EscalationPayload } from './escalation.js';
export {
  createWebhookSink,
  IDEMPOTENCY_HEADER,
  parseWebhookUrl,
  SIGNATURE_HEADER,
  signBody,
  WebhookConfigError,
  type WebhookSinkOptions,
} from './webhook.js';
export { withStoreBudget } from './budget.js';
export { createOutboxWorker, type DrainSummary, type OutboxLogger, type OutboxWorker, type OutboxWorkerOptions } from './outbox.js';
export { createRetentionJob, type RetentionJob, type RetentionJobOptions } from './retention.js';
export { transition, idempotencyKey, repeatKey } from './machine.js';
export type * from './types.js';
