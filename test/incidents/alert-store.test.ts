// The store's alert operations on SQLite and on PostgreSQL: an alert opens one incident and queues
// its card, the same alert (or one of the same app and error) only counts, a clear at the source
// resolves what nobody touched, two instances recording one alert at once open one incident, and
// the poller's lease is held by one instance at a time with its cursor kept.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decideAlert, dedupeKeyOf } from '../../src/alerts/dedupe.js';
import { openStore } from '../../src/incidents/index.js';
import type { IncidentStore, NewAlert, Person } from '../../src/incidents/types.js';
import { createPgRun, type PgRun } from './pg-harness.js';

const SENTINEL: Person = { id: 'alert-source:sentinel', name: 'Microsoft Sentinel' };
const BEA: Person = { id: '29:bea', name: 'Bea Ops' };
const T0 = new Date('2026-11-30T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function alert(over: Partial<NewAlert> = {}): NewAlert {
  return {
    sourceKey: 'sentinel:inc-1',
    dedupeKey: dedupeKeyOf('box', 'match', ['box-invalid-refresh-token'], 'x'),
    status: 'active',
    origin: { source: 'sentinel', sourceName: 'Microsoft Sentinel', title: 'Box connector failed', link: 'https://portal.azure.com/#incident/1' },
    reporter: SENTINEL,
    excerpt: 'BoxServerException: invalid_grant',
    verdict: 'match',
    entryIds: ['box-invalid-refresh-token'],
    appId: 'box',
    at: T0,
    ...over,
  };
}

let pgRun: PgRun;
beforeAll(async () => {
  pgRun = await createPgRun();
});
afterAll(async () => {
  await pgRun?.drop();
});

