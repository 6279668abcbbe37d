// What the shared incident store (store.ts) needs from a database: sessions that run SQL written
// once with $1..$n placeholders, transactions, and the few things SQLite and PostgreSQL do
// differently (row locks, value encodings, migrations, what an error means).

import type { StoreError } from '../core/errors.js';

export interface Session {
  /** Rows of a statement that returns rows (SELECT, or anything with RETURNING). */
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** A statement that returns no rows; resolves with the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface StoreDriver {
  readonly name: 'sqlite' | 'postgres';
  /** Statements outside any transaction (each one commits on its own). */
  readonly db: Session;
  /**
   * One statement that changes rows, committed on its own; resolves with the number of rows changed
   * once it is committed. SQLite commits it with the transactions queued around it (group commit);
   * PostgreSQL runs it as `db.run` does.
   */
  write(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Run `fn` in one transaction that holds the write lock it needs; rolled back if `fn` throws. */
  transaction<T>(fn: (tx: Session) => Promise<T>): Promise<T>;
  /** Appended to a SELECT inside a transaction to lock the rows read (PostgreSQL: FOR UPDATE). */
  readonly forUpdate: string;
  /** Appended to a claim SELECT so instances skip rows another one holds (PostgreSQL: FOR UPDATE SKIP LOCKED). */
  readonly skipLocked: string;
  /** Serialise transactions about one key across instances (pastes of one error in one conversation). */
  lockKey(tx: Session, key: string): Promise<void>;
  encodeDate(date: Date): unknown;
  decodeDate(value: unknown): Date;
  decodeJson(value: unknown): unknown;
  /** Bring the schema up to date, one instance at a time; refuses a schema newer than this build. */
  migrate(now: Date): Promise<void>;
  /** Throws a StoreError when the database must not be used any more (the SQLite file was replaced). */
  guard(): void;
  /** Checks a write probe cannot see (SQLite: free disk space, since a small write still fits the WAL on a full disk). */
  preflight?(): void;
  /** The coded error a driver failure means, or undefined for an error that is not the database's (a bug). */
  classify(error: unknown): StoreError | undefined;
  /** The connection died under the statement (server restart, failover, terminated backend): worth one retry. */
  isConnectionLost(error: unknown): boolean;
  close(): Promise<void>;
}
