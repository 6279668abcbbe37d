// The shared store suite on SQLite (a temporary file per test, so a second store instance on the
// same file stands in for a second bot instance), plus what only the SQLite store does.

import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore, StoreError, withStoreBudget } from '../../src/incidents/index.js';
import type { IncidentStore } from '../../src/incidents/types.js';
import { storeSuite } from './store-suite.js';
import { SQLITE_MIGRATIONS } from '../../src/incidents/migrations.js';
import { openSqliteDriver } from '../../src/incidents/sqlite.js';
import { createStore } from '../../src/incidents/store.js';

storeSuite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cd-incidents-'));
  const opened: IncidentStore[] = [];
  return {
    async open(options) {
      const store = await openStore(`sqlite:${join(dir, 'incidents.db')}`, options);
      opened.push(store);
      return store;
    },
    async dispose() {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('openStore (sqlite)', () => {
  it('creates the folder of the database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cd-incidents-'));
    try {
      const store = await openStore(`sqlite:${join(dir, 'nested', 'data', 'cd.db')}`);
      await store.ping();
      await store.close();
      expect(existsSync(join(dir, 'nested', 'data', 'cd.db'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps incidents across a restart of the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cd-incidents-'));
    const url = `sqlite:${join(dir, 'cd.db')}`;
    try {
      const first = await openStore(url);
      const { incident } = await first.openOrRepeat({
        conversationId: 'c',
        reporter: { id: 'u', name: 'U' },
        excerpt: 'x',
        verdict: 'none',
        entryIds: [],
        at: new Date('2026-11-30T10:00:00Z'),
      });
      await first.close();
      const second = await openStore(url);
      expect((await second.get(incident.id))?.excerpt).toBe('x');
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('works in memory for tests', async () => {
    const store = await openStore('sqlite::memory:');
    await store.ping();
    expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 0, deadLettered: 0 });
    await store.close();
    // /readyz asks ping(): a closed database answers with a coded error, not a crash.
    await expect(store.ping()).rejects.toThrow(StoreError);
  });

  it('refuses a database a newer version has migrated (bot rolled back), and leaves it untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cd-incidents-'));
    const file = join(dir, 'incidents.db');
    try {
      const first = await openStore(`sqlite:${file}`);
      await first.putSetting('support-channel', { kept: true });
      await first.close();
      // What a future release's migration would leave behind.
      const raw = new Database(file);
      raw.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (99, 0)').run();
      raw.close();

      const failure = await openStore(`sqlite:${file}`).then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(StoreError);
      expect((failure as StoreError).kind).toBe('migration');
      expect((failure as Error).message).toContain(`newer Connector Doctor (schema version 99; this version knows up to ${SQLITE_MIGRATIONS.at(-1)!.version})`);

      const check = new Database(file, { readonly: true });
      expect(check.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 99 });
      check.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown database URL with a clear message', async () => {
    await expect(openStore('mysql://localhost/db')).rejects.toThrow(StoreError);
    await expect(openStore('sqlite:')).rejects.toThrow(/file path/);
    // The store agrees with the configuration: sqlite:// names no file either (it used to open "//", the root).
    await expect(openStore('sqlite://')).rejects.toThrow(/file path/);
  });
});

describe('a remembered setting (settingsMaxAgeMs)', () => {
  it('a read that began before a write and answered after it is not remembered: the next read is the database\'s', async () => {
    const driver = openSqliteDriver(':memory:');
    // Settings reads answer only when the test lets them (what a slow pooled connection does).
    let hold: Promise<void> | undefined;
    const slow = {
      ...driver,
      db: {
        ...driver.db,
        async all<T>(sql: string, params?: readonly unknown[]) {
          const rows = await driver.db.all<T>(sql, params);
          if (sql.includes('FROM settings')) await hold;
          return rows;
        },
      },
    };
    const store = createStore(slow, { settingsMaxAgeMs: 60_000, now: () => new Date('2026-11-30T10:00:00Z') });
    try {
      await store.migrate();
      await store.putSetting('support-channel', 'old');
      let release = () => {};
      hold = new Promise((resolve) => (release = resolve));
      const before = store.getSetting('support-channel');
      // The read has run; its answer waits while the setting is written.
      await new Promise((resolve) => setImmediate(resolve));
      hold = undefined;
      await store.putSetting('support-channel', 'new');
      release();
      expect(await before).toBe('old');
      expect(await store.getSetting('support-channel')).toBe('new');
    } finally {
      await store.close();
    }
  });
});

describe('one budget for the lock waits of one press (sqlite)', () => {
  // A press reads, then writes; the outbox poll (a write) may be queued before it. Under another
  // process's lock the poll waits its whole busy timeout; the press must not then wait a whole one
  // of its own (a press answered after 2.0-3.9 s instead of about 2 s).
  it('operations inside withStoreBudget queued behind a write that waits for the lock do not wait again past the budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cd-budget-'));
    const file = join(dir, 'incidents.db');
    let waits = 0;
    const store = await openStore(`sqlite:${file}`, { busyTimeoutMs: 1_500, onLockWait: () => void (waits += 1) });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const background = store.putSetting('outbox-poll-stand-in', 1).then(() => undefined, (error: unknown) => error);
      const press = withStoreBudget(100, async () => {
        await store.getSetting('press-read');
        await store.putSetting('press-write', 1);
      }).then(() => undefined, (error: unknown) => error);

      const backgroundFailure = await background;
      expect(backgroundFailure).toBeInstanceOf(StoreError);
      expect((backgroundFailure as StoreError).kind).toBe('busy');
      const waitsWhenTheBackgroundWriteGaveUp = waits;
      expect(waitsWhenTheBackgroundWriteGaveUp).toBeGreaterThan(0);

      const pressFailure = await press;
      expect(pressFailure).toBeInstanceOf(StoreError);
      expect((pressFailure as StoreError).kind).toBe('busy');
      // Its budget was spent in the queue: the press's write fails at its first try, without waiting.
      expect(waits).toBe(waitsWhenTheBackgroundWriteGaveUp);
    } finally {
      other.exec('ROLLBACK');
      other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
