// The SQLite incident store (the default): one file, WAL, every write in a BEGIN IMMEDIATE
// transaction so presses from several processes on the same file serialise cleanly. Outbox
// claims are leases (a column), so a killed worker's claims expire and are retried.

import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { decide, idempotencyKey, repeatKey } from './machine.js';
import { redact } from '../core/redact.js';
import {
  addCount,
  computeStats,
  DAY_MS,
  emptyCounts,
  eventFromColumns,
  incidentFromColumns,
  refuseNewerSchema,
  StoreError,
  summariseDelivery,
  type OutboxStatus,
  type StatsRow,
} from './rows.js';
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

export interface SqliteStoreOptions {
  /** Milliseconds a writer waits for another process's lock before failing. */
  busyTimeoutMs?: number;
  newId?: () => string;
  /** Only for bookkeeping columns (migration and setting timestamps); incident times come from arguments. */
  now?: () => Date;
}

const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        tenant_id TEXT,
        activity_id TEXT,
        service_url TEXT,
        reporter TEXT NOT NULL,
        excerpt TEXT NOT NULL,
        verdict TEXT NOT NULL,
        entry_ids TEXT NOT NULL,
        repeat_key TEXT NOT NULL,
        app_id TEXT,
        state TEXT NOT NULL CHECK (state IN ('open', 'resolved', 'escalated')),
        version INTEGER NOT NULL,
        repeat_count INTEGER NOT NULL DEFAULT 0,
        escalations INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        resolved_at INTEGER,
        resolved_by TEXT,
        escalated_at INTEGER,
        escalated_by TEXT,
        escalation_note TEXT
      );
      CREATE INDEX incidents_repeat ON incidents (conversation_id, repeat_key, state);
      CREATE INDEX incidents_created ON incidents (created_at);
      CREATE INDEX incidents_updated ON incidents (updated_at);
      CREATE TABLE incident_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT,
        detail TEXT
      );
      CREATE INDEX incident_events_incident ON incident_events (incident_id, seq);
      CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL,
        escalation_seq INTEGER NOT NULL,
        target TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead-lettered')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_until INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
      CREATE INDEX outbox_incident ON outbox (incident_id, escalation_seq);
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
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
  reporter: string;
  excerpt: string;
  verdict: string;
  entry_ids: string;
  repeat_key: string;
  app_id: string | null;
  state: string;
  version: number;
  repeat_count: number;
  escalations: number;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
  resolved_by: string | null;
  escalated_at: number | null;
  escalated_by: string | null;
  escalation_note: string | null;
}

