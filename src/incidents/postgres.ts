// The PostgreSQL driver, for several bot instances sharing one database: a press locks its
// incident row (FOR UPDATE), a paste locks its (conversation, error) pair with an advisory lock,
// outbox claims skip rows another instance holds (SKIP LOCKED). Every connection carries
// lock_timeout and statement_timeout so a press answers within Teams' 5 s, and an error handler,
// so a backend killed under a running query (restart, failover, pg_terminate_backend) fails that
// query instead of the process.

import pg from 'pg';
import { StoreError } from '../core/errors.js';
import type { Session, StoreDriver } from './driver.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { refuseNewerSchema } from './rows.js';

export interface PostgresDriverOptions {
  /** Pool size. Default 10. */
  maxConnections?: number;
  /** Milliseconds to wait for a connection (new or from a busy pool). Default 2000. */
  connectTimeoutMs?: number;
  /** A statement waiting longer than this for a lock fails as busy. Default 2000. */
  lockTimeoutMs?: number;
  /** A statement running longer than this is cancelled (busy). Default 3000. */
  statementTimeoutMs?: number;
  /** Shown in pg_stat_activity, so an operator (or a test) can find this bot's connections. Default connector-doctor. */
  applicationName?: string;
  /** Told when a connection dies (server restart, failover, terminated backend). */
  onConnectionError?: (error: Error) => void;
  /** Told when a transaction is run again because its connection was lost before COMMIT. */
  onRetry?: (error: Error) => void;
}

/** Any fixed number: the advisory lock that serialises migrations across instances. */
const MIGRATION_LOCK = 4_242_001;

/** SQLSTATEs after which the connection is gone (admin shutdown, crash, connection failure). */
const CONNECTION_LOST = /^(57P0[1-3]|08\d{3})$/;
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : '';
}

/** node-postgres says these in words, without a code, when the socket closes under a query. */
const LOST_MESSAGE = /Connection terminated|not queryable|Client was closed|connection timeout|timeout exceeded when trying to connect|Query read timeout/i;

export function isConnectionLost(error: unknown): boolean {
  const code = codeOf(error);
  if (CONNECTION_LOST.test(code) || NETWORK_CODES.has(code)) return true;
  return code === '' && error instanceof Error && /Connection terminated|not queryable|Client was closed/i.test(error.message);
}

/** What a PostgreSQL failure means for the operator and the person who pressed. The message never carries the URL. */
export function classifyPostgresError(error: unknown): StoreError | undefined {
  const code = codeOf(error);
  if (code === '55P03' || code === '57014' || code === '40001' || code === '40P01') {
    return new StoreError('busy', 'The PostgreSQL database is busy (a lock or the statement time limit was hit); try again in a moment.', { cause: error });
  }
  if (code === '25006') return new StoreError('read-only', 'The PostgreSQL database is read-only (a standby, or default_transaction_read_only is on).', { cause: error });
  if (code === '53100') return new StoreError('full', 'The disk of the PostgreSQL server is full.', { cause: error });
  if (code === '28P01' || code === '28000' || code === '3D000' || code === '42501') {
    return new StoreError('unavailable', `PostgreSQL refused the connection or the access (SQLSTATE ${code}): check DATABASE_URL's user, password and database.`, { cause: error });
  }
  if (isConnectionLost(error) || /^53/.test(code) || (error instanceof Error && LOST_MESSAGE.test(error.message))) {
    return new StoreError('unavailable', 'The PostgreSQL database is unreachable or the connection was lost.', { cause: error });
  }
  if (/^[0-9A-Z]{5}$/.test(code)) return new StoreError('unavailable', `The PostgreSQL database failed (SQLSTATE ${code}).`, { cause: error });
  return undefined;
}

/**
 * Why the bot could not reach or migrate the database at start, in words an operator acts on:
 * the class of failure (refused, host not found, timeout, authentication, no such database), never
 * the URL or its password.
 */
export function describeStartFailure(error: unknown): string {
  const code = codeOf(error);
  const text = error instanceof Error ? error.message : '';
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listens on the host and port it names)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found (its host name does not resolve)';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable (no route to the host it names)';
  if (code === 'ETIMEDOUT' || /timeout/i.test(text)) return 'timeout (the host and port it names did not answer in time)';
  if (code === '28P01' || code === '28000') return `authentication failed (SQLSTATE ${code}: check the user and password)`;
  if (code === '3D000') return 'no such database (create it, or correct the database name)';
  if (code === '42501') return 'permission denied (the user may not create or change the tables)';
  if (code === 'ECONNRESET' || CONNECTION_LOST.test(code) || /Connection terminated|closed/i.test(text)) return 'the server closed the connection (is it a PostgreSQL server, and does it accept this client\'s SSL setting?)';
  if (/SSL/i.test(text)) return 'SSL could not be agreed with the server (check sslmode in it)';
  if (/^[0-9A-Z]{5}$/.test(code)) return `PostgreSQL answered with an error (SQLSTATE ${code})`;
  return 'an unexpected failure';
}