const harnesses: [string, () => Promise<{ url: string; cleanup: () => void }>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cd-alert-store-'));
      return { url: `sqlite:${join(dir, 'alerts.db')}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  ['postgres', async () => ({ url: await pgRun.freshSchemaUrl(), cleanup: () => undefined })],
];

describe.each(harnesses)('alerts in the %s store', (_name, harness) => {
  let url: string;
  let cleanup: () => void;
  const opened: IncidentStore[] = [];
  let store: IncidentStore;
  const open = async () => {
    const s = await openStore(url);
    opened.push(s);
    return s;
  };
  beforeEach(async () => {
    ({ url, cleanup } = await harness());
    store = await open();
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    cleanup();
  });

  const record = (input: NewAlert, s = store) => s.recordAlert(input, decideAlert, ['alerts-channel']);

  it('opens an alert incident with its origin in the audit trail and queues its card once', async () => {
    const { decision, incident } = await record(alert({ secrets: { count: 1, kinds: ['password'] } }));
    expect(decision).toEqual({ kind: 'open', resolved: false });
    expect(incident).toMatchObject({ origin: 'alert', state: 'open', reporter: SENTINEL, appId: 'box', repeatCount: 0, verdict: 'match' });
    const events = await store.events(incident.id);
    expect(events.map((e) => e.kind)).toEqual(['opened', 'alert-received', 'secrets-removed']);
    expect(JSON.parse(events[1]!.detail!)).toEqual({ source: 'sentinel', sourceName: 'Microsoft Sentinel', title: 'Box connector failed', link: 'https://portal.azure.com/#incident/1' });
    const claimed = await store.claimDue(at(1), 10, 60_000, ['alerts-channel']);
    expect(claimed.map((m) => [m.incidentId, m.target, m.idempotencyKey])).toEqual([[incident.id, 'alerts-channel', `${incident.id}.post.alerts-channel`]]);
    // A card post is not an escalation: the escalation counts and the incident's delivery stay empty.
    expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 0, deadLettered: 0 });
    await store.markDelivered(claimed[0]!.id, at(1));
    expect((await store.get(incident.id))?.escalationDelivery).toBeUndefined();
    expect((await store.events(incident.id)).map((e) => e.kind)).toContain('card-posted');
    expect(await store.alertCounts(at(2), 7)).toEqual({ received: 1, deduplicated: 0, posted: 1, cleared: 0 });
  });

  it('counts the same alert, and another alert of the same app and error, on the open incident', async () => {
    const first = await record(alert());
    const again = await record(alert({ at: at(5) }));
    const other = await record(alert({ sourceKey: 'sentinel:inc-2', at: at(6) }));
    expect(again.decision).toEqual({ kind: 'repeat', incidentId: first.incident.id, attach: false });
    expect(other.decision).toEqual({ kind: 'repeat', incidentId: first.incident.id, attach: true });
    expect(other.incident.repeatCount).toBe(2);
    // Another error of the same app opens its own incident.
    const different = await record(alert({ sourceKey: 'sentinel:inc-3', dedupeKey: dedupeKeyOf('box', 'match', ['box-other'], 'y') }));
    expect(different.decision.kind).toBe('open');
    expect(await store.claimDue(at(7), 10, 60_000, ['alerts-channel'])).toHaveLength(2);
    expect(await store.alertCounts(at(8), 7)).toMatchObject({ received: 4, deduplicated: 2 });
  });

  it('a clear at the source resolves an incident nobody acted on, only once its last alert cleared', async () => {
    const first = await record(alert());
    await record(alert({ sourceKey: 'sentinel:inc-2', at: at(1) }));
    const one = await record(alert({ status: 'resolved', at: at(2) }));
    expect(one.decision).toEqual({ kind: 'clear', incidentId: first.incident.id, resolve: false });
    expect(one.incident.state).toBe('open');
    const two = await record(alert({ sourceKey: 'sentinel:inc-2', status: 'resolved', at: at(3) }));
    expect(two.decision).toEqual({ kind: 'clear', incidentId: first.incident.id, resolve: true });
    expect(two.incident).toMatchObject({ state: 'resolved', resolvedBy: SENTINEL });
    const trail = await store.events(first.incident.id);
    expect(trail.filter((e) => e.kind === 'resolved').map((e) => [e.actor?.name, e.detail])).toEqual([['Microsoft Sentinel', 'Cleared at the source']]);
    // Said again: nothing new.
    expect((await record(alert({ status: 'resolved', at: at(4) }))).decision.kind).toBe('ignore');
    expect(await store.alertCounts(at(5), 7)).toMatchObject({ cleared: 2 });
  });

  it('leaves the state to a person who acted: an escalated incident stays escalated when its alert clears', async () => {
    const first = await record(alert());
    await store.apply({ incidentId: first.incident.id, conversationId: first.incident.conversationId, actor: BEA, action: { kind: 'escalate' }, at: at(1) }, [], () => null);
    const cleared = await record(alert({ status: 'resolved', at: at(2) }));
    expect(cleared.decision).toEqual({ kind: 'clear', incidentId: first.incident.id, resolve: false });
    expect(cleared.incident.state).toBe('escalated');
  });

  it('leaves the state to a person who resolved and then reopened it: the clear at the source keeps it open', async () => {
    const first = await record(alert());
    const act = (kind: 'resolve' | 'reopen', minutes: number) =>
      store.apply({ incidentId: first.incident.id, conversationId: first.incident.conversationId, actor: BEA, action: { kind }, at: at(minutes) }, [], () => null);
    expect((await act('resolve', 1)).status).toBe('applied');
    expect((await act('reopen', 2)).status).toBe('applied');
    const cleared = await record(alert({ status: 'resolved', at: at(3) }));
    expect(cleared.decision).toEqual({ kind: 'clear', incidentId: first.incident.id, resolve: false });
    expect(cleared.incident.state).toBe('open');
  });

  it('keeps an alert first heard of as cleared, resolved and unposted; its late "active" is counted there', async () => {
    const cleared = await record(alert({ status: 'resolved' }));
    expect(cleared.decision).toEqual({ kind: 'open', resolved: true });
    expect(cleared.incident.state).toBe('resolved');
    expect(await store.claimDue(at(1), 10, 60_000)).toEqual([]);
    const late = await record(alert({ at: at(1) }));
    expect(late.decision).toEqual({ kind: 'repeat', incidentId: cleared.incident.id, attach: false });
  });

  it('a card the outbox gave up on is queued again by the next alert of it, from its first attempt', async () => {
    const first = await record(alert());
    const [post] = await store.claimDue(at(1), 10, 60_000, ['alerts-channel']);
    await store.markDeadLettered(post!.id, 'Teams answered 403', at(1));
    expect(await store.claimDue(at(2), 10, 60_000, ['alerts-channel'])).toEqual([]);
    // A later alert of the same app and error (another source id) is counted there, and posts it again.
    const later = await record(alert({ sourceKey: 'sentinel:inc-2', at: at(3) }));
    expect(later.decision).toEqual({ kind: 'repeat', incidentId: first.incident.id, attach: true });
    const again = await store.claimDue(at(3), 10, 60_000, ['alerts-channel']);
    expect(again.map((m) => [m.id, m.attempts])).toEqual([[post!.id, 1]]);
    await store.markDelivered(again[0]!.id, at(4));
    // Posted: a further repeat queues nothing.
    await store.attachAlertPost(first.incident.id, { conversationId: '19:alerts;messageid=1', activityId: '1', serviceUrl: 'https://teams.example/' });
    await store.markDeadLettered(again[0]!.id, 'late', at(5));
    await record(alert({ at: at(6) }));
    expect(await store.claimDue(at(7), 10, 60_000, ['alerts-channel'])).toEqual([]);
  });

  it('a card that waited for a channel (not attempted) keeps its attempts', async () => {
    await record(alert());
    for (let i = 1; i <= 3; i += 1) {
      const [post] = await store.claimDue(at(i), 10, 60_000, ['alerts-channel']);
      expect(post?.attempts).toBe(1);
      await store.markFailed(post!.id, 'no alerts channel is set', at(i), true);
    }
    const [post] = await store.claimDue(at(4), 10, 60_000, ['alerts-channel']);
    await store.markFailed(post!.id, 'Teams answered 503', at(4));
    expect((await store.claimDue(at(5), 10, 60_000, ['alerts-channel']))[0]?.attempts).toBe(2);
  });

  it('moves the incident to the thread its card started, where its buttons are pressed', async () => {
    const { incident } = await record(alert());
    const thread = '19:alerts@thread.tacv2;messageid=1764585060000';
    await store.attachAlertPost(incident.id, { conversationId: thread, activityId: '1764585060000', serviceUrl: 'https://smba.trafficmanager.net/teams/', tenantId: 't1' });
    expect(await store.get(incident.id)).toMatchObject({ conversationId: thread, activityId: '1764585060000', tenantId: 't1' });
    const outcome = await store.apply({ incidentId: incident.id, conversationId: thread, actor: BEA, action: { kind: 'resolve' }, at: at(1) }, [], () => null);
    expect(outcome.status).toBe('applied');
  });

  it('opens one incident when two instances record the same new alert at once', async () => {
    const other = await open();
    const results = await Promise.all([record(alert()), record(alert(), other), record(alert({ sourceKey: 'sentinel:inc-9' }), other)]);
    expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
    expect(results.filter((r) => r.decision.kind === 'open')).toHaveLength(1);
    expect((await store.get(results[0]!.incident.id))?.repeatCount).toBe(2);
  });

  it('purges alert incidents with their sources once their card is posted: the same alert later opens afresh', async () => {
    await record(alert());
    // A card still waiting to be posted keeps its incident.
    expect(await store.purge(at(60 * 24 * 100))).toBe(0);
    for (const m of await store.claimDue(at(1), 10, 60_000)) await store.markDelivered(m.id, at(1));
    expect(await store.purge(at(60 * 24 * 100))).toBe(1);
    expect((await record(alert({ at: at(60 * 24 * 101) }))).decision.kind).toBe('open');
  });

  it('grants a lease to one holder at a time, keeps its cursor, and hands it over when it expires or is released', async () => {
    const other = await open();
    expect(await store.acquireLease('mdca-poll', 'a', T0, 60_000)).toEqual({ cursor: undefined });
    expect(await other.acquireLease('mdca-poll', 'b', at(0.5), 60_000)).toBeUndefined();
    expect(await store.saveLeaseCursor('mdca-poll', 'a', { since: 42, ids: ['x'] }, at(0.5))).toBe(true);
    expect(await other.saveLeaseCursor('mdca-poll', 'b', { since: 99 }, at(0.5))).toBe(false);
    expect(await store.acquireLease('mdca-poll', 'a', at(0.9), 60_000)).toEqual({ cursor: { since: 42, ids: ['x'] } });
    // a stops renewing: b takes over after the lease ran out, with a's cursor.
    expect(await other.acquireLease('mdca-poll', 'b', at(3), 60_000)).toEqual({ cursor: { since: 42, ids: ['x'] } });
    expect(await store.saveLeaseCursor('mdca-poll', 'a', { since: 1 }, at(3))).toBe(false);
    await other.releaseLease('mdca-poll', 'b');
    expect(await store.acquireLease('mdca-poll', 'a', at(3.1), 60_000)).toEqual({ cursor: { since: 42, ids: ['x'] } });
  });
});