interface OutboxRow {
  id: string;
  incident_id: string;
  target: string;
  idempotency_key: string;
  payload: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

const person = (json: string | null): Person | null => (json === null ? null : (JSON.parse(json) as Person));
const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): IncidentStore {
  const inMemory = path === ':memory:';
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new StoreError('unreachable', 'The SQLite database could not be opened.', { cause: error });
  }
  if (!inMemory) db.pragma('journal_mode = WAL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  const newId = options.newId ?? randomUUID;
  const now = options.now ?? (() => new Date());

  const immediate = <T>(fn: () => T): T => db.transaction(fn).immediate();
  // Statements are compiled once per SQL text and reused for every call.
  const statements = new Map<string, Database.Statement>();
  const stmt = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  const deliveryOf = (incidentId: string, seq: number): OutboxStatus[] =>
    seq === 0
      ? []
      : (stmt('SELECT status FROM outbox WHERE incident_id = ? AND escalation_seq = ?').all(incidentId, seq) as { status: OutboxStatus }[]).map(
          (r) => r.status,
        );

  const toIncident = (row: IncidentRow): Incident =>
    incidentFromColumns(
      {
        id: row.id,
        conversationId: row.conversation_id,
        tenantId: row.tenant_id,
        activityId: row.activity_id,
        serviceUrl: row.service_url,
        reporter: JSON.parse(row.reporter) as Person,
        excerpt: row.excerpt,
        verdict: row.verdict,
        entryIds: JSON.parse(row.entry_ids) as string[],
        appId: row.app_id,
        state: row.state,
        version: row.version,
        repeatCount: row.repeat_count,
        createdAt: new Date(row.created_at),
        updatedAt: new Date(row.updated_at),
        resolvedAt: date(row.resolved_at),
        resolvedBy: person(row.resolved_by),
        escalatedAt: date(row.escalated_at),
        escalatedBy: person(row.escalated_by),
        escalationNote: row.escalation_note,
      },
      summariseDelivery(deliveryOf(row.id, row.escalations)),
    );

  const readRow = (id: string): IncidentRow | undefined => stmt('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined;

  const addEvent = (incidentId: string, kind: IncidentEventKind, at: Date, actor?: Person, detail?: string): void => {
    stmt('INSERT INTO incident_events (incident_id, kind, at, actor, detail) VALUES (?, ?, ?, ?, ?)').run(
      incidentId,
      kind,
      at.getTime(),
      json(actor),
      detail ?? null,
    );
  };

  const store: IncidentStore = {
    async migrate() {
      try {
        immediate(() => {
          db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
          const done = new Set((stmt('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
          refuseNewerSchema(done, MIGRATIONS);
          for (const migration of MIGRATIONS) {
            if (done.has(migration.version)) continue;
            db.exec(migration.sql);
            stmt('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(migration.version, now().getTime());
          }
        });
      } catch (error) {
        if (error instanceof StoreError) throw error;
        throw new StoreError('migration', 'The SQLite database could not be migrated.', { cause: error });
      }
    },

    async ping() {
      try {
        stmt('SELECT 1').get();
      } catch (error) {
        throw new StoreError('unreachable', 'The SQLite database is not available.', { cause: error });
      }
    },

    async openOrRepeat(raw: NewIncident) {
      const input = { ...raw, excerpt: redact(raw.excerpt).text };
      const key = repeatKey(input.verdict, input.entryIds, input.excerpt);
      return immediate(() => {
        const existing = db
          .prepare(
            `SELECT * FROM incidents WHERE conversation_id = ? AND repeat_key = ? AND state IN ('open', 'escalated')
             ORDER BY created_at DESC, rowid DESC LIMIT 1`,
          )
          .get(input.conversationId, key) as IncidentRow | undefined;
        if (existing) {
          stmt('UPDATE incidents SET repeat_count = repeat_count + 1, updated_at = max(updated_at, ?) WHERE id = ?').run(
            input.at.getTime(),
            existing.id,
          );
          addEvent(existing.id, 'repeated', input.at, input.reporter);
          return { incident: toIncident(readRow(existing.id)!), repeated: true };
        }
        const id = newId();
        const at = input.at.getTime();
        stmt(
          `INSERT INTO incidents (id, conversation_id, tenant_id, service_url, reporter, excerpt, verdict, entry_ids, repeat_key,
             app_id, state, version, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 1, ?, ?)`,
        ).run(
          id,
          input.conversationId,
          input.tenantId ?? null,
          input.serviceUrl ?? null,
          JSON.stringify(input.reporter),
          input.excerpt,
          input.verdict,
          JSON.stringify(input.entryIds),
          key,
          input.appId ?? null,
          at,
          at,
        );
        addEvent(id, 'opened', input.at, input.reporter);
        return { incident: toIncident(readRow(id)!), repeated: false };
      });
    },

    async attachCard(incidentId, activityId) {
      stmt('UPDATE incidents SET activity_id = ? WHERE id = ?').run(activityId, incidentId);
    },

    async get(incidentId) {
      const row = readRow(incidentId);
      return row ? toIncident(row) : undefined;
    },

    async apply(request: ActionRequest, escalationTargets: string[], buildPayload: (incident: Incident) => unknown): Promise<ActionOutcome> {
      return immediate((): ActionOutcome => {
        const row = readRow(request.incidentId);
        // A press from another conversation is treated exactly like an unknown incident.
        if (!row || row.conversation_id !== request.conversationId) return { status: 'not-found' };
        const current = toIncident(row);
        const t = decide(current, request, row.escalations);
        if (t.status === 'rejected') return { status: 'rejected', incident: current, reason: t.reason ?? 'Not allowed now.' };
        if (t.status === 'unchanged') return { status: 'unchanged', incident: current };
        const next = t.incident;
        const seq = t.escalationSeq ?? row.escalations;
        stmt(
          `UPDATE incidents SET state = ?, version = ?, updated_at = ?, verdict = ?, entry_ids = ?, app_id = ?,
             resolved_at = ?, resolved_by = ?, escalated_at = ?, escalated_by = ?, escalation_note = ?, escalations = ?
           WHERE id = ? AND version = ?`,
        ).run(
          next.state,
          next.version,
          next.updatedAt.getTime(),
          next.verdict,
          JSON.stringify(next.entryIds),
          next.appId ?? null,
          next.resolvedAt?.getTime() ?? null,
          json(next.resolvedBy),
          next.escalatedAt?.getTime() ?? null,
          json(next.escalatedBy),
          next.escalationNote ?? null,
          seq,
          row.id,
          row.version,
        );
        if (t.event) addEvent(row.id, t.event.kind, request.at, t.event.actor, t.event.detail);
        if (t.escalationSeq !== undefined && escalationTargets.length > 0) {
          const payload = JSON.stringify(buildPayload({ ...next, escalationDelivery: 'pending' }) ?? null);
          const insert = stmt(
            `INSERT INTO outbox (id, incident_id, escalation_seq, target, idempotency_key, payload, status, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
          );
          for (const target of new Set(escalationTargets)) {
            insert.run(newId(), row.id, t.escalationSeq, target, idempotencyKey(row.id, t.escalationSeq, target), payload, request.at.getTime(), request.at.getTime());
          }
        }
        return { status: 'applied', incident: toIncident(readRow(row.id)!) };
      });
    },

    async events(incidentId) {
      const rows = stmt('SELECT * FROM incident_events WHERE incident_id = ? ORDER BY seq').all(incidentId) as {
        incident_id: string;
        kind: IncidentEventKind;
        at: number;
        actor: string | null;
        detail: string | null;
      }[];
      return rows.map((r) => eventFromColumns(r.incident_id, r.kind, new Date(r.at), person(r.actor), r.detail));
    },

    async stats(now: Date, days: number): Promise<StatsWindow> {
      const from = now.getTime() - days * DAY_MS;
      const rows = db
        .prepare('SELECT state, verdict, app_id, entry_ids, created_at, resolved_at FROM incidents WHERE created_at > ? AND created_at <= ?')
        .all(from, now.getTime()) as { state: string; verdict: string; app_id: string | null; entry_ids: string; created_at: number; resolved_at: number | null }[];
      const statsRows: StatsRow[] = rows.map((r) => ({
        state: r.state,
        verdict: r.verdict,
        appId: r.app_id,
        entryIds: JSON.parse(r.entry_ids) as string[],
        createdAtMs: r.created_at,
        resolvedAtMs: r.resolved_at,
      }));
      return computeStats(statsRows, days);
    },

    async claimDue(now, limit, leaseMs, targets) {
      const t = now.getTime();
      if (targets !== undefined && targets.length === 0) return [];
      const only = targets ? ` AND target IN (${targets.map(() => '?').join(', ')})` : '';
      return immediate(() => {
        const rows = db
          .prepare(
            `SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)${only}
             ORDER BY next_attempt_at, created_at LIMIT ?`,
          )
          .all(t, t, ...(targets ?? []), Math.max(0, Math.floor(limit))) as OutboxRow[];
        const lease = stmt('UPDATE outbox SET lease_until = ?, attempts = attempts + 1 WHERE id = ?');
        return rows.map((r): OutboxMessage => {
          lease.run(t + leaseMs, r.id);
          const message: OutboxMessage = {
            id: r.id,
            incidentId: r.incident_id,
            target: r.target,
            idempotencyKey: r.idempotency_key,
            payload: JSON.parse(r.payload) as unknown,
            attempts: r.attempts + 1,
            nextAttemptAt: new Date(r.next_attempt_at),
          };
          if (r.last_error !== null) message.lastError = r.last_error;
          return message;
        });
      });
    },

    async markDelivered(messageId, at) {
      immediate(() => {
        const row = stmt("SELECT incident_id, target FROM outbox WHERE id = ? AND status = 'pending'").get(messageId) as
          | { incident_id: string; target: string }
          | undefined;
        if (!row) return;
        stmt("UPDATE outbox SET status = 'delivered', lease_until = NULL, finished_at = ? WHERE id = ?").run(at.getTime(), messageId);
        addEvent(row.incident_id, 'escalation-delivered', at, undefined, row.target);
      });
    },

    async markFailed(messageId, error, retryAt) {
      stmt("UPDATE outbox SET last_error = ?, next_attempt_at = ?, lease_until = NULL WHERE id = ? AND status = 'pending'").run(
        error,
        retryAt.getTime(),
        messageId,
      );
    },

    async markDeadLettered(messageId, error, at) {
      immediate(() => {
        const row = stmt("SELECT incident_id, target FROM outbox WHERE id = ? AND status = 'pending'").get(messageId) as
          | { incident_id: string; target: string }
          | undefined;
        if (!row) return;
        stmt("UPDATE outbox SET status = 'dead-lettered', last_error = ?, lease_until = NULL, finished_at = ? WHERE id = ?").run(
          error,
          at.getTime(),
          messageId,
        );
        addEvent(row.incident_id, 'escalation-dead-lettered', at, undefined, row.target);
      });
    },

    async outboxCounts(): Promise<OutboxCounts> {
      const counts = emptyCounts();
      for (const r of stmt('SELECT status, count(*) AS n FROM outbox GROUP BY status').all() as { status: string; n: number }[]) {
        addCount(counts, r.status, r.n);
      }
      return counts;
    },

    async getSetting(key) {
      const row = stmt('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
      return row ? (JSON.parse(row.value) as unknown) : undefined;
    },

    async putSetting(key, value) {
      stmt('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(
        key,
        JSON.stringify(value ?? null),
        now().getTime(),
      );
    },

    async purge(before) {
      const t = before.getTime();
      return immediate(() => {
        // An escalation still on its way keeps its incident, whatever its age.
        const ids = (
          db
            .prepare(
              `SELECT id FROM incidents i WHERE updated_at < ?
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.incident_id = i.id AND o.status = 'pending')`,
            )
            .all(t) as { id: string }[]
        ).map((r) => r.id);
        const delEvents = stmt('DELETE FROM incident_events WHERE incident_id = ?');
        const delOutbox = stmt('DELETE FROM outbox WHERE incident_id = ?');
        const delIncident = stmt('DELETE FROM incidents WHERE id = ?');
        for (const id of ids) {
          delEvents.run(id);
          delOutbox.run(id);
          delIncident.run(id);
        }
        stmt("DELETE FROM outbox WHERE status <> 'pending' AND coalesce(finished_at, created_at) < ?").run(t);
        return ids.length;
      });
    },

    async close() {
      if (db.open) db.close();
    },
  };
  return store;
}
