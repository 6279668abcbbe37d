// The SQLite driver (the default store): one file, WAL, every transaction BEGIN IMMEDIATE so
// presses from several processes on one file serialise cleanly. It also watches the file: a
// database deleted or replaced while the bot runs is refused (StoreError 'replaced') instead of
// being written as a ghost that vanishes at the next restart; a connection that went read-only
// is reopened, so fixing the permissions (or the mount) needs no restart.
//
// Waiting for another process's lock never blocks the event loop: better-sqlite3 is synchronous,
// so SQLite's own busy_timeout would freeze /healthz and every other request for as long as it
// waits. The pragma is kept tiny and the wait happens here instead, as timers between attempts,
// bounded by a deadline set when the operation was queued.

import { accessSync, constants, existsSync, mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../core/errors.js';
import { backoffDelayMs } from '../core/retry-policy.js';
import { storeBudgetDeadline } from './budget.js';
import type { Session, StoreDriver } from './driver.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { refuseNewerSchema } from './rows.js';

export interface SqliteDriverOptions {
  /**
   * Milliseconds an operation may wait for another process's lock, counted from when it was queued,
   * before it fails as busy. The wait is asynchronous (timers between attempts). Default 2000.
   */
  busyTimeoutMs?: number;
  /** Told each time an operation finds the database locked and waits to try again (count it). */
  onLockWait?: () => void;
  /** Extra pragmas run on every connection, e.g. `max_page_count = 100` to bound the file's size. */
  pragmas?: readonly string[];
  /** Readiness fails below this much free space on the database's disk. Default 1 MB. */
  minFreeBytes?: number;
  /** Told once when the file is found deleted or replaced (log it as an error). */
  onReplaced?: (error: StoreError) => void;
}

/** `$1..$n` (written once for both databases) to SQLite's positional `?`, with the parameter order that goes with it. */
/** SQLite's own (synchronous, event-loop-blocking) wait for a lock: only long enough to ride out a commit in flight. */
const SYNC_BUSY_MS = 5;
/** Between attempts at a locked database: 5 ms growing to 100 ms, with jitter. */
const LOCK_RETRY_BASE_MS = 5;
const LOCK_RETRY_MAX_MS = 100;

const isBusy = (error: unknown) => {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function positional(sql: string): { sql: string; order: number[] } {
  const order: number[] = [];
  const converted = sql.replace(/\$(\d+)/g, (_, n: string) => {
    order.push(Number(n) - 1);
    return '?';
  });
  return { sql: converted, order };
}

/** What a SQLite failure means for the operator and the person who pressed. */
export function classifySqliteError(error: unknown): StoreError | undefined {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  if (code === 'SQLITE_READONLY_DBMOVED') return new StoreError('replaced', 'The SQLite database file was moved or deleted while the bot was running.', { cause: error });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError('busy', 'The SQLite database is locked by another process; try again in a moment.', { cause: error });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreError('read-only', 'The SQLite database is read-only: check the permissions of the file and its folder, and that the disk is mounted read-write.', { cause: error });
  }
  if (code === 'SQLITE_FULL') return new StoreError('full', 'The disk holding the SQLite database is full (or the database reached its size limit).', { cause: error });
  if (code.startsWith('SQLITE_')) return new StoreError('unavailable', `The SQLite database failed (${code}).`, { cause: error });
  // better-sqlite3 throws a TypeError once the connection is closed.
  if (error instanceof TypeError && /database connection is not open/i.test(error.message)) {
    return new StoreError('unavailable', 'The SQLite database is closed.', { cause: error });
  }
  return undefined;
}

export function openSqliteDriver(path: string, options: SqliteDriverOptions = {}): StoreDriver {
  const inMemory = path === ':memory:';
  const file = inMemory ? path : resolve(path);
  if (!inMemory) {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (error) {
      throw classifySqliteError({ code: (error as NodeJS.ErrnoException).code === 'EROFS' ? 'SQLITE_READONLY' : 'SQLITE_CANTOPEN' }) ??
        new StoreError('unavailable', `The folder of the SQLite database ${dirname(file)} cannot be created.`, { cause: error });
    }
  }
  const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 2_000));
  const minFreeBytes = options.minFreeBytes ?? 1024 * 1024;

  function connect(): Database.Database {
    let connection: Database.Database | undefined;
    try {
      connection = new Database(file);
      if (!inMemory) connection.pragma('journal_mode = WAL');
      connection.pragma(`busy_timeout = ${Math.min(SYNC_BUSY_MS, busyTimeoutMs)}`);
      connection.pragma('foreign_keys = ON');
      connection.pragma('synchronous = NORMAL');
      for (const pragma of options.pragmas ?? []) connection.pragma(pragma);
      return connection;
    } catch (error) {
      connection?.close();
      throw classify(error) ?? new StoreError('unavailable', `The SQLite database ${file} could not be opened.`, { cause: error });
    }
  }

  /** SQLite says CANTOPEN or IOERR when it cannot create its -wal or -shm on a read-only disk: ask the file system. */
  function classify(error: unknown): StoreError | undefined {
    const failure = classifySqliteError(error);
    if (failure?.kind !== 'unavailable' || inMemory) return failure;
    for (const target of [file, dirname(file)]) {
      try {
        if (existsSync(target)) accessSync(target, constants.W_OK);
      } catch (denied) {
        const code = (denied as NodeJS.ErrnoException).code;
        if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return classifySqliteError({ code: 'SQLITE_READONLY' });
      }
    }
    return failure;
  }

  let db = connect();
  // The file as it was when opened: a different inode (or none) later means someone replaced it.
  const identity = inMemory ? undefined : fileIdentity(file);
  let replaced: StoreError | undefined;
  let reopen = false;
  let closed = false;
  const statements = new Map<string, { statement: Database.Statement; order: number[] }>();

  function prepared(sql: string) {
    let found = statements.get(sql);
    if (!found) {
      const { sql: text, order } = positional(sql);
      found = { statement: db.prepare(text), order };
      statements.set(sql, found);
    }
    return found;
  }

  /**
   * Run one synchronous SQLite call; while another process holds the lock, try again after a
   * growing pause (the event loop stays free) until `deadline`, then fail as busy.
   */
  async function whenUnlocked<T>(call: () => T, deadline: number): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return call();
      } catch (error) {
        const left = deadline - Date.now();
        if (!isBusy(error) || closed || left <= 0) throw error;
        options.onLockWait?.();
        await sleep(Math.min(left, backoffDelayMs(attempt, LOCK_RETRY_BASE_MS, LOCK_RETRY_MAX_MS, Math.random)));
      }
    }
  }

  /** Statements for one operation; each waits for the lock (asynchronously) until the operation's deadline. */
  function session(deadline: number): Session {
    return {
      async all<T>(sql: string, params: readonly unknown[] = []) {
        const { statement, order } = prepared(sql);
        return whenUnlocked(() => statement.all(...order.map((i) => params[i])) as T[], deadline);
      },
      async run(sql: string, params: readonly unknown[] = []) {
        const { statement, order } = prepared(sql);
        const values = order.map((i) => params[i]);
        // A statement with RETURNING must be read; its rows are the changes.
        return whenUnlocked(() => (statement.reader ? statement.all(...values).length : statement.run(...values).changes), deadline);
      },
    };
  }

  // A transaction spans awaits, so nothing else may use the connection meanwhile; and a second
  // store on the same file in this process would wait for the lock synchronously, never letting
  // the first one commit: every store of one file in one process shares one queue.
  const queue = queueFor(file);
  function exclusive<T>(fn: (deadline: number) => Promise<T>): Promise<T> {
    // The deadline counts from now: an operation queued behind one waiting for a lock does not get a
    // fresh budget; inside withStoreBudget (a press) it ends no later than the budget does.
    const deadline = Math.min(Date.now() + busyTimeoutMs, storeBudgetDeadline() ?? Number.POSITIVE_INFINITY);
    const step = () => {
      reconnectIfReadOnly();
      return fn(deadline);
    };
    const next = queue.tail.then(step, step);
    queue.tail = next.catch(() => undefined);
    return next;
  }

  function guard(): void {
    if (closed) throw new StoreError('unavailable', 'The SQLite database is closed.');
    if (replaced) throw replaced;
    if (identity) {
      const now = fileIdentity(file);
      if (!now || now.dev !== identity.dev || now.ino !== identity.ino) {
        replaced = new StoreError(
          'replaced',
          `The SQLite database file ${file} was ${now ? 'replaced' : 'deleted'} while the bot was running; nothing more is written to it. ` +
            'Restore the file from a backup (or remove it to start empty) and restart the bot.',
        );
        options.onReplaced?.(replaced);
        throw replaced;
      }
    }
  }

  function reconnectIfReadOnly(): void {
    if (!reopen || closed) return;
    // The connection went read-only (permissions, a read-only mount): a fresh one sees the fix.
    const fresh = connect();
    reopen = false;
    db.close();
    db = fresh;
    statements.clear();
  }

  const remember = (error: unknown) => {
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string' && code.startsWith('SQLITE_READONLY')) reopen = true;
    return error;
  };

  return {
    name: 'sqlite',
    db: {
      all: <T>(sql: string, params?: readonly unknown[]) => exclusive((deadline) => session(deadline).all<T>(sql, params)).catch((e: unknown) => Promise.reject(remember(e))),
      run: (sql, params) => exclusive((deadline) => session(deadline).run(sql, params)).catch((e: unknown) => Promise.reject(remember(e))),
    },
    transaction: <T>(fn: (tx: Session) => Promise<T>) =>
      exclusive(async (deadline) => {
        // Nothing is done before the lock is held, so waiting for it is safe to repeat.
        await whenUnlocked(() => db.exec('BEGIN IMMEDIATE'), deadline);
        try {
          const result = await fn(session(deadline));
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) {
            try {
              db.exec('ROLLBACK');
            } catch {
              // The connection is unusable; the failure below says why.
            }
          }
          throw error;
        }
      }).catch((e: unknown) => Promise.reject(remember(e))) as Promise<T>,
    forUpdate: '',
    skipLocked: '',
    // BEGIN IMMEDIATE already holds the database's one write lock.
    lockKey: async () => undefined,
    encodeDate: (date) => date.getTime(),
    decodeDate: (value) => new Date(Number(value)),
    decodeJson: (value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value),
    async migrate(now) {
      await exclusive(async (deadline) => {
        try {
          // Another instance migrating the same file holds the lock: wait for it (the whole transaction is repeated).
          await whenUnlocked(() => db.transaction(() => {
            db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
            const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
            refuseNewerSchema(done, SQLITE_MIGRATIONS);
            for (const migration of SQLITE_MIGRATIONS) {
              if (done.has(migration.version)) continue;
              db.exec(migration.sql);
              db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, now.getTime());
            }
          }).immediate(), deadline);
        } catch (error) {
          if (error instanceof StoreError) throw error;
          const failure = classify(remember(error));
          if (failure && failure.kind !== 'unavailable') throw failure;
          throw new StoreError('migration', 'The SQLite database could not be migrated.', { cause: error });
        }
      });
    },
    guard,
    preflight() {
      if (inMemory) return;
      // A full disk still takes a small write into the WAL's reused pages, but not the next paste.
      let free: number;
      try {
        const fs = statfsSync(dirname(file));
        free = fs.bavail * fs.bsize;
      } catch {
        return;
      }
      if (free < minFreeBytes) {
        throw new StoreError('full', `The disk holding the SQLite database has ${Math.floor(free / 1024)} KB free; the bot needs at least ${Math.floor(minFreeBytes / 1024)} KB to record incidents.`);
      }
    },
    classify,
    isConnectionLost: () => false,
    async close() {
      if (closed) return;
      closed = true;
      await queue.tail;
      if (db.open) db.close();
    },
  };
}

const queues = new Map<string, { tail: Promise<unknown> }>();

function queueFor(file: string): { tail: Promise<unknown> } {
  if (file === ':memory:') return { tail: Promise.resolve() };
  let queue = queues.get(file);
  if (!queue) {
    queue = { tail: Promise.resolve() };
    queues.set(file, queue);
  }
  return queue;
}

function fileIdentity(file: string): { dev: number; ino: number } | undefined {
  try {
    const stat = statSync(file);
    return { dev: stat.dev, ino: stat.ino };
  } catch {
    return undefined;
  }
}
