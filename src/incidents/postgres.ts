// The PostgreSQL incident store, for several bot instances sharing one database: a press locks
// its incident row (SELECT … FOR UPDATE), a paste locks its (conversation, error) pair with an
// advisory lock, and outbox claims skip rows another instance holds (FOR UPDATE SKIP LOCKED).

import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { decide, idempotencyKey, repeatKey } from './machine.js';
import { redact } from '../core/redact.js';
import { addCount, computeStats, DAY_MS, emptyCounts, eventFromColumns, incidentFromColumns, refuseNewerSchema, StoreError, summariseDelivery, type OutboxStatus } from './rows.js';
import type {
  ActionOutcome,
  ActionRequest,
  Incident,
  IncidentEventKind,
  IncidentStore,
  NewIncident,
  OutboxCounts,
  OutboxMessage,
  Person,
  StatsWindow,
} from './types.js';

export interface PostgresStoreOptions {
  maxConnections?: number;
  connectTimeoutMs?: number;
  newId?: () => string;
  /** Only for bookkeeping columns (migration and setting timestamps). */
  now?: () => Date;
}

/** Any fixed number: the advisory lock that serialises migrations across instances. */
const MIGRATION_LOCK = 4_242_001;

const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE incidents (
        id text PRIMARY KEY,
        conversation_id text NOT NULL,
        tenant_id text,
        activity_id text,
        service_url text,
        reporter jsonb NOT NULL,
        excerpt text NOT NULL,
        verdict text NOT NULL,
        entry_ids jsonb NOT NULL,
        repeat_key text NOT NULL,
        app_id text,
        state text NOT NULL CHECK (state IN ('open', 'resolved', 'escalated')),
        version integer NOT NULL,
        repeat_count integer NOT NULL DEFAULT 0,
        escalations integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        resolved_at timestamptz,
        resolved_by jsonb,
        escalated_at timestamptz,
        escalated_by jsonb,
        escalation_note text
      );
      CREATE INDEX incidents_repeat ON incidents (conversation_id, repeat_key, state);
      CREATE INDEX incidents_created ON incidents (created_at);
      CREATE INDEX incidents_updated ON incidents (updated_at);
      CREATE TABLE incident_events (
        seq bigserial PRIMARY KEY,
        incident_id text NOT NULL,
        kind text NOT NULL,
        at timestamptz NOT NULL,
        actor jsonb,
        detail text
      );
      CREATE INDEX incident_events_incident ON incident_events (incident_id, seq);
      CREATE TABLE outbox (
        id text PRIMARY KEY,
        incident_id text NOT NULL,
        escalation_seq integer NOT NULL,
        target text NOT NULL,
        idempotency_key text NOT NULL UNIQUE,
        payload jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead-lettered')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL,
        finished_at timestamptz
      );
      CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
      CREATE INDEX outbox_incident ON outbox (incident_id, escalation_seq);
      CREATE TABLE settings (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      );
    `,
  },
];

interface IncidentRow {
  id: string;
  conversation_id: string;
  tenant_id: string | null;
  activity_id: string | null;
  service_url: string | null;
  reporter: Person;
  excerpt: string;
  verdict: string;
  entry_ids: string[];
  app_id: string | null;
  state: string;
  version: number;
  repeat_count: number;
  escalations: number;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  resolved_by: Person | null;
  escalated_at: Date | null;
  escalated_by: Person | null;
  escalation_note: string | null;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

const jsonParam = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): IncidentStore {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
  });
  // An idle connection dropped by the server must not crash the bot; the next query reconnects.
  pool.on('error', () => undefined);
  const newId = options.newId ?? randomUUID;
  const now = options.now ?? (() => new Date());
  let closed = false;

  async function tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is discarded rather than returned to the pool.
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async function toIncident(db: Queryable, row: IncidentRow): Promise<Incident> {
    let delivery;
    if (row.escalations > 0) {
      const { rows } = await db.query<{ status: OutboxStatus }>('SELECT status FROM outbox WHERE incident_id = $1 AND escalation_seq = $2', [
        row.id,
        row.escalations,
      ]);
      delivery = summariseDelivery(rows.map((r) => r.status));
    }
    return incidentFromColumns(
      {
        id: row.id,
        conversationId: row.conversation_id,
        tenantId: row.tenant_id,
        activityId: row.activity_id,
        serviceUrl: row.service_url,
        reporter: row.reporter,
        excerpt: row.excerpt,
        verdict: row.verdict,
        entryIds: row.entry_ids,
        appId: row.app_id,
        state: row.state,
        version: row.version,
        repeatCount: row.repeat_count,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        resolvedAt: row.resolved_at,
        resolvedBy: row.resolved_by,
        escalatedAt: row.escalated_at,
        escalatedBy: row.escalated_by,
        escalationNote: row.escalation_note,
      },
      delivery,
    );
  }

  async function readRow(db: Queryable, id: string, lock = false): Promise<IncidentRow | undefined> {
    const { rows } = await db.query<IncidentRow>(`SELECT * FROM incidents WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0];
  }

  async function addEvent(db: Queryable, incidentId: string, kind: IncidentEventKind, at: Date, actor?: Person, detail?: string): Promise<void> {
    await db.query('INSERT INTO incident_events (incident_id, kind, at, actor, detail) VALUES ($1, $2, $3, $4, $5)', [
      incidentId,
      kind,
      at,
      jsonParam(actor),
      detail ?? null,
    ]);
  }

  async function finish(messageId: string, status: 'delivered' | 'dead-lettered', error: string | null, at: Date): Promise<void> {
    await tx(async (db) => {
      const { rows } = await db.query<{ incident_id: string; target: string }>(
        `UPDATE outbox SET status = $2, last_error = coalesce($3, last_error), lease_until = NULL, finished_at = $4
         WHERE id = $1 AND status = 'pending' RETURNING incident_id, target`,
        [messageId, status, error, at],
      );
      const row = rows[0];
      if (row) await addEvent(db, row.incident_id, status === 'delivered' ? 'escalation-delivered' : 'escalation-dead-lettered', at, undefined, row.target);
    });
  }

  return {
    async migrate() {
      try {
        await tx(async (db) => {
          await db.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
          await db.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)');
          const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
          const done = new Set(rows.map((r) => r.version));
          refuseNewerSchema(done, MIGRATIONS);
          for (const migration of MIGRATIONS) {
            if (done.has(migration.version)) continue;
            await db.query(migration.sql);
            await db.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [migration.version, now()]);
          }
        });
      } catch (error) {
        if (error instanceof StoreError) throw error;
        throw new StoreError('migration', 'The PostgreSQL database could not be migrated or reached.', { cause: error });
      }
    },

    async ping() {
      try {
        await pool.query('SELECT 1');
      } catch (error) {
        throw new StoreError('unreachable', 'The PostgreSQL database is unreachable.', { cause: error });
      }
    },

    async openOrRepeat(raw: NewIncident) {
      const input = { ...raw, excerpt: redact(raw.excerpt).text };
      const key = repeatKey(input.verdict, input.entryIds, input.excerpt);
      return tx(async (db) => {
        // Two pastes of one error at once must not both open an incident.
        await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${input.conversationId}\n${key}`]);
        const { rows } = await db.query<IncidentRow>(
          `SELECT * FROM incidents WHERE conversation_id = $1 AND repeat_key = $2 AND state IN ('open', 'escalated')
           ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE`,
          [input.conversationId, key],
        );
        const existing = rows[0];
        if (existing) {
          const updated = await db.query<IncidentRow>(
            'UPDATE incidents SET repeat_count = repeat_count + 1, updated_at = greatest(updated_at, $2) WHERE id = $1 RETURNING *',
            [existing.id, input.at],
          );
          await addEvent(db, existing.id, 'repeated', input.at, input.reporter);
          return { incident: await toIncident(db, updated.rows[0]!), repeated: true };
        }
        const inserted = await db.query<IncidentRow>(
          `INSERT INTO incidents (id, conversation_id, tenant_id, service_url, reporter, excerpt, verdict, entry_ids, repeat_key,
             app_id, state, version, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', 1, $11, $11) RETURNING *`,
          [
            newId(),
            input.conversationId,
            input.tenantId ?? null,
            input.serviceUrl ?? null,
            JSON.stringify(input.reporter),
            input.excerpt,
            input.verdict,
            JSON.stringify(input.entryIds),
            key,
            input.appId ?? null,
            input.at,
          ],
        );
        const row = inserted.rows[0]!;
        await addEvent(db, row.id, 'opened', input.at, input.reporter);
        return { incident: await toIncident(db, row), repeated: false };
      });
    },

    async attachCard(incidentId, activityId) {
      await pool.query('UPDATE incidents SET activity_id = $2 WHERE id = $1', [incidentId, activityId]);
    },

    async get(incidentId) {
      const row = await readRow(pool, incidentId);
      return row ? toIncident(pool, row) : undefined;
    },

    async apply(request: ActionRequest, escalationTargets: string[], buildPayload: (incident: Incident) => unknown): Promise<ActionOutcome> {
      return tx(async (db): Promise<ActionOutcome> => {
        const row = await readRow(db, request.incidentId, true);
        // A press from another conversation is treated exactly like an unknown incident.
        if (!row || row.conversation_id !== request.conversationId) return { status: 'not-found' };
        const current = await toIncident(db, row);
        const t = decide(current, request, row.escalations);
        if (t.status === 'rejected') return { status: 'rejected', incident: current, reason: t.reason ?? 'Not allowed now.' };
        if (t.status === 'unchanged') return { status: 'unchanged', incident: current };
        const next = t.incident;
        const updated = await db.query<IncidentRow>(
          `UPDATE incidents SET state = $3, version = $4, updated_at = $5, verdict = $6, entry_ids = $7, app_id = $8,
             resolved_at = $9, resolved_by = $10, escalated_at = $11, escalated_by = $12, escalation_note = $13, escalations = $14
           WHERE id = $1 AND version = $2 RETURNING *`,
          [
            row.id,
            row.version,
            next.state,
            next.version,
            next.updatedAt,
            next.verdict,
            JSON.stringify(next.entryIds),
            next.appId ?? null,
            next.resolvedAt ?? null,
            jsonParam(next.resolvedBy),
            next.escalatedAt ?? null,
            jsonParam(next.escalatedBy),
            next.escalationNote ?? null,
            t.escalationSeq ?? row.escalations,
          ],
        );
        if (t.event) await addEvent(db, row.id, t.event.kind, request.at, t.event.actor, t.event.detail);
        if (t.escalationSeq !== undefined && escalationTargets.length > 0) {
          const payload = JSON.stringify(buildPayload({ ...next, escalationDelivery: 'pending' }) ?? null);
          for (const target of new Set(escalationTargets)) {
            await db.query(
              `INSERT INTO outbox (id, incident_id, escalation_seq, target, idempotency_key, payload, status, next_attempt_at, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
              [newId(), row.id, t.escalationSeq, target, idempotencyKey(row.id, t.escalationSeq, target), payload, request.at],
            );
          }
        }
        return { status: 'applied', incident: await toIncident(db, updated.rows[0]!) };
      });
    },

    async events(incidentId) {
      const { rows } = await pool.query<{ incident_id: string; kind: IncidentEventKind; at: Date; actor: Person | null; detail: string | null }>(
        'SELECT incident_id, kind, at, actor, detail FROM incident_events WHERE incident_id = $1 ORDER BY seq',
        [incidentId],
      );
      return rows.map((r) => eventFromColumns(r.incident_id, r.kind, r.at, r.actor, r.detail));
    },

    async stats(at: Date, days: number): Promise<StatsWindow> {
      const { rows } = await pool.query<{ state: string; verdict: string; app_id: string | null; entry_ids: string[]; created_at: Date; resolved_at: Date | null }>(
        'SELECT state, verdict, app_id, entry_ids, created_at, resolved_at FROM incidents WHERE created_at > $1 AND created_at <= $2',
        [new Date(at.getTime() - days * DAY_MS), at],
      );
      return computeStats(
        rows.map((r) => ({
          state: r.state,
          verdict: r.verdict,
          appId: r.app_id,
          entryIds: r.entry_ids,
          createdAtMs: r.created_at.getTime(),
          resolvedAtMs: r.resolved_at?.getTime() ?? null,
        })),
        days,
      );
    },

    async claimDue(at, limit, leaseMs, targets) {
      if (targets !== undefined && targets.length === 0) return [];
      const { rows } = await pool.query<{
        id: string;
        incident_id: string;
        target: string;
        idempotency_key: string;
        payload: unknown;
        attempts: number;
        next_attempt_at: Date;
        created_at: Date;
        last_error: string | null;
      }>(
        `UPDATE outbox SET lease_until = $2, attempts = attempts + 1
         WHERE id IN (
           SELECT id FROM outbox
           WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
             AND ($4::text[] IS NULL OR target = ANY($4::text[]))
           ORDER BY next_attempt_at, created_at LIMIT $3
           FOR UPDATE SKIP LOCKED)
         RETURNING id, incident_id, target, idempotency_key, payload, attempts, next_attempt_at, created_at, last_error`,
        [at, new Date(at.getTime() + leaseMs), Math.max(0, Math.floor(limit)), targets ?? null],
      );
      return rows
        .sort((a, b) => a.next_attempt_at.getTime() - b.next_attempt_at.getTime() || a.created_at.getTime() - b.created_at.getTime())
        .map((r): OutboxMessage => {
          const message: OutboxMessage = {
            id: r.id,
            incidentId: r.incident_id,
            target: r.target,
            idempotencyKey: r.idempotency_key,
            payload: r.payload,
            attempts: r.attempts,
            nextAttemptAt: r.next_attempt_at,
          };
          if (r.last_error !== null) message.lastError = r.last_error;
          return message;
        });
    },

    async markDelivered(messageId, at) {
      await finish(messageId, 'delivered', null, at);
    },

    async markFailed(messageId, error, retryAt) {
      await pool.query("UPDATE outbox SET last_error = $2, next_attempt_at = $3, lease_until = NULL WHERE id = $1 AND status = 'pending'", [
        messageId,
        error,
        retryAt,
      ]);
    },

    async markDeadLettered(messageId, error, at) {
      await finish(messageId, 'dead-lettered', error, at);
    },

    async outboxCounts(): Promise<OutboxCounts> {
      const counts = emptyCounts();
      const { rows } = await pool.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM outbox GROUP BY status');
      for (const r of rows) addCount(counts, r.status, Number(r.n));
      return counts;
    },

    async getSetting(key) {
      const { rows } = await pool.query<{ value: unknown }>('SELECT value FROM settings WHERE key = $1', [key]);
      return rows[0]?.value;
    },

    async putSetting(key, value) {
      await pool.query(
        'INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        [key, JSON.stringify(value ?? null), now()],
      );
    },

    async purge(before) {
      return tx(async (db) => {
        // An escalation still on its way keeps its incident, whatever its age.
        const { rows } = await db.query<{ id: string }>(
          `DELETE FROM incidents i WHERE updated_at < $1
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.incident_id = i.id AND o.status = 'pending')
           RETURNING id`,
          [before],
        );
        const ids = rows.map((r) => r.id);
        if (ids.length > 0) {
          await db.query('DELETE FROM incident_events WHERE incident_id = ANY($1)', [ids]);
          await db.query('DELETE FROM outbox WHERE incident_id = ANY($1)', [ids]);
        }
        await db.query("DELETE FROM outbox WHERE status <> 'pending' AND coalesce(finished_at, created_at) < $1", [before]);
        return ids.length;
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
