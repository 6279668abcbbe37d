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
//
// Transactions queued one after another share one BEGIN IMMEDIATE ... COMMIT (group commit, see
// `batch`): under load a commit's WAL write, the lock wait and the file check are paid once for
// up to 32 of them, and nobody is told "done" before the COMMIT that holds their work.

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
  /**
   * Transactions waiting in the queue one after another that share one BEGIN ... COMMIT (group
   * commit), and statements that share one turn (one check of the file). Default 32; 1 gives every
   * transaction a commit of its own.
   */
  maxBatch?: number;
  /** Told after each COMMIT with how many transactions it held (count them). */
  onCommit?: (transactions: number) => void;
}

/** `$1..$n` (written once for both databases) to SQLite's positional `?`, with the parameter order that goes with it. */
/** SQLite's own (synchronous, event-loop-blocking) wait for a lock: only long enough to ride out a commit in flight. */
const SYNC_BUSY_MS = 5;
/** Between attempts at a locked database: 5 ms growing to 100 ms, with jitter. */
const LOCK_RETRY_BASE_MS = 5;
const LOCK_RETRY_MAX_MS = 100;
/** Transactions committed together at most (group commit), and statements run in one turn. */
export const DEFAULT_MAX_BATCH = 32;

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
  const maxBatch = Math.max(1, Math.floor(options.maxBatch ?? DEFAULT_MAX_BATCH));

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
  // the first one commit: every store of one file in one process shares one queue, run one turn
  // at a time.
  //
  // Group commit: transactions waiting in the queue one after another run in one BEGIN IMMEDIATE
  // ... COMMIT (a batch, at most maxBatch of them), each in a SAVEPOINT of its own, so the lock
  // wait, the file check and the commit's WAL write are paid once per batch instead of once per
  // transaction. A transaction that fails is rolled back to its savepoint and fails alone; the
  // others are told they are done only once the shared COMMIT succeeded, and all of them fail if it
  // does not. Plain statements run only between batches (a batch ends at the first one in the
  // queue), so they never see a write that is not committed.
  const queue = queueFor(file);
  const owner: QueueOwner = { turn: (q) => turn(q) };
  /** Jobs this driver queued that have not settled yet, and who waits for there to be none (close). */
  let unsettled = 0;
  const whenSettled: (() => void)[] = [];
  const settledOne = () => {
    unsettled -= 1;
    if (unsettled === 0) for (const wake of whenSettled.splice(0)) wake();
  };

  function enqueue<T>(kind: Job['kind'], work: Pick<Job, 'run' | 'fn'>): Promise<T> {
    // The deadline counts from now: an operation queued behind one waiting for a lock does not get a
    // fresh budget; inside withStoreBudget (a press) it ends no later than the budget does.
    const deadline = Math.min(Date.now() + busyTimeoutMs, storeBudgetDeadline() ?? Number.POSITIVE_INFINITY);
    unsettled += 1;
    const settled = new Promise<T>((resolve, reject) => {
      queue.jobs.push({
        owner,
        kind,
        deadline,
        ...work,
        resolve: (value) => {
          settledOne();
          resolve(value as T);
        },
        reject: (error) => {
          settledOne();
          reject(remember(error));
        },
      });
    });
    pump(queue);
    return settled;
  }

  /** The identity check, once per turn: a file deleted or replaced since it was opened is refused. */
  function checkFile(): void {
    if (replaced) throw replaced;
    if (!identity) return;
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

  /** Run this driver's jobs at the head of the queue: a batch of transactions, or a run of statements, or one job alone. */
  async function turn(q: FileQueue): Promise<void> {
    const head = q.jobs[0]!;
    // Requests arrive in event-loop turns of their own, and each one's store work runs to its end
    // in microtasks: a batch started at once would hold one transaction. It starts once the I/O
    // callbacks of this turn of the event loop have run, with every transaction they queued.
    if (head.kind === 'transaction' && maxBatch > 1) await new Promise((resolve) => setImmediate(resolve));
    try {
      reconnectIfReadOnly();
      checkFile();
    } catch (error) {
      q.jobs.shift();
      head.reject(error);
      return;
    }
    if (head.kind === 'transaction') return batch(q);
    // Statements one after another (each commits on its own), or a job that needs the connection alone (migrate).
    const taken = head.kind === 'statement' ? takeWhile(q, 'statement', maxBatch) : [q.jobs.shift()!];
    for (const job of taken) {
      try {
        job.resolve(await job.run!(job.deadline));
      } catch (error) {
        job.reject(error);
      }
    }
  }

  async function batch(q: FileQueue): Promise<void> {
    const first = q.jobs.shift()!;
    try {
      // Nothing is done before the lock is held, so waiting for it is safe to repeat.
      await whenUnlocked(() => prepared('BEGIN IMMEDIATE').statement.run(), first.deadline);
    } catch (error) {
      first.reject(error);
      return;
    }
    const done: { job: Job; result: unknown }[] = [];
    /** Every member so far fails with `error`: the transaction they were in is gone. */
    const abandon = (error: unknown) => {
      if (db.inTransaction) {
        try {
          prepared('ROLLBACK').statement.run();
        } catch {
          // The connection is unusable; the failure below says why.
        }
      }
      for (const { job } of done) job.reject(error);
    };
    let members = 0;
    for (let member: Job | undefined = first; member; member = members < maxBatch && nextTransaction(q) ? q.jobs.shift() : undefined) {
      members += 1;
      // The first member needs no savepoint: if it fails, the whole transaction is only its own.
      const savepoint = member !== first;
      try {
        if (savepoint) prepared('SAVEPOINT batch_member').statement.run();
        const result = await member.fn!(session(member.deadline));
        if (savepoint) prepared('RELEASE batch_member').statement.run();
        done.push({ job: member, result });
      } catch (error) {
        member.reject(error);
        if (!db.inTransaction || !savepoint) {
          // The first member failed (its transaction was its own), or SQLite rolled the whole
          // transaction back (a full disk, an I/O error): nothing of the batch is kept.
          abandon(error);
          return;
        }
        try {
          prepared('ROLLBACK TO batch_member').statement.run();
          prepared('RELEASE batch_member').statement.run();
        } catch (rollbackError) {
          abandon(rollbackError);
          return;
        }
      }
    }
    try {
      prepared('COMMIT').statement.run();
    } catch (error) {
      abandon(error);
      return;
    }
    for (const { job, result } of done) job.resolve(result);
    try {
      options.onCommit?.(done.length);
    } catch {
      // A counter that throws changes nothing committed.
    }
  }

  /** The next job is a transaction of this driver's (a batch takes nothing else). */
  const nextTransaction = (q: FileQueue) => q.jobs[0]?.owner === owner && q.jobs[0].kind === 'transaction' && !reopen;

  function takeWhile(q: FileQueue, kind: Job['kind'], max: number): Job[] {
    const taken: Job[] = [];
    while (taken.length < max && q.jobs[0]?.owner === owner && q.jobs[0].kind === kind) taken.push(q.jobs.shift()!);
    return taken;
  }

  /** Refuses an operation on a closed store or a file found replaced (the file itself is checked once per turn, in the queue). */
  function guard(): void {
    if (closed) throw new StoreError('unavailable', 'The SQLite database is closed.');
    if (replaced) throw replaced;
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
      all: <T>(sql: string, params?: readonly unknown[]) => enqueue<T[]>('statement', { run: (deadline) => session(deadline).all<T>(sql, params) }),
      run: (sql, params) => enqueue<number>('statement', { run: (deadline) => session(deadline).run(sql, params) }),
    },
    // A one-statement transaction, so it joins a batch (a plain statement would end one).
    write: (sql, params) => enqueue<number>('transaction', { fn: (tx) => tx.run(sql, params) }),
    transaction: <T>(fn: (tx: Session) => Promise<T>) => enqueue<T>('transaction', { fn }),
    forUpdate: '',
    skipLocked: '',
    // BEGIN IMMEDIATE already holds the database's one write lock.
    lockKey: async () => undefined,
    encodeDate: (date) => date.getTime(),
    decodeDate: (value) => new Date(Number(value)),
    decodeJson: (value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value),
    async migrate(now) {
      await enqueue('alone', { run: async (deadline) => {
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
      } });
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
      // What was queued before still runs (its lock waits cut short); then the connection closes.
      if (unsettled > 0) await new Promise<void>((resolve) => whenSettled.push(resolve));
      if (db.open) db.close();
    },
  };
}

