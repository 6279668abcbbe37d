// The shared store suite on PostgreSQL (127.0.0.1:5432): each test gets its own schema in a
// database created for this run; a second store instance is a second pool, as a second bot
// instance would be.

import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxWorker, openStore, StoreError } from '../../src/incidents/index.js';
import type { EscalationSink, IncidentStore, OutboxMessage } from '../../src/incidents/types.js';
import { createPgRun, type PgRun } from './pg-harness.js';
import { storeSuite } from './store-suite.js';
import { POSTGRES_MIGRATIONS } from '../../src/incidents/migrations.js';

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
    async open(options) {
      const store = await openStore(url, { maxConnections: 6, ...options });
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

  it('refuses a database a newer version has migrated (bot rolled back)', async () => {
    const url = await run.freshSchemaUrl();
    const first = await openStore(url);
    await first.close();
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    try {
      await raw.query('INSERT INTO schema_migrations (version, applied_at) VALUES (99, now())');
    } finally {
      await raw.end();
    }
    const failure = await openStore(url).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as StoreError).kind).toBe('migration');
    expect((failure as Error).message).toContain(`newer Connector Doctor (schema version 99; this version knows up to ${POSTGRES_MIGRATIONS.at(-1)!.version})`);
  });

  // At start the operator reads one line: it names the variable and the kind of failure, never the URL or its password.
  const startFailure = async (url: string) => {
    const failure = await openStore(url, { connectTimeoutMs: 500 }).then(
      async (store) => {
        await store.close();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StoreError);
    const message = (failure as Error).message;
    expect(message).toMatch(/^DATABASE_URL: the PostgreSQL database could not be reached or migrated: /);
    expect(message).not.toContain('s3cret-pw');
    expect(message).not.toContain(url.split('@')[1]!);
    return message.replace(/^DATABASE_URL: the PostgreSQL database could not be reached or migrated: /, '');
  };
  const own = async () => new URL(await run.freshSchemaUrl());

  it('at start, names DATABASE_URL and "connection refused" when nothing listens', async () => {
    expect(await startFailure('postgres://cd:s3cret-pw@127.0.0.1:1/none')).toMatch(/^connection refused /);
  });

  it('at start, names DATABASE_URL and "authentication failed" for a user the server refuses', async () => {
    const url = await own();
    url.username = 'no_such_user_cd';
    url.password = 's3cret-pw';
    expect(await startFailure(url.href)).toMatch(/^authentication failed /);
  });

  it('at start, names DATABASE_URL and "no such database"', async () => {
    const url = await own();
    url.pathname = '/no_such_database_cd';
    url.password = 's3cret-pw';
    expect(await startFailure(url.href)).toMatch(/^no such database /);
  });

  it('at start, names DATABASE_URL and "timeout" when the port accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      expect(await startFailure(`postgres://cd:s3cret-pw@127.0.0.1:${port}/none`)).toMatch(/^timeout /);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
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

describe('outbox on PostgreSQL with two instances', () => {
  it('delivers every escalation exactly once when two workers on two pools drain at the same time', async () => {
    const url = await run.freshSchemaUrl();
    const [a, b] = await Promise.all([openStore(url, { maxConnections: 4 }), openStore(url, { maxConnections: 4 })]);
    try {
      const at = new Date('2026-11-30T10:00:00Z');
      for (let i = 0; i < 30; i++) {
        const store = i % 2 === 0 ? a : b;
        const { incident } = await store.openOrRepeat({
          conversationId: `conv-${i}`,
          reporter: { id: 'u', name: 'U' },
          excerpt: `error ${i}`,
          verdict: 'none',
          entryIds: [],
          at,
        });
        await store.apply({ incidentId: incident.id, conversationId: `conv-${i}`, actor: { id: 'u', name: 'U' }, action: { kind: 'escalate' }, at }, ['webhook'], (x) => ({ id: x.id }));
      }
      const received: OutboxMessage[] = [];
      // The sink yields to the event loop so the two workers' claims truly interleave.
      const sink: EscalationSink = { target: 'webhook', deliver: async (m) => (await new Promise((r) => setImmediate(r)), received.push(m), { ok: true }) };
      const clock = () => new Date('2026-11-30T10:01:00Z');
      const workers = [a, b].map((store) => createOutboxWorker({ store, sinks: [sink], clock, batchSize: 4 }));
      const drains = await Promise.all(Array.from({ length: 12 }, (_, i) => workers[i % 2]!.drainOnce()));
      let delivered = drains.reduce((n, d) => n + d.delivered, 0);
      for (let more = await workers[0]!.drainOnce(); more.claimed > 0; more = await workers[0]!.drainOnce()) delivered += more.delivered;
      expect(delivered).toBe(30);
      expect(received).toHaveLength(30);
      expect(new Set(received.map((m) => m.idempotencyKey)).size).toBe(30);
      expect(await a.outboxCounts()).toEqual({ pending: 0, delivered: 30, deadLettered: 0 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('a PostgreSQL restart or failover under the pool', () => {
  it('runs a transaction again on a fresh connection when its connection dies before COMMIT', async () => {
    const { openPostgresDriver } = await import('../../src/incidents/postgres.js');
    const url = await run.freshSchemaUrl();
    const retried: Error[] = [];
    const driver = openPostgresDriver(url, { maxConnections: 2, onRetry: (e) => retried.push(e), onConnectionError: () => undefined });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await driver.transaction((tx) => tx.run('CREATE TABLE t (n integer)'));
      let runs = 0;
      await driver.transaction(async (tx) => {
        runs += 1;
        await tx.run('INSERT INTO t VALUES ($1)', [runs]);
        if (runs === 1) {
          // The server drops this connection mid-transaction (a restart, a failover, an admin).
          const [me] = await tx.all<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          await admin.query('SELECT pg_terminate_backend($1)', [me!.pid]);
        }
        await tx.run('INSERT INTO t VALUES ($1)', [runs * 10]);
      });
      // The first attempt left nothing behind; the second did all of its work, once.
      expect((await admin.query('SELECT n FROM t ORDER BY n')).rows).toEqual([{ n: 2 }, { n: 20 }]);
      expect(runs).toBe(2);
      expect(retried).toHaveLength(1);
    } finally {
      await admin.end();
      await driver.close();
    }
  });

  it('does not run it again when the failure is not a lost connection', async () => {
    const { openPostgresDriver } = await import('../../src/incidents/postgres.js');
    const driver = openPostgresDriver(await run.freshSchemaUrl(), { maxConnections: 1 });
    let runs = 0;
    try {
      await expect(driver.transaction(async (tx) => ((runs += 1), tx.run('SELECT * FROM no_such_table')))).rejects.toThrow();
      expect(runs).toBe(1);
    } finally {
      await driver.close();
    }
  });
});
