// Group commit in the SQLite driver: transactions waiting in the queue one after another share one
// BEGIN IMMEDIATE ... COMMIT, each in a savepoint of its own. Fewer commits than transactions
// (counted through onCommit, never timed), a failing transaction fails alone, a failing COMMIT
// fails everyone in it, nobody is told "done" before the COMMIT, and a plain statement never sees
// a write that is not committed. Two processes on one file: sqlite-processes.test.ts and
// bot-processes.test.ts, unchanged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import type { StoreDriver } from '../../src/incidents/driver.js';
import { openStore } from '../../src/incidents/index.js';
import { DEFAULT_MAX_BATCH, openSqliteDriver } from '../../src/incidents/sqlite.js';
import { createStore } from '../../src/incidents/store.js';
import type { IncidentStore, NewIncident } from '../../src/incidents/types.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';
import { startApp, type RunningApp } from '../helpers/running-bot.js';
import { BOX_PASTE, metric, pasteExpectingReplies } from './fixtures/bot-http.js';

const apps: RunningApp[] = [];
failOnLoggedErrors(() => apps.splice(0));

let dir: string;
let file: string;
const opened: { close(): Promise<void> }[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cd-group-commit-'));
  file = join(dir, 'incidents.db');
});
afterEach(async () => {
  for (const it of opened.splice(0).reverse()) await it.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A migrated store on `file`, its driver, and the size of every COMMIT it made. */
async function storeOnFile(options: { maxBatch?: number } = {}): Promise<{ store: IncidentStore; driver: StoreDriver; commits: number[] }> {
  const commits: number[] = [];
  const driver = openSqliteDriver(file, { ...options, onCommit: (n) => commits.push(n) });
  const store = createStore(driver);
  opened.push(store);
  await store.migrate();
  // A foreign key checked only at COMMIT: a row pointing nowhere passes its statement and fails the COMMIT.
  const raw = new Database(file);
  raw.exec('CREATE TABLE IF NOT EXISTS scratch_parent (id INTEGER PRIMARY KEY); CREATE TABLE IF NOT EXISTS scratch_child (parent INTEGER REFERENCES scratch_parent (id) DEFERRABLE INITIALLY DEFERRED)');
  raw.close();
  commits.splice(0);
  return { store, driver, commits };
}

const paste = (n: number): NewIncident => ({
  conversationId: `a:group-${n}`,
  reporter: { id: `29:p${n}`, name: `Person ${n}` },
  excerpt: `AuthFatalFailureException: invalid_grant ${n}`,
  verdict: 'match',
  entryIds: ['box-invalid-refresh-token'],
  appId: 'box',
  at: new Date('2026-12-01T10:00:00Z'),
});

/** A row in a scratch table, written in a transaction of its own (through the driver, as the store does). */
const insert = (driver: StoreDriver, key: string) => driver.transaction((tx) => tx.run('INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, 0)', [key, '1']));

/** A transaction whose own statements pass and whose COMMIT fails (a deferred foreign key pointing nowhere). */
const failsAtCommit = (driver: StoreDriver) => driver.transaction((tx) => tx.run('INSERT INTO scratch_child (parent) VALUES (999)'));

/** What another connection (another process) sees committed. */
function committedKeys(): string[] {
  const other = new Database(file, { readonly: true });
  try {
    return (other.prepare("SELECT key FROM settings WHERE key LIKE 'k%' ORDER BY key").all() as { key: string }[]).map((r) => r.key);
  } finally {
    other.close();
  }
}

describe('group commit (SQLite)', () => {
  it('transactions queued together share commits, and all of them are there after a close and a reopen', async () => {
    const { store, commits } = await storeOnFile();
    const recorded = await Promise.all(Array.from({ length: 12 }, (_, n) => store.openOrRepeat(paste(n))));
    expect(commits.reduce((a, b) => a + b, 0)).toBe(12);
    expect(commits.length).toBeLessThan(12);
    await store.close();

    const reopened = await openStore(`sqlite:${file}`);
    opened.push(reopened);
    for (const { incident, events } of recorded) {
      expect(await reopened.get(incident.id)).toStrictEqual(incident);
      expect(await reopened.events(incident.id)).toStrictEqual(events);
    }
  });

  it('transactions queued by separate callbacks of one event-loop turn (requests arriving together) share a commit', async () => {
    const { driver, commits } = await storeOnFile();
    // Each request's store work runs to its end in microtasks: the batch waits for the turn's other callbacks.
    const arrivals = Array.from({ length: 5 }, (_, n) => new Promise<unknown>((resolve, reject) => setImmediate(() => insert(driver, `k${n}`).then(resolve, reject))));
    await Promise.all(arrivals);
    expect(commits).toEqual([5]);
    expect(committedKeys()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
  });

  it('the bot counts its commits and the transactions in them in /metrics', async () => {
    const app = await startApp({ DATABASE_URL: `sqlite:${file}` });
    apps.push(app);
    opened.push({ close: app.stop });
    const pastes = await Promise.all(Array.from({ length: 10 }, (_, n) => pasteExpectingReplies(app.url, BOX_PASTE, { conversationId: `a:group-metrics-${n}`, from: { id: `29:m${n}`, name: 'Ada Ops' } })));
    expect(pastes.every((cards) => cards.length === 1)).toBe(true);
    const sum = await metric(app.url, 'connector_doctor_store_commit_transactions_sum');
    const count = await metric(app.url, 'connector_doctor_store_commit_transactions_count');
    // Ten pastes are ten transactions at least (the outbox poll adds its own); never more commits than transactions.
    expect(sum).toBeGreaterThanOrEqual(10);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThanOrEqual(sum!);
  });

  it(`holds at most ${DEFAULT_MAX_BATCH} transactions per commit, and maxBatch 1 gives each its own`, async () => {
    const { driver, commits } = await storeOnFile();
    await Promise.all(Array.from({ length: DEFAULT_MAX_BATCH + 8 }, (_, n) => insert(driver, `k${String(n).padStart(3, '0')}`)));
    expect(commits.reduce((a, b) => a + b, 0)).toBe(DEFAULT_MAX_BATCH + 8);
    expect(Math.max(...commits)).toBe(DEFAULT_MAX_BATCH);

    const alone = await storeOnFile({ maxBatch: 1 });
    await Promise.all(Array.from({ length: 5 }, (_, n) => insert(alone.driver, `k-alone-${n}`)));
    expect(alone.commits).toEqual([1, 1, 1, 1, 1]);
  });

  it("a paste's card id (attachCard, a single write) shares the commit of the transactions queued around it", async () => {
    const { store, commits } = await storeOnFile();
    const first = await store.openOrRepeat(paste(1));
    const second = await store.openOrRepeat(paste(2));
    commits.splice(0);
    const [, , third] = await Promise.all([store.attachCard(first.incident.id, 'activity-1'), store.attachCard(second.incident.id, 'activity-2'), store.openOrRepeat(paste(3))]);
    expect(commits).toEqual([3]);
    expect((await store.get(first.incident.id))?.activityId).toBe('activity-1');
    expect((await store.get(second.incident.id))?.activityId).toBe('activity-2');
    expect(await store.get(third.incident.id)).toStrictEqual(third.incident);
  });

  it('a transaction that fails is rolled back alone, first in its batch or later; the others commit', async () => {
    const { driver, commits } = await storeOnFile();
    const failing = (key: string) =>
      driver.transaction(async (tx) => {
        await tx.run('INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, 0)', [key, '1']);
        throw new Error(`no ${key}`);
      });
    const outcomes = await Promise.allSettled([failing('k0-first'), insert(driver, 'k1'), insert(driver, 'k2'), failing('k3-middle'), insert(driver, 'k4')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[3] as PromiseRejectedResult).reason).toEqual(new Error('no k3-middle'));
    expect(committedKeys()).toEqual(['k1', 'k2', 'k4']);
    // k1, k2 and k4 shared a commit: the failing one in the middle did not split or undo it.
    expect(commits).toEqual([3]);
  });

  it('a COMMIT that fails fails every transaction in it, and nothing of them is kept', async () => {
    const { driver, store, commits } = await storeOnFile();
    const others = [insert(driver, 'k1'), store.openOrRepeat(paste(2)), insert(driver, 'k3')];
    const outcomes = await Promise.allSettled([others[0]!, failsAtCommit(driver), ...others.slice(1)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    for (const i of [0, 1, 3]) expect((outcomes[i] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    // Through the store, the failure is the coded StoreError the store reports.
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    expect(commits).toEqual([]);
    expect(committedKeys()).toEqual([]);
    expect(await store.stats(new Date('2026-12-01T11:00:00Z'), 1)).toMatchObject({ total: 0 });
    // The connection goes on as before.
    await insert(driver, 'k4');
    expect(committedKeys()).toEqual(['k4']);
  });

  it('nobody is told "done" before the COMMIT holding its work: another connection already sees it', async () => {
    const { driver } = await storeOnFile();
    const seen: string[][] = [];
    await Promise.all(Array.from({ length: 6 }, (_, n) => insert(driver, `k${n}`).then(() => void seen.push(committedKeys()))));
    for (const keys of seen) expect(keys).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
  });

  it('a plain statement queued behind transactions runs after their COMMIT, never inside their batch', async () => {
    const { driver } = await storeOnFile();
    const written = insert(driver, 'k1');
    // Fails at COMMIT: had the statement below run inside the batch, it would have seen k1 before that COMMIT failed.
    const doomed = failsAtCommit(driver);
    const read = driver.db.all<{ key: string }>("SELECT key FROM settings WHERE key LIKE 'k%'");
    const after = insert(driver, 'k2');
    const outcomes = await Promise.allSettled([written, doomed, read, after]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[2] as PromiseFulfilledResult<{ key: string }[]>).value).toEqual([]);
    expect(committedKeys()).toEqual(['k2']);
  });

  it('a file replaced while transactions and a read wait is refused for all of them (checked once per turn, in the queue)', async () => {
    const { driver, store } = await storeOnFile();
    await insert(driver, 'k0');
    rmSync(file);
    const outcomes = await Promise.allSettled([store.openOrRepeat(paste(1)), store.openOrRepeat(paste(2)), store.getSetting('k0')]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ kind: 'replaced' });
    }
  });
});
