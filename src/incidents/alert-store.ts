// The store's alert operations, written once for both databases like the rest of the store: an
// alert is recorded in one transaction (found by its source key or by its app and error, decided
// by a pure function the caller passes in, persisted with its audit events and the outbox message
// that posts its card), its posted thread is remembered, and named leases carry the poller's cursor.

import { redact } from '../core/redact.js';
import type { Session, StoreDriver } from './driver.js';
import { DAY_MS } from './rows.js';
import type { AlertCounts, AlertDecision, AlertLookup, AlertOutcome, AlertPost, Incident, IncidentEventKind, IncidentStore, NewAlert, Person } from './types.js';

type Row = Record<string, unknown>;

/** What alert-store needs from the shared store skeleton (store.ts). */
export interface StoreInternals {
  driver: StoreDriver;
  operation<T>(name: string, fn: () => Promise<T>): Promise<T>;
  addEvent(s: Session, incidentId: string, kind: IncidentEventKind, at: Date, actor?: Person, detail?: string): Promise<void>;
  toIncident(s: Session, row: Row): Promise<Incident>;
  readRow(s: Session, id: string, lock?: boolean): Promise<Row | undefined>;
  newId(): string;
}

/** The conversation of an alert incident until its card is posted (then: the thread it started). */
export const UNPOSTED_ALERT_CONVERSATION = 'alerts-channel:unposted';

/** Said in the audit trail when an alert's source cleared it and the bot resolved the incident. */
export const CLEARED_AT_SOURCE = 'Cleared at the source';

/** Presses that mean a person took the incident in hand: a clear at the source then leaves its state alone. */
const HUMAN_EVENTS: IncidentEventKind[] = ['resolved', 'escalated', 'reopened', 'app-chosen', 'alternative-chosen', 'none-chosen'];

/** Idempotency key of the outbox message that posts an incident's card to one target. */
export const postKey = (incidentId: string, target: string): string => `${incidentId}.post.${target}`;

export function alertOperations(internals: StoreInternals): Pick<
  IncidentStore,
  'recordAlert' | 'attachAlertPost' | 'alertCounts' | 'acquireLease' | 'saveLeaseCursor' | 'releaseLease'
