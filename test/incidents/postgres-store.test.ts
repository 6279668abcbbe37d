// The shared store suite on PostgreSQL (127.0.0.1:5432): each test gets its own schema in a
// database created for this run; a second store instance is a second pool, as a second bot
// instance would be.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, StoreError } from '../../src/incidents/index.js';
import type { IncidentStore } from '../../src/incidents/types.js';
import { createPgRun, type PgRun } from './pg-harness.js';
import { storeSuite } from './store-suite.js';

let run: PgRun;
beforeAll(async () => {
  run = await createPgRun();
});
afterAll(async () => {
  await run?.drop();
});

storeSuite('postgres', async () => {
  const url = await run.freshSchemaUrl();
  const opened: IncidentStore[] = [];
  return {
    async open() {
      const store = await openStore(url, { maxConnections: 6 });
      opened.push(store);
      return store;
    },
    async dispose() {
      for (const store of opened) await store.close();
    },
  };
});

describe('openStore (postgres)', () => {
  it('accepts postgresql:// as well and migrates two instances starting at once', async () => {
    const url = (await run.freshSchemaUrl()).replace(/^postgres:/, 'postgresql:');
    const [a, b] = await Promise.all([openStore(url), openStore(url)]);
    await a.putSetting('k', 1);
    expect(await b.getSetting('k')).toBe(1);
    await Promise.all([a.close(), b.close()]);
  });

  it('says the database is unreachable without leaking the connection string', async () => {
    const store = await openStore('postgres://cd:s3cret-pw@127.0.0.1:1/none', { skipMigrations: true, connectTimeoutMs: 2000 });
    const failure = await store.ping().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as Error).message).not.toContain('s3cret-pw');
    await store.close();
  });
});