/** One job in a file's queue: a transaction (`fn`) or a statement or a job needing the connection alone (`run`). */
interface Job {
  owner: QueueOwner;
  kind: 'transaction' | 'statement' | 'alone';
  /** Epoch ms: how long it may wait for another process's lock. */
  deadline: number;
  fn?: (tx: Session) => Promise<unknown>;
  run?: (deadline: number) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A driver (one connection) with jobs in a file's queue: it runs them, taking them off the queue itself. */
interface QueueOwner {
  /** Runs at least the job at the head of the queue (which is this owner's); never throws. */
  turn(queue: FileQueue): Promise<void>;
}

interface FileQueue {
  jobs: Job[];
  running: boolean;
}

const queues = new Map<string, FileQueue>();

function queueFor(file: string): FileQueue {
  if (file === ':memory:') return { jobs: [], running: false };
  let queue = queues.get(file);
  if (!queue) {
    queue = { jobs: [], running: false };
    queues.set(file, queue);
  }
  return queue;
}

/** One turn at a time, in the order the jobs were queued, until the queue is empty. */
function pump(queue: FileQueue): void {
  if (queue.running) return;
  queue.running = true;
  void (async () => {
    while (queue.jobs.length > 0) {
      const head = queue.jobs[0]!;
      try {
        await head.owner.turn(queue);
      } catch (error) {
        // A turn does not throw; if one did (a bug), the job it left at the head fails instead of the queue stopping.
        if (queue.jobs[0] === head) {
          queue.jobs.shift();
          head.reject(error);
        }
      }
    }
    queue.running = false;
  })();
}

function fileIdentity(file: string): { dev: number; ino: number } | undefined {
  try {
    const stat = statSync(file);
    return { dev: stat.dev, ino: stat.ino };
  } catch {
    return undefined;
  }
}
