// The incident store, written once for every database: the SQL (with $1..$n placeholders) and the
// bookkeeping live here, the driver (sqlite.ts, postgres.ts) only runs it. Every operation turns
// a database failure into a coded StoreError, retries once when the connection died under it,
// and reports the failure (log + metric) through `onFailure`.

import { randomUUID } from 'node:crypto';
import { StoreError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { alertOperations } from './alert-store.js';
import type { Session, StoreDriver } from './driver.js';
import { idempotencyKey, repeatKey, transition } from './machine.js';
import { addCount, computeStats, DAY_MS, emptyCounts, eventFromColumns, incidentFromColumns, summariseDelivery, type OutboxStatus } from './rows.js';
import type { ActionOutcome, ActionRequest, Incident, IncidentEvent, IncidentEventKind, IncidentStore, NewIncident, OutboxCounts, OutboxMessage, Person, StatsWindow } from './types.js';

/** At most this many setting keys are remembered at once (the bot uses a handful). */
export const MAX_REMEMBERED_SETTINGS = 32;

export interface StoreOptions {
  newId?: () => string;
  /** Only for bookkeeping (migration, setting and probe timestamps, the age of a remembered setting); incident times come from arguments. */
  now?: () => Date;
  /** Told about every failed operation, after the one retry (log it, count it). */
  onFailure?: (operation: string, error: StoreError) => void;
  /** How long a write probe's answer is reused, so a flood of /readyz is not a flood of writes. Default 1 s. */
  probeCacheMs?: number;
  /**
   * How long a setting read from the database is reused (the bot reads the support channel on every
   * paste and press). A putSetting through this store is seen by its very next getSetting; one
   * written by another instance sharing the database is seen within this long. Default 0: every
   * getSetting reads the database.
   */
  settingsMaxAgeMs?: number;
}

/** Settings key the write probe overwrites; never read by the bot. */
const PROBE_SETTING = 'readiness-probe';

type Row = Record<string, unknown>;

const jsonParam = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
const text = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export function createStore(driver: StoreDriver, options: StoreOptions = {}): IncidentStore {
  const newId = options.newId ?? randomUUID;
  const now = options.now ?? (() => new Date());
  const probeCacheMs = options.probeCacheMs ?? 1_000;
  const { db } = driver;
  const date = (d: Date) => driver.encodeDate(d);
  const optionalDate = (value: unknown): Date | null => (value === null || value === undefined ? null : driver.decodeDate(value));
  const person = (value: unknown): Person | null => (value === null || value === undefined ? null : (driver.decodeJson(value) as Person));

  /**
 * One store operation: guarded, classified, reported, and retried once on a dropped connection
 * (a plain statement on a pooled connection that had died; a transaction's driver decides that
 * itself and answers a StoreError when it must not be run again).
 */
  async function operation<T>(name: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        driver.guard();
        return await fn();
      } catch (error) {
        if (attempt === 1 && !(error instanceof StoreError) && driver.isConnectionLost(error)) continue;
        const failure = error instanceof StoreError ? error : driver.classify(error);
        if (failure) {
          options.onFailure?.(name, failure);
          throw failure;
        }
        throw error;
      }
    }
  }

  // Settings read lately, each with when its read began. A write through this store forgets the
  // key and counts a write, before and after: a read that overlapped a write (its answer may be
  // from before or after it) is not remembered, so the next read after a write is the database's.
  // The bot has a handful of setting keys; at most MAX_REMEMBERED_SETTINGS are remembered, whatever
  // a caller asks for.
  const settingsMaxAgeMs = Math.max(0, options.settingsMaxAgeMs ?? 0);
  const rememberedSettings = new Map<string, { value: unknown; readAt: number }>();
  let settingWrites = 0;
  const wroteSetting = (key: string) => {
    settingWrites += 1;
    rememberedSettings.delete(key);
  };

  /** Write one setting (the readiness probe writes its own, so a read-only store is noticed). */
  async function upsertSetting(key: string, value: unknown): Promise<void> {
    wroteSetting(key);
    try {
      await db.run(
        'INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        [key, JSON.stringify(value ?? null), date(now())],
      );
    } finally {
      wroteSetting(key);
    }
  }

  async function readSetting(key: string): Promise<unknown> {
    const [row] = await db.all<{ value: unknown }>('SELECT value FROM settings WHERE key = $1', [key]);
    return row ? driver.decodeJson(row.value) : undefined;
  }

  async function deliveryOf(s: Session, incidentId: string, seq: number): Promise<OutboxStatus[]> {
    if (seq === 0) return [];
    const rows = await s.all<{ status: OutboxStatus }>('SELECT status FROM outbox WHERE incident_id = $1 AND escalation_seq = $2', [incidentId, seq]);
    return rows.map((r) => r.status);
  }

  async function toIncident(s: Session, row: Row): Promise<Incident> {
    const id = String(row.id);
    return incidentFromColumns(
      {
        id,
        conversationId: String(row.conversation_id),
        tenantId: text(row.tenant_id),
        activityId: text(row.activity_id),
        serviceUrl: text(row.service_url),
        reporter: driver.decodeJson(row.reporter) as Person,
        excerpt: String(row.excerpt),
        verdict: String(row.verdict),
        entryIds: driver.decodeJson(row.entry_ids) as string[],
        appId: text(row.app_id),
        state: String(row.state),
        version: Number(row.version),
        repeatCount: Number(row.repeat_count),
        createdAt: driver.decodeDate(row.created_at),
        updatedAt: driver.decodeDate(row.updated_at),
        resolvedAt: optionalDate(row.resolved_at),
        resolvedBy: person(row.resolved_by),
        escalatedAt: optionalDate(row.escalated_at),
        escalatedBy: person(row.escalated_by),
        escalationNote: text(row.escalation_note),
        origin: text(row.origin),
      },
      summariseDelivery(await deliveryOf(s, id, Number(row.escalations))),
    );
  }

  function outboxMessage(r: Row, attempts: number): OutboxMessage {
    const message: OutboxMessage = {
      id: String(r.id),
      incidentId: String(r.incident_id),
      target: String(r.target),
      idempotencyKey: String(r.idempotency_key),
      payload: driver.decodeJson(r.payload),
      attempts,
      nextAttemptAt: driver.decodeDate(r.next_attempt_at),
    };
    if (r.last_error !== null && r.last_error !== undefined) message.lastError = String(r.last_error);
    return message;
  }

  async function readRow(s: Session, id: string, lock = false): Promise<Row | undefined> {
    const rows = await s.all(`SELECT * FROM incidents WHERE id = $1${lock ? driver.forUpdate : ''}`, [id]);
    return rows[0];
  }

  async function addEvent(s: Session, incidentId: string, kind: IncidentEventKind, at: Date, actor?: Person, detail?: string): Promise<void> {
    await s.run('INSERT INTO incident_events (incident_id, kind, at, actor, detail) VALUES ($1, $2, $3, $4, $5)', [
      incidentId,
      kind,
      date(at),
      jsonParam(actor),
      detail ?? null,
    ]);
  }

  /** The incident's audit trail, oldest first. */
  async function eventsOf(s: Session, incidentId: string): Promise<IncidentEvent[]> {
    const rows = await s.all('SELECT incident_id, kind, at, actor, detail FROM incident_events WHERE incident_id = $1 ORDER BY seq', [incidentId]);
    return rows.map((r) => eventFromColumns(String(r.incident_id), r.kind as IncidentEventKind, driver.decodeDate(r.at), person(r.actor), text(r.detail)));
  }

  async function finish(messageId: string, status: 'delivered' | 'dead-lettered', error: string | null, at: Date): Promise<void> {
    await driver.transaction(async (tx) => {
      const [row] = await tx.all<{ incident_id: string; target: string; escalation_seq: unknown }>(
        `SELECT incident_id, target, escalation_seq FROM outbox WHERE id = $1 AND status = 'pending'${driver.forUpdate}`,
        [messageId],
      );
      if (!row) return;
      await tx.run('UPDATE outbox SET status = $2, last_error = coalesce($3, last_error), lease_until = NULL, finished_at = $4 WHERE id = $1', [
        messageId,
        status,
        error,
        date(at),
      ]);
      // Sequence 0 is not an escalation but the bot posting the incident's own card (an alert's thread).
      const post = Number(row.escalation_seq) === 0;
      const kind = status === 'delivered' ? (post ? 'card-posted' : 'escalation-delivered') : post ? 'card-post-failed' : 'escalation-dead-lettered';
      await addEvent(tx, row.incident_id, kind, at, undefined, row.target);
    });
  }

  let probing: { at: number; result: Promise<void> } | undefined;

  const alerts = alertOperations({ driver, operation, addEvent, toIncident, readRow, newId });

  const store: IncidentStore = {
    migrate: () => operation('migrate', () => driver.migrate(now())),

    ping: () => operation('ping', async () => void (await db.all('SELECT 1 AS one'))),

    probe() {
      const t = Date.now();
      if (probing && t - probing.at < probeCacheMs) return probing.result;
      const result = operation('probe', async () => {
        driver.preflight?.();
        await upsertSetting(PROBE_SETTING, t);
      });
      probing = { at: t, result };
      // A failed probe is not reused: the next /readyz looks again.
      result.catch(() => {
        if (probing?.result === result) probing = undefined;
      });
      return result;
    },

    openOrRepeat: (raw: NewIncident) =>
      operation('openOrRepeat', () => {
        const input = { ...raw, excerpt: redact(raw.excerpt).text };
        const key = repeatKey(input.verdict, input.entryIds, input.excerpt);
        return driver.transaction(async (tx) => {
          // Two pastes of one error at once must not both open an incident.
          await driver.lockKey(tx, `${input.conversationId}\n${key}`);
          const [existing] = await tx.all(
            `SELECT * FROM incidents WHERE conversation_id = $1 AND repeat_key = $2 AND state IN ('open', 'escalated')
               AND withdrawn_at IS NULL
             ORDER BY created_at DESC, id DESC LIMIT 1${driver.forUpdate}`,
            [input.conversationId, key],
          );
          // RETURNING *: the row as written, exactly what reading it back would give, without a second statement.
          if (existing) {
            const id = String(existing.id);
            const [updated] = await tx.all(
              'UPDATE incidents SET repeat_count = repeat_count + 1, updated_at = CASE WHEN updated_at < $2 THEN $2 ELSE updated_at END WHERE id = $1 RETURNING *',
              [id, date(input.at)],
            );
            await addEvent(tx, id, 'repeated', input.at, input.reporter);
            // The card shows the whole trail (choices, support's post): read in this transaction, it is the one this repeat belongs to.
            return { incident: await toIncident(tx, updated!), repeated: true, events: await eventsOf(tx, id) };
          }
          const id = newId();
          const [inserted] = await tx.all(
            `INSERT INTO incidents (id, conversation_id, tenant_id, service_url, reporter, excerpt, verdict, entry_ids, repeat_key,
               app_id, state, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', 1, $11, $11) RETURNING *`,
            [
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
              date(input.at),
            ],
          );
          await addEvent(tx, id, 'opened', input.at, input.reporter);
          // A new incident's trail is the one event just written, as reading it back would decode it.
          const opened = eventFromColumns(id, 'opened', new Date(input.at.getTime()), JSON.parse(JSON.stringify(input.reporter)) as Person, null);
          return { incident: await toIncident(tx, inserted!), repeated: false, events: [opened] };
        });
      }),

    attachCard: (incidentId, activityId) =>
      // A write of every paste: on SQLite it shares the commit of the pastes recorded around it.
      operation('attachCard', async () => void (await driver.write('UPDATE incidents SET activity_id = $2 WHERE id = $1', [incidentId, activityId]))),

    withdraw: (incidentId, opened, actor, at) =>
      operation('withdraw', () =>
        driver.transaction(async (tx) => {
          const changed = opened.repeated
            ? await tx.run('UPDATE incidents SET repeat_count = repeat_count - 1 WHERE id = $1 AND repeat_count > 0', [incidentId])
            : await tx.run('UPDATE incidents SET withdrawn_at = $2 WHERE id = $1 AND withdrawn_at IS NULL', [incidentId, date(at)]);
          if (changed > 0) await addEvent(tx, incidentId, 'withdrawn', at, actor, opened.repeated ? 'repeat' : 'incident');
        }),
      ),

    get: (incidentId) =>
      operation('get', async () => {
        const row = await readRow(db, incidentId);
        return row ? toIncident(db, row) : undefined;
      }),

    apply: (request: ActionRequest, escalationTargets: string[], buildPayload: (incident: Incident) => unknown): Promise<ActionOutcome> =>
      operation('apply', () =>
        driver.transaction(async (tx): Promise<ActionOutcome> => {
          const row = await readRow(tx, request.incidentId, true);
          // A press from another conversation is treated exactly like an unknown incident.
          if (!row || row.conversation_id !== request.conversationId) return { status: 'not-found' };
          const current = await toIncident(tx, row);
          const escalations = Number(row.escalations);
          const t = transition(current, request, escalations);
          if (t.status === 'rejected') return { status: 'rejected', incident: current, reason: t.reason ?? 'Not allowed now.' };
          if (t.status === 'unchanged') return { status: 'unchanged', incident: current };
          const next = t.incident;
          const [updated] = await tx.all(
            `UPDATE incidents SET state = $3, version = $4, updated_at = $5, verdict = $6, entry_ids = $7, app_id = $8,
               resolved_at = $9, resolved_by = $10, escalated_at = $11, escalated_by = $12, escalation_note = $13, escalations = $14
             WHERE id = $1 AND version = $2 RETURNING *`,
            [
              current.id,
              current.version,
              next.state,
              next.version,
              date(next.updatedAt),
              next.verdict,
              JSON.stringify(next.entryIds),
              next.appId ?? null,
              next.resolvedAt ? date(next.resolvedAt) : null,
              jsonParam(next.resolvedBy),
              next.escalatedAt ? date(next.escalatedAt) : null,
              jsonParam(next.escalatedBy),
              next.escalationNote ?? null,
              t.escalationSeq ?? escalations,
            ],
          );
          if (t.event) await addEvent(tx, current.id, t.event.kind, request.at, t.event.actor, t.event.detail);
          if (t.escalationSeq !== undefined && escalationTargets.length > 0) {
            const payload = JSON.stringify(buildPayload({ ...next, escalationDelivery: 'pending' }) ?? null);
            for (const target of new Set(escalationTargets)) {
              await tx.run(
                `INSERT INTO outbox (id, incident_id, escalation_seq, target, idempotency_key, payload, status, next_attempt_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) ON CONFLICT (idempotency_key) DO NOTHING`,
                [newId(), current.id, t.escalationSeq, target, idempotencyKey(current.id, t.escalationSeq, target), payload, date(request.at)],
              );
            }
          }
          // The row as the UPDATE left it (its delivery read after the outbox rows above), and the trail
          // with this change in it: what the cards of the press show, without asking the store again.
          // The row was read under this transaction's lock, so the UPDATE (same id and version) always matched.
          return { status: 'applied', incident: await toIncident(tx, updated!), events: await eventsOf(tx, current.id) };
        }),
      ),

    events: (incidentId) => operation('events', () => eventsOf(db, incidentId)),

    stats: (at: Date, days: number): Promise<StatsWindow> =>
      operation('stats', async () => {
        const rows = await db.all('SELECT state, verdict, app_id, entry_ids, created_at, resolved_at FROM incidents WHERE created_at > $1 AND created_at <= $2 AND withdrawn_at IS NULL', [
          date(new Date(at.getTime() - days * DAY_MS)),
          date(at),
        ]);
        return computeStats(
          rows.map((r) => ({
            state: String(r.state),
            verdict: String(r.verdict),
            appId: text(r.app_id),
            entryIds: driver.decodeJson(r.entry_ids) as string[],
            createdAtMs: driver.decodeDate(r.created_at).getTime(),
            resolvedAtMs: optionalDate(r.resolved_at)?.getTime() ?? null,
          })),
          days,
        );
      }),

    claimDue: (at, limit, leaseMs, targets) =>
      operation('claimDue', async () => {
        if (targets !== undefined && targets.length === 0) return [];
        const only = targets ? ` AND target IN (${targets.map((_, i) => `$${i + 3}`).join(', ')})` : '';
        return driver.transaction(async (tx) => {
          const rows = await tx.all(
            `SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)${only}
             ORDER BY next_attempt_at, created_at LIMIT $2${driver.skipLocked}`,
            [date(at), Math.max(0, Math.floor(limit)), ...(targets ?? [])],
          );
          const messages: OutboxMessage[] = [];
          for (const r of rows) {
            await tx.run('UPDATE outbox SET lease_until = $2, attempts = attempts + 1 WHERE id = $1', [r.id, date(new Date(at.getTime() + leaseMs))]);
            messages.push(outboxMessage(r, Number(r.attempts) + 1));
          }
          return messages;
        });
      }),

    extendClaim: (messageId, until) =>
      operation('extendClaim', async () => {
        await db.run("UPDATE outbox SET lease_until = $2 WHERE id = $1 AND status = 'pending' AND lease_until IS NOT NULL", [messageId, date(until)]);
      }),

    markDelivered: (messageId, at) => operation('markDelivered', () => finish(messageId, 'delivered', null, at)),

    markFailed: (messageId, error, retryAt, notAttempted) =>
      operation('markFailed', async () => {
        const refund = notAttempted ? ', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END' : '';
        await db.run(`UPDATE outbox SET last_error = $2, next_attempt_at = $3, lease_until = NULL${refund} WHERE id = $1 AND status = 'pending'`, [
          messageId,
          error,
          date(retryAt),
        ]);
      }),

    markDeadLettered: (messageId, error, at) => operation('markDeadLettered', () => finish(messageId, 'dead-lettered', error, at)),

    unroutable: (at, targets, olderThan, limit) =>
      operation('unroutable', async () => {
        const others = targets.length > 0 ? ` AND target NOT IN (${targets.map((_, i) => `$${i + 4}`).join(', ')})` : '';
        const rows = await db.all(
          `SELECT * FROM outbox WHERE status = 'pending' AND created_at <= $1 AND (lease_until IS NULL OR lease_until <= $2)${others}
           ORDER BY created_at LIMIT $3`,
          [date(olderThan), date(at), Math.max(0, Math.floor(limit)), ...targets],
        );
        return rows.map((r) => outboxMessage(r, Number(r.attempts)));
      }),

    outboxCounts: (): Promise<OutboxCounts> =>
      operation('outboxCounts', async () => {
        const counts = emptyCounts();
        for (const r of await db.all<{ status: string; n: unknown }>('SELECT status, count(*) AS n FROM outbox WHERE escalation_seq > 0 GROUP BY status')) addCount(counts, r.status, Number(r.n));
        return counts;
      }),

    getSetting: (key) =>
      operation('getSetting', async () => {
        if (settingsMaxAgeMs === 0) return readSetting(key);
        const readAt = now().getTime();
        const remembered = rememberedSettings.get(key);
        // A copy each time: whoever asked may change what it got.
        // (A clock set back does not keep a setting for ever: a negative age is no age.)
        if (remembered && readAt >= remembered.readAt && readAt - remembered.readAt < settingsMaxAgeMs) return structuredClone(remembered.value);
        const writes = settingWrites;
        const value = await readSetting(key);
        const room = rememberedSettings.has(key) || rememberedSettings.size < MAX_REMEMBERED_SETTINGS;
        if (settingWrites === writes && room) rememberedSettings.set(key, { value: structuredClone(value), readAt });
        return value;
      }),

    putSetting: (key, value) =>
      operation('putSetting', () => upsertSetting(key, value)),

    purge: (before) =>
      operation('purge', () =>
        driver.transaction(async (tx) => {
          // An escalation still on its way keeps its incident, whatever its age. Set-wise, so a
          // purge of thousands is a few statements, not thousands of round trips.
          const old = `SELECT id FROM incidents i WHERE updated_at < $1
             AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.incident_id = i.id AND o.status = 'pending')`;
          await tx.run(`DELETE FROM incident_events WHERE incident_id IN (${old})`, [date(before)]);
          await tx.run(`DELETE FROM outbox WHERE incident_id IN (${old})`, [date(before)]);
          await tx.run(`DELETE FROM alert_sources WHERE incident_id IN (${old})`, [date(before)]);
          const removed = await tx.run(`DELETE FROM incidents WHERE id IN (${old})`, [date(before)]);
          await tx.run("DELETE FROM outbox WHERE status <> 'pending' AND coalesce(finished_at, created_at) < $1", [date(before)]);
          return removed;
        }),
      ),

    ...alerts,

    close: () => driver.close(),
  };
  return store;
}