> {
  const { driver, operation, addEvent, toIncident, readRow, newId } = internals;
  const date = (d: Date) => driver.encodeDate(d);

  async function humanActed(tx: Session, incident: Incident): Promise<boolean> {
    const rows = await tx.all<{ actor: unknown }>(
      `SELECT actor FROM incident_events WHERE incident_id = $1 AND kind IN (${HUMAN_EVENTS.map((_, i) => `$${i + 2}`).join(', ')})`,
      [incident.id, ...HUMAN_EVENTS],
    );
    // The source itself (the reporter) resolving on a clear is not a person acting.
    return rows.some((r) => (r.actor === null || r.actor === undefined ? true : (driver.decodeJson(r.actor) as Person).id !== incident.reporter.id));
  }

  async function lookup(tx: Session, input: NewAlert): Promise<AlertLookup> {
    const found: AlertLookup = {};
    const [source] = await tx.all<{ incident_id: string; cleared_at: unknown }>(
      `SELECT incident_id, cleared_at FROM alert_sources WHERE source_key = $1${driver.forUpdate}`,
      [input.sourceKey],
    );
    if (source) {
      const row = await readRow(tx, String(source.incident_id), true);
      if (row) {
        const incident = await toIncident(tx, row);
        const [active] = await tx.all<{ n: unknown }>('SELECT count(*) AS n FROM alert_sources WHERE incident_id = $1 AND cleared_at IS NULL', [incident.id]);
        found.bySource = {
          incident,
          cleared: source.cleared_at !== null && source.cleared_at !== undefined,
          humanActed: await humanActed(tx, incident),
          activeSources: Number(active?.n ?? 0),
        };
      }
    }
    const [keyed] = await tx.all(
      `SELECT * FROM incidents WHERE origin = 'alert' AND repeat_key = $1 AND state IN ('open', 'escalated')
       ORDER BY created_at DESC, id DESC LIMIT 1${driver.forUpdate}`,
      [input.dedupeKey],
    );
    if (keyed) found.byKey = { incident: await toIncident(tx, keyed) };
    return found;
  }

  async function open(tx: Session, input: NewAlert, resolved: boolean, postTargets: string[]): Promise<string> {
    const id = newId();
    const at = date(input.at);
    await tx.run(
      `INSERT INTO incidents (id, conversation_id, reporter, excerpt, verdict, entry_ids, repeat_key, app_id, state, version,
         created_at, updated_at, resolved_at, resolved_by, origin)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10, $11, $12, 'alert')`,
      [
        id,
        UNPOSTED_ALERT_CONVERSATION,
        JSON.stringify(input.reporter),
        input.excerpt,
        input.verdict,
        JSON.stringify(input.entryIds),
        input.dedupeKey,
        input.appId ?? null,
        resolved ? 'resolved' : 'open',
        at,
        resolved ? at : null,
        resolved ? JSON.stringify(input.reporter) : null,
      ],
    );
    await tx.run('INSERT INTO alert_sources (source_key, incident_id, source, first_seen_at, last_seen_at, cleared_at) VALUES ($1, $2, $3, $4, $4, $5)', [
      input.sourceKey,
      id,
      input.origin.source,
      at,
      resolved ? at : null,
    ]);
    await addEvent(tx, id, 'opened', input.at, input.reporter);
    await addEvent(tx, id, 'alert-received', input.at, input.reporter, JSON.stringify(input.origin));
    if (input.secrets && input.secrets.count > 0) await addEvent(tx, id, 'secrets-removed', input.at, input.reporter, JSON.stringify(input.secrets));
    if (resolved) {
      // First heard of already cleared: kept (a late "active" then finds it), never posted.
      await addEvent(tx, id, 'resolved', input.at, input.reporter, CLEARED_AT_SOURCE);
      return id;
    }
    for (const target of new Set(postTargets)) {
      await tx.run(
        `INSERT INTO outbox (id, incident_id, escalation_seq, target, idempotency_key, payload, status, next_attempt_at, created_at)
         VALUES ($1, $2, 0, $3, $4, $5, 'pending', $6, $6) ON CONFLICT (idempotency_key) DO NOTHING`,
        // The card is rendered when it is posted, from the incident as it is then: the payload says only what to do.
        [newId(), id, target, postKey(id, target), JSON.stringify({ type: 'alert-card' }), at],
      );
    }
    return id;
  }

  async function repeat(tx: Session, input: NewAlert, incidentId: string, attach: boolean): Promise<void> {
    const at = date(input.at);
    await tx.run('UPDATE incidents SET repeat_count = repeat_count + 1, updated_at = CASE WHEN updated_at < $2 THEN $2 ELSE updated_at END WHERE id = $1', [incidentId, at]);
    if (attach) {
      await tx.run(
        'INSERT INTO alert_sources (source_key, incident_id, source, first_seen_at, last_seen_at, cleared_at) VALUES ($1, $2, $3, $4, $4, NULL) ON CONFLICT (source_key) DO NOTHING',
        [input.sourceKey, incidentId, input.origin.source, at],
      );
    } else {
      // Seen active again: a source that had cleared is active once more.
      await tx.run('UPDATE alert_sources SET last_seen_at = $2, cleared_at = NULL WHERE source_key = $1', [input.sourceKey, at]);
    }
    await addEvent(tx, incidentId, 'alert-repeated', input.at, input.reporter, input.sourceKey);
    // Its card was never posted and the outbox gave up on it (Teams refused, e.g. the bot was
    // removed from the team): the alert is back, so post it again, from the first attempt. Without
    // this the dead incident would absorb every later alert of its app and error unseen.
    await tx.run(
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, lease_until = NULL, finished_at = NULL
       WHERE incident_id = $1 AND escalation_seq = 0 AND status = 'dead-lettered'
         AND EXISTS (SELECT 1 FROM incidents WHERE id = $1 AND conversation_id = $3)`,
      [incidentId, at, UNPOSTED_ALERT_CONVERSATION],
    );
    if (input.secrets && input.secrets.count > 0) await addEvent(tx, incidentId, 'secrets-removed', input.at, input.reporter, JSON.stringify(input.secrets));
  }

  async function clear(tx: Session, input: NewAlert, incident: Incident, resolve: boolean): Promise<void> {
    const at = date(input.at);
    await tx.run('UPDATE alert_sources SET cleared_at = $2, last_seen_at = $2 WHERE source_key = $1', [input.sourceKey, at]);
    await addEvent(tx, incident.id, 'alert-cleared', input.at, input.reporter, input.sourceKey);
    if (resolve && incident.state !== 'resolved') {
      await tx.run(
        `UPDATE incidents SET state = 'resolved', version = version + 1, updated_at = $2, resolved_at = $2, resolved_by = $3 WHERE id = $1`,
        [incident.id, at, JSON.stringify(input.reporter)],
      );
      await addEvent(tx, incident.id, 'resolved', input.at, input.reporter, CLEARED_AT_SOURCE);
    } else {
      await tx.run('UPDATE incidents SET updated_at = CASE WHEN updated_at < $2 THEN $2 ELSE updated_at END WHERE id = $1', [incident.id, at]);
    }
  }

  async function persist(tx: Session, input: NewAlert, decision: AlertDecision, found: AlertLookup, postTargets: string[]): Promise<string> {
    switch (decision.kind) {
      case 'open':
        return open(tx, input, decision.resolved, postTargets);
      case 'repeat':
        await repeat(tx, input, decision.incidentId, decision.attach);
        return decision.incidentId;
      case 'clear': {
        const incident = found.bySource?.incident.id === decision.incidentId ? found.bySource.incident : found.byKey?.incident;
        if (!incident) throw new Error('alert decision names an incident the lookup did not find');
        await clear(tx, input, incident, decision.resolve);
        return incident.id;
      }
      case 'ignore':
        return decision.incidentId;
    }
  }

  return {
    recordAlert: (raw, decide, postTargets) =>
      operation('recordAlert', () => {
        // The store redacts what it keeps once more, as for pastes (already-redacted text is unchanged).
        const input: NewAlert = { ...raw, excerpt: redact(raw.excerpt).text, origin: { ...raw.origin, title: redact(raw.origin.title).text } };
        return driver.transaction(async (tx): Promise<AlertOutcome> => {
          // The same alert twice at once, or two alerts of one app and error, must not open twins.
          for (const key of [`alert-source\n${input.sourceKey}`, `alert-key\n${input.dedupeKey}`].sort()) await driver.lockKey(tx, key);
          const found = await lookup(tx, input);
          const decision = decide(found, input);
          const id = await persist(tx, input, decision, found, postTargets);
          return { decision, incident: await toIncident(tx, (await readRow(tx, id))!) };
        });
      }),

    attachAlertPost: (incidentId: string, post: AlertPost) =>
      operation('attachAlertPost', async () => {
        await driver.db.run(
          "UPDATE incidents SET conversation_id = $2, activity_id = $3, service_url = $4, tenant_id = coalesce($5, tenant_id) WHERE id = $1 AND origin = 'alert'",
          [incidentId, post.conversationId, post.activityId, post.serviceUrl, post.tenantId ?? null],
        );
      }),

    alertCounts: (now: Date, days: number): Promise<AlertCounts> =>
      operation('alertCounts', async () => {
        const rows = await driver.db.all<{ kind: string; n: unknown }>(
          `SELECT kind, count(*) AS n FROM incident_events WHERE kind IN ('alert-received', 'alert-repeated', 'alert-cleared', 'card-posted')
           AND at > $1 AND at <= $2 GROUP BY kind`,
          [date(new Date(now.getTime() - days * DAY_MS)), date(now)],
        );
        const n = (kind: string) => Number(rows.find((r) => r.kind === kind)?.n ?? 0);
        return {
          received: n('alert-received') + n('alert-repeated') + n('alert-cleared'),
          deduplicated: n('alert-repeated'),
          posted: n('card-posted'),
          cleared: n('alert-cleared'),
        };
      }),

    acquireLease: (name, holder, now, leaseMs) =>
      operation('acquireLease', () =>
        driver.transaction(async (tx) => {
          const until = date(new Date(now.getTime() + leaseMs));
          const [row] = await tx.all<{ holder: unknown; lease_until: unknown; cursor: unknown }>(`SELECT holder, lease_until, cursor FROM leases WHERE name = $1${driver.forUpdate}`, [name]);
          if (!row) {
            const inserted = await tx.run('INSERT INTO leases (name, holder, lease_until, cursor) VALUES ($1, $2, $3, NULL) ON CONFLICT (name) DO NOTHING', [name, holder, until]);
            return inserted === 1 ? { cursor: undefined } : undefined;
          }
          const free = row.lease_until === null || row.lease_until === undefined || driver.decodeDate(row.lease_until).getTime() <= now.getTime();
          if (row.holder !== holder && !free) return undefined;
          await tx.run('UPDATE leases SET holder = $2, lease_until = $3 WHERE name = $1', [name, holder, until]);
          return { cursor: row.cursor === null || row.cursor === undefined ? undefined : driver.decodeJson(row.cursor) };
        }),
      ),

    saveLeaseCursor: (name, holder, cursor, now) =>
      operation('saveLeaseCursor', async () => {
        const changed = await driver.db.run('UPDATE leases SET cursor = $3 WHERE name = $1 AND holder = $2 AND lease_until > $4', [
          name,
          holder,
          JSON.stringify(cursor ?? null),
          date(now),
        ]);
        return changed === 1;
      }),

    releaseLease: (name, holder) =>
      operation('releaseLease', async () => {
        await driver.db.run('UPDATE leases SET lease_until = NULL WHERE name = $1 AND holder = $2', [name, holder]);
      }),
  };
}