/** Times a transaction is run again after its connection was lost before COMMIT. */
const LOST_RETRIES = 2;

export function openPostgresDriver(url: string, options: PostgresDriverOptions = {}): StoreDriver {
  const statementTimeoutMs = options.statementTimeoutMs ?? 3_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000,
    application_name: options.applicationName ?? 'connector-doctor',
    lock_timeout: options.lockTimeoutMs ?? 2_000,
    statement_timeout: statementTimeoutMs,
    // A server that stops answering without closing the socket: give up a little after the server would have.
    query_timeout: statementTimeoutMs + 2_000,
    idle_in_transaction_session_timeout: 30_000,
    keepAlive: true,
  });
  const lost = (error: Error) => options.onConnectionError?.(error);
  // An idle connection dropped by the server...
  pool.on('error', lost);
  // ...and one dropped while checked out: without a listener its 'error' event ends the process.
  pool.on('connect', (client) => client.on('error', lost));
  let closed = false;

  const session = (client: Pick<pg.PoolClient, 'query'>): Session => ({
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return (await client.query(sql, params as unknown[])).rows as T[];
    },
    async run(sql: string, params: readonly unknown[] = []) {
      return (await client.query(sql, params as unknown[])).rowCount ?? 0;
    },
  });

  /** One attempt: BEGIN, the work, COMMIT on one checked-out connection. */
  async function attempt<T>(fn: (tx: Session) => Promise<T>, setup: string | undefined, state: { committing: boolean }): Promise<T> {
    const client = await pool.connect();
    let discard: Error | undefined;
    try {
      await client.query('BEGIN');
      if (setup) await client.query(setup);
      const result = await fn(session(client));
      state.committing = true;
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is discarded rather than returned to the pool.
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        discard = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
      });
      if (!discard && isConnectionLost(error)) discard = error as Error;
      throw error;
    } finally {
      client.release(discard);
    }
  }

  /**
   * A transaction whose connection was lost before COMMIT was sent did not happen (the server
   * rolls it back), so it is run again on a fresh connection, up to LOST_RETRIES times: after a
   * restart or failover every idle pooled connection is dead, and without this the first requests
   * of each would fail. A loss during COMMIT is never retried (it may have committed).
   */
  async function transaction<T>(fn: (tx: Session) => Promise<T>, setup?: string): Promise<T> {
    for (let retry = 0; ; retry++) {
      const state = { committing: false };
      try {
        return await attempt(fn, setup, state);
      } catch (error) {
        if (!isConnectionLost(error)) throw error;
        // Lost, and not to be run again here (during COMMIT it may have committed; or retried
        // enough): a StoreError, so the store's own retry of a dropped connection, meant for plain
        // statements, does not run it once more.
        if (closed || state.committing || retry >= LOST_RETRIES) throw classifyPostgresError(error) ?? error;
        options.onRetry?.(error as Error);
      }
    }
  }

  const db = session(pool);
  return {
    name: 'postgres',
    db,
    write: (sql, params) => db.run(sql, params),
    transaction: (fn) => transaction(fn),
    forUpdate: ' FOR UPDATE',
    skipLocked: ' FOR UPDATE SKIP LOCKED',
    async lockKey(tx, key) {
      await tx.run('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
    },
    encodeDate: (date) => date,
    decodeDate: (value) => (value instanceof Date ? value : new Date(String(value))),
    decodeJson: (value) => value,
    async migrate(now) {
      try {
        // Instances starting together wait for each other's migration: longer limits than a press gets.
        await transaction(async (tx) => {
          await tx.run('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
          await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)');
          const done = new Set((await tx.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
          refuseNewerSchema(done, POSTGRES_MIGRATIONS);
          for (const migration of POSTGRES_MIGRATIONS) {
            if (done.has(migration.version)) continue;
            await tx.run(migration.sql);
            await tx.run('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [migration.version, now]);
          }
        }, "SET LOCAL lock_timeout = '60s'; SET LOCAL statement_timeout = '120s'");
      } catch (caught) {
        // A lost connection comes back from transaction() as a StoreError: read the reason from what it wraps.
        const error = caught instanceof StoreError && caught.kind === 'unavailable' && caught.cause !== undefined ? caught.cause : caught;
        if (error instanceof StoreError) throw error;
        const failure = classifyPostgresError(error);
        if (failure && failure.kind !== 'unavailable') throw failure;
        throw new StoreError('migration', `DATABASE_URL: the PostgreSQL database could not be reached or migrated: ${describeStartFailure(error)}.`, { cause: error });
      }
    },
    guard() {
      if (closed) throw new StoreError('unavailable', 'The PostgreSQL store is closed.');
    },
    classify: classifyPostgresError,
    isConnectionLost,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
