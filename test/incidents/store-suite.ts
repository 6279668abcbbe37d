// The one behaviour suite every incident store must pass (SQLite and PostgreSQL run it).
// A harness gives a fresh database per test; open() may be called several times to get several
// store instances on that same database, standing in for several bot instances.

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenStoreOptions } from '../../src/incidents/index.js';
import type { ActionRequest, Incident, IncidentAction, IncidentEvent, IncidentStore, NewIncident, Person } from '../../src/incidents/types.js';
import { MAX_REMEMBERED_SETTINGS } from '../../src/incidents/store.js';

export interface StoreHarness {
  open(options?: OpenStoreOptions): Promise<IncidentStore>;
  dispose(): Promise<void>;
}

const ada: Person = { id: '29:ada', name: 'Ada Ops', aadObjectId: 'aad-ada' };
const bob: Person = { id: '29:bob', name: 'Bob Admin' };
const T0 = new Date('2026-11-30T10:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

function paste(over: Partial<NewIncident> = {}): NewIncident {
  return {
    conversationId: 'conv-a',
    tenantId: 'tenant-1',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    reporter: ada,
    excerpt: 'Error: invalid_grant (Invalid refresh token) [REDACTED]',
    verdict: 'match',
    entryIds: ['box-invalid-refresh-token'],
    appId: 'box',
    at: T0,
    ...over,
  };
}

const press = (incident: Incident, action: IncidentAction, actor: Person = ada, when: Date = at(1)): ActionRequest => ({
  incidentId: incident.id,
  conversationId: incident.conversationId,
  actor,
  action,
  at: when,
});

const payloadOf = (incident: Incident) => ({ incidentId: incident.id, state: incident.state, note: incident.escalationNote });

export function storeSuite(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`incident store: ${name}`, () => {
    let harness: StoreHarness;
    let store: IncidentStore;

    beforeEach(async () => {
      harness = await makeHarness();
      store = await harness.open();
    });
    afterEach(async () => {
      await harness.dispose();
    });

    describe('recording pastes', () => {
      it('opens an incident with the redacted excerpt, the finding and an "opened" audit event', async () => {
        const { incident, repeated } = await store.openOrRepeat(paste());
        expect(repeated).toBe(false);
        expect(incident).toMatchObject({
          conversationId: 'conv-a',
          tenantId: 'tenant-1',
          reporter: ada,
          excerpt: 'Error: invalid_grant (Invalid refresh token) [REDACTED]',
          verdict: 'match',
          entryIds: ['box-invalid-refresh-token'],
          appId: 'box',
          state: 'open',
          repeatCount: 0,
        });
        expect(incident.createdAt.toISOString()).toBe(T0.toISOString());
        expect(await store.get(incident.id)).toEqual(incident);
        const events = await store.events(incident.id);
        expect(events.map((e) => [e.kind, e.actor?.name])).toEqual([['opened', 'Ada Ops']]);
      });

      it('links the same error pasted again in the same conversation and counts the repeat', async () => {
        const first = await store.openOrRepeat(paste());
        const again = await store.openOrRepeat(paste({ reporter: bob, at: at(5) }));
        const third = await store.openOrRepeat(paste({ at: at(6) }));
        expect(again.repeated).toBe(true);
        expect(again.incident.id).toBe(first.incident.id);
        expect(third.incident.repeatCount).toBe(2);
        const kinds = (await store.events(first.incident.id)).map((e) => `${e.kind}:${e.actor?.name}`);
        expect(kinds).toEqual(['opened:Ada Ops', 'repeated:Bob Admin', 'repeated:Ada Ops']);
      });

      it('opens a separate incident for another conversation, another error, or after the first was resolved', async () => {
        const first = (await store.openOrRepeat(paste())).incident;
        const otherChat = await store.openOrRepeat(paste({ conversationId: 'conv-b' }));
        const otherError = await store.openOrRepeat(paste({ entryIds: ['okta-invalid-token'], appId: 'okta' }));
        expect(otherChat.repeated).toBe(false);
        expect(otherError.repeated).toBe(false);
        await store.apply(press(first, { kind: 'resolve' }), [], payloadOf);
        const afterResolve = await store.openOrRepeat(paste({ at: at(10) }));
        expect(afterResolve.repeated).toBe(false);
        expect(afterResolve.incident.id).not.toBe(first.id);
      });

      it('withdraws what a refused card recorded: the incident leaves the stats and is never repeated on, a repeat is uncounted, both audited', async () => {
        const { incident, repeated } = await store.openOrRepeat(paste());
        expect((await store.stats(at(1), 30)).total).toBe(1);
        await store.withdraw(incident.id, { repeated }, ada, at(1));
        expect((await store.stats(at(1), 30)).total).toBe(0);
        expect((await store.stats(at(1), 30)).topErrors).toEqual([]);
        // The same error pasted again opens a fresh incident, not a repeat of the withdrawn one.
        const fresh = await store.openOrRepeat(paste({ at: at(2) }));
        expect(fresh.repeated).toBe(false);
        expect(fresh.incident.id).not.toBe(incident.id);
        // A repeat whose card was refused is taken back from the incident it counted on.
        const again = await store.openOrRepeat(paste({ reporter: bob, at: at(3) }));
        expect(again).toMatchObject({ repeated: true, incident: { id: fresh.incident.id, repeatCount: 1 } });
        await store.withdraw(fresh.incident.id, { repeated: true }, bob, at(3));
        expect((await store.get(fresh.incident.id))?.repeatCount).toBe(0);
        expect((await store.stats(at(4), 30)).total).toBe(1);
        // Done twice (a retry), it is taken back once.
        await store.withdraw(incident.id, { repeated: false }, ada, at(5));
        expect((await store.events(incident.id)).map((e) => [e.kind, e.actor?.name, e.detail])).toEqual([['opened', 'Ada Ops', undefined], ['withdrawn', 'Ada Ops', 'incident']]);
        expect((await store.events(fresh.incident.id)).map((e) => [e.kind, e.detail])).toEqual([['opened', undefined], ['repeated', undefined], ['withdrawn', 'repeat']]);
      });

      it('links a repeat to an escalated incident instead of opening a twin', async () => {
        const first = (await store.openOrRepeat(paste())).incident;
        await store.apply(press(first, { kind: 'escalate' }), ['webhook'], payloadOf);
        const again = await store.openOrRepeat(paste({ at: at(3) }));
        expect(again).toMatchObject({ repeated: true, incident: { id: first.id, state: 'escalated', repeatCount: 1 } });
      });

      it('never merges two different unknown errors, but links the same unknown error', async () => {
        const a = await store.openOrRepeat(paste({ verdict: 'none', entryIds: [], appId: undefined, excerpt: 'Something odd happened: E42' }));
        const b = await store.openOrRepeat(paste({ verdict: 'none', entryIds: [], appId: undefined, excerpt: 'A different failure: X9' }));
        const a2 = await store.openOrRepeat(paste({ verdict: 'none', entryIds: [], appId: undefined, excerpt: 'Something  odd happened: E42\n' }));
        expect(b.incident.id).not.toBe(a.incident.id);
        expect(a2.repeated).toBe(true);
        expect(a2.incident.id).toBe(a.incident.id);
      });

      it('never stores a secret that reached it unredacted, and leaves redacted text as it is', async () => {
        const raw = 'invalid_grant password=hunter2222 at https://svc:pa55word@api.box.com/2.0 [REDACTED]';
        const { incident } = await store.openOrRepeat(paste({ excerpt: raw }));
        const stored = (await store.get(incident.id))!;
        expect(stored.excerpt).not.toContain('hunter2222');
        expect(stored.excerpt).not.toContain('pa55word');
        expect(stored.excerpt).toBe('invalid_grant password=[REDACTED] at https://svc:[REDACTED]@api.box.com/2.0 [REDACTED]');
        const escalated = await store.apply(press(incident, { kind: 'escalate', note: 'token=abcdef123456 please' }), ['webhook'], payloadOf);
        expect(escalated.status === 'applied' && escalated.incident.escalationNote).toBe('token=[REDACTED] please');
        const [message] = await store.claimDue(at(2), 1, 1000);
        expect(JSON.stringify(message?.payload)).not.toContain('abcdef123456');
        expect(JSON.stringify(await store.events(incident.id))).not.toContain('abcdef123456');
      });

      it('remembers the card activity so the card can be updated later', async () => {
        const { incident } = await store.openOrRepeat(paste());
        await store.attachCard(incident.id, 'activity-123');
        expect((await store.get(incident.id))?.activityId).toBe('activity-123');
        expect(await store.get('no-such-incident')).toBeUndefined();
      });
    });

    describe('what a record and a press hand back for the cards', () => {
      // The paste and the press render their cards from these, without reading the store again:
      // they must be exactly what reading back would give, incidents and audit trails alike.
      async function expectAsReadBack(incident: Incident, events: IncidentEvent[] | undefined): Promise<void> {
        // Strictly: a property present but undefined (a person's missing Entra id) would be a difference.
        expect(incident).toStrictEqual(await store.get(incident.id));
        expect(events).toStrictEqual(await store.events(incident.id));
      }

      it('a new incident, with or without the optional fields and with a person who has no Entra id', async () => {
        const full = await store.openOrRepeat(paste());
        await expectAsReadBack(full.incident, full.events);
        const bare = await store.openOrRepeat(
          paste({ conversationId: 'conv-bare', tenantId: undefined, serviceUrl: undefined, appId: undefined, reporter: { id: '29:x', name: 'Zoë «x» 中文', aadObjectId: undefined } as Person, verdict: 'none', entryIds: [] }),
        );
        await expectAsReadBack(bare.incident, bare.events);
        expect(bare.events?.map((e) => e.actor)).toEqual([{ id: '29:x', name: 'Zoë «x» 中文' }]);
        // A secret that reached the store is redacted in what comes back, as in what is stored.
        const secret = await store.openOrRepeat(paste({ conversationId: 'conv-secret', excerpt: 'invalid_grant password=hunter2222 and more' }));
        expect(secret.incident.excerpt).not.toContain('hunter2222');
        await expectAsReadBack(secret.incident, secret.events);
      });

      it('a repeat, on an incident with a history (a choice, an escalation on its way, an earlier repeat)', async () => {
        const { incident } = await store.openOrRepeat(paste({ verdict: 'ambiguous', entryIds: ['okta-session-expired', 'box-session-expired'], appId: undefined }));
        await store.apply(press(incident, { kind: 'choose-app', appId: 'okta', entryIds: ['okta-session-expired'] }, bob), [], payloadOf);
        // The same paste again: its repeat key is the one it was opened with, whatever was chosen since.
        const chosen = { verdict: 'ambiguous' as const, entryIds: ['okta-session-expired', 'box-session-expired'], appId: undefined };
        await store.apply(press(incident, { kind: 'escalate', note: 'urgent' }, bob, at(2)), ['webhook', 'teams-channel'], payloadOf);
        const first = await store.openOrRepeat(paste({ ...chosen, reporter: bob, at: at(3) }));
        // Pasted "earlier" than the last change: updated_at keeps the later time.
        const second = await store.openOrRepeat(paste({ ...chosen, at: at(1) }));
        expect(first.repeated && second.repeated).toBe(true);
        expect(second.incident).toMatchObject({ id: incident.id, repeatCount: 2, state: 'escalated', escalationDelivery: 'pending' });
        expect(second.incident.updatedAt.toISOString()).toBe(at(3).toISOString());
        await expectAsReadBack(second.incident, second.events);
        expect(second.events?.map((e) => e.kind)).toEqual(['opened', 'app-chosen', 'escalated', 'repeated', 'repeated']);
      });

      it('an applied press: resolve, reopen, escalate with its delivery pending, support acknowledging once delivered', async () => {
        const { incident } = await store.openOrRepeat(paste());
        const applied = [
          await store.apply(press(incident, { kind: 'resolve' }, bob, at(1)), [], payloadOf),
          await store.apply(press(incident, { kind: 'reopen' }, ada, at(2)), [], payloadOf),
          await store.apply(press(incident, { kind: 'escalate', note: 'token=abcdef123456 blocking' }, bob, at(3)), ['webhook'], payloadOf),
        ];
        for (const [i, outcome] of applied.entries()) {
          expect(outcome.status).toBe('applied');
          if (outcome.status !== 'applied') continue;
          expect(outcome.events).toHaveLength(2 + i);
          // Each answer is the state right after its own press (checked against the trail up to it).
          expect(outcome.events).toEqual((await store.events(incident.id)).slice(0, 2 + i));
        }
        const last = applied.at(-1)!;
        if (last.status !== 'applied') throw new Error('escalation not applied');
        expect(last.incident.escalationDelivery).toBe('pending');
        await expectAsReadBack(last.incident, last.events);
        const [message] = await store.claimDue(at(4), 1, 60_000);
        await store.markDelivered(message!.id, at(5));
        const ack = await store.apply(press(incident, { kind: 'support-acknowledge' }, bob, at(6)), [], payloadOf);
        if (ack.status !== 'applied') throw new Error('acknowledgement not applied');
        expect(ack.incident.escalationDelivery).toBe('delivered');
        await expectAsReadBack(ack.incident, ack.events);
      });

      it('holds for any text a paste can carry', async () => {
        let runs = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.record({ name: fc.string({ unit: 'grapheme', maxLength: 20 }), excerpt: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), tenant: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }), repeat: fc.boolean() }),
            async ({ name, excerpt, tenant, repeat }) => {
              const input = paste({ conversationId: `conv-any-${(runs += 1)}`, reporter: { id: '29:p', name }, excerpt, tenantId: tenant });
              if (repeat) await store.openOrRepeat(input);
              const recorded = await store.openOrRepeat(input);
              expect(recorded.repeated).toBe(repeat);
              await expectAsReadBack(recorded.incident, recorded.events);
            },
          ),
          { numRuns: 40 },
        );
      });
    });

    describe('button presses', () => {
      it('resolves, treats a double click as unchanged, and reopens', async () => {
        const { incident } = await store.openOrRepeat(paste());
        const resolved = await store.apply(press(incident, { kind: 'resolve' }, bob, at(7)), [], payloadOf);
        expect(resolved.status).toBe('applied');
        if (resolved.status !== 'applied') return;
        expect(resolved.incident).toMatchObject({ state: 'resolved', resolvedBy: bob, version: incident.version + 1 });
        expect(resolved.incident.resolvedAt?.toISOString()).toBe(at(7).toISOString());

        const doubleClick = await store.apply(press(incident, { kind: 'resolve' }, ada, at(8)), [], payloadOf);
        expect(doubleClick).toMatchObject({ status: 'unchanged', incident: { state: 'resolved', resolvedBy: bob } });

        const reopened = await store.apply(press(incident, { kind: 'reopen' }, ada, at(9)), [], payloadOf);
        expect(reopened).toMatchObject({ status: 'applied', incident: { state: 'open' } });
        if (reopened.status === 'applied') expect(reopened.incident.resolvedBy).toBeUndefined();
        expect((await store.apply(press(incident, { kind: 'reopen' }), [], payloadOf)).status).toBe('unchanged');

        const trail = (await store.events(incident.id)).map((e) => `${e.kind}:${e.actor?.name}@${e.at.toISOString().slice(11, 16)}`);
        expect(trail).toEqual(['opened:Ada Ops@10:00', 'resolved:Bob Admin@10:07', 'reopened:Ada Ops@10:09']);
      });

      it('escalates once: one outbox message per target, with the note, and a second press enqueues nothing', async () => {
        const { incident } = await store.openOrRepeat(paste());
        const first = await store.apply(press(incident, { kind: 'escalate', note: '  Blocking payroll sync ' }, bob, at(2)), ['webhook', 'teams-channel'], payloadOf);
        expect(first).toMatchObject({
          status: 'applied',
          incident: { state: 'escalated', escalatedBy: bob, escalationNote: 'Blocking payroll sync', escalationDelivery: 'pending' },
        });
        const second = await store.apply(press(incident, { kind: 'escalate', note: 'again' }, ada, at(3)), ['webhook', 'teams-channel'], payloadOf);
        expect(second).toMatchObject({ status: 'unchanged', incident: { escalatedBy: bob } });

        const due = await store.claimDue(at(3), 10, 30_000);
        expect(due.map((m) => m.target).sort()).toEqual(['teams-channel', 'webhook']);
        for (const message of due) {
          expect(message.incidentId).toBe(incident.id);
          expect(message.payload).toEqual({ incidentId: incident.id, state: 'escalated', note: 'Blocking payroll sync' });
          expect(message.attempts).toBe(1);
        }
        expect(new Set(due.map((m) => m.idempotencyKey)).size).toBe(2);
        expect(await store.outboxCounts()).toEqual({ pending: 2, delivered: 0, deadLettered: 0 });
        const trail = (await store.events(incident.id)).map((e) => [e.kind, e.detail]);
        expect(trail).toEqual([
          ['opened', undefined],
          ['escalated', 'Blocking payroll sync'],
        ]);
      });

      it('lists pending messages for targets no sink serves, old enough and leased by nobody, and never the others', async () => {
        const { incident } = await store.openOrRepeat(paste());
        await store.apply(press(incident, { kind: 'escalate' }, bob, at(2)), ['webhook', 'teams-channel'], payloadOf);
        // Recorded at 10:02; only the webhook is served here.
        expect(await store.unroutable(at(5), ['webhook'], at(1), 10)).toEqual([]);
        const orphans = await store.unroutable(at(15), ['webhook'], at(5), 10);
        expect(orphans.map((m) => [m.incidentId, m.target])).toEqual([[incident.id, 'teams-channel']]);
        expect(await store.unroutable(at(15), ['webhook', 'teams-channel'], at(5), 10)).toEqual([]);
        expect((await store.unroutable(at(15), [], at(5), 10)).map((m) => m.target).sort()).toEqual(['teams-channel', 'webhook']);
        // Leased by an instance that has the sink: not listed while the lease runs.
        await store.claimDue(at(15), 10, 30 * 60_000, ['teams-channel']);
        expect(await store.unroutable(at(16), ['webhook'], at(5), 10)).toEqual([]);
        await store.markDeadLettered(orphans[0]!.id, 'its destination is no longer set up', at(16));
        expect(await store.unroutable(at(60), ['webhook'], at(5), 10)).toEqual([]);
      });

      it('refuses to escalate a resolved incident, allows resolving an escalated one, and a new escalation after reopen gets a new key', async () => {
        const { incident } = await store.openOrRepeat(paste());
        await store.apply(press(incident, { kind: 'escalate' }), ['webhook'], payloadOf);
        expect((await store.apply(press(incident, { kind: 'reopen' }), ['webhook'], payloadOf)).status).toBe('rejected');
        expect((await store.apply(press(incident, { kind: 'resolve' }, bob), ['webhook'], payloadOf)).status).toBe('applied');
        const refused = await store.apply(press(incident, { kind: 'escalate' }), ['webhook'], payloadOf);
        expect(refused).toMatchObject({ status: 'rejected', incident: { state: 'resolved' } });
        if (refused.status === 'rejected') expect(refused.reason).toMatch(/reopen/i);

        await store.apply(press(incident, { kind: 'reopen' }), ['webhook'], payloadOf);
        await store.apply(press(incident, { kind: 'escalate' }), ['webhook'], payloadOf);
        const messages = await store.claimDue(at(5), 10, 30_000);
        expect(messages).toHaveLength(2);
        expect(messages[0]!.idempotencyKey).not.toBe(messages[1]!.idempotencyKey);
      });

      it('settles an ambiguous incident with the chosen app, only among the offered candidates', async () => {
        const { incident } = await store.openOrRepeat(
          paste({ verdict: 'ambiguous', entryIds: ['okta-session-expired', 'box-session-expired'], appId: undefined }),
        );
        const forged = await store.apply(press(incident, { kind: 'choose-app', appId: 'salesforce', entryIds: ['salesforce-invalid-session'] }), [], payloadOf);
        expect(forged.status).toBe('rejected');
        const chosen = await store.apply(press(incident, { kind: 'choose-app', appId: 'okta', entryIds: ['okta-session-expired'] }, bob), [], payloadOf);
        expect(chosen).toMatchObject({ status: 'applied', incident: { appId: 'okta', entryIds: ['okta-session-expired'], verdict: 'match', state: 'open' } });
        const again = await store.apply(press(incident, { kind: 'choose-app', appId: 'okta', entryIds: ['okta-session-expired'] }), [], payloadOf);
        expect(again.status).toBe('unchanged');
        const other = await store.apply(press(incident, { kind: 'choose-app', appId: 'box', entryIds: ['box-session-expired'] }), [], payloadOf);
        expect(other).toMatchObject({ status: 'rejected', incident: { appId: 'okta' } });
        const kinds = (await store.events(incident.id)).map((e) => [e.kind, e.actor?.name, e.detail]);
        expect(kinds).toEqual([
          ['opened', 'Ada Ops', undefined],
          ['app-chosen', 'Bob Admin', 'okta: okta-session-expired'],
        ]);
      });

      it('ignores a press replayed from another conversation: nothing changes, nothing is escalated', async () => {
        const { incident } = await store.openOrRepeat(paste());
        const replay: ActionRequest = { ...press(incident, { kind: 'escalate', note: 'pwned' }, bob), conversationId: 'conv-attacker' };
        expect(await store.apply(replay, ['webhook'], payloadOf)).toEqual({ status: 'not-found' });
        const resolveReplay: ActionRequest = { ...press(incident, { kind: 'resolve' }, bob), conversationId: 'conv-attacker' };
        expect(await store.apply(resolveReplay, ['webhook'], payloadOf)).toEqual({ status: 'not-found' });
        expect(await store.get(incident.id)).toEqual(incident);
        expect(await store.claimDue(at(60), 10, 30_000)).toEqual([]);
        expect((await store.events(incident.id)).map((e) => e.kind)).toEqual(['opened']);
        expect(await store.apply({ ...press(incident, { kind: 'resolve' }), incidentId: 'nope' }, [], payloadOf)).toEqual({ status: 'not-found' });
      });

      it('keeps one consistent state under many parallel resolve/escalate presses from two instances', async () => {
        const other = await harness.open();
        const { incident } = await store.openOrRepeat(paste());
        const people = Array.from({ length: 8 }, (_, i): Person => ({ id: `29:p${i}`, name: `Person ${i}` }));
        const presses = Array.from({ length: 40 }, (_, i) => {
          const target = i % 2 === 0 ? store : other;
          const action: IncidentAction = i % 3 === 0 ? { kind: 'resolve' } : { kind: 'escalate', note: `note ${i}` };
          return target.apply(press(incident, action, people[i % people.length], at(1 + i / 100)), ['webhook', 'teams-channel'], payloadOf);
        });
        const outcomes = await Promise.all(presses);
        const applied = outcomes.filter((o) => o.status === 'applied');
        const final = (await store.get(incident.id))!;
        const trail = await other.events(incident.id);
        const changes = trail.filter((e) => e.kind !== 'opened');
        // Every applied press is exactly one audit event, and the last one explains the final state.
        expect(changes).toHaveLength(applied.length);
        expect(final.version).toBe(incident.version + applied.length);
        const last = changes[changes.length - 1];
        expect(last && { escalated: 'escalated', resolved: 'resolved' }[last.kind as string]).toBe(final.state);
        // Open -> escalated at most once (escalate is refused once resolved), so at most one escalation per target.
        expect(changes.filter((e) => e.kind === 'escalated').length).toBeLessThanOrEqual(1);
        const due = await store.claimDue(at(30), 100, 30_000);
        const perTarget = new Map<string, number>();
        for (const m of due) perTarget.set(m.target, (perTarget.get(m.target) ?? 0) + 1);
        for (const n of perTarget.values()) expect(n).toBe(1);
        expect(due.length).toBe(changes.some((e) => e.kind === 'escalated') ? 2 : 0);
      });

      it('lets a press on another instance act on a card posted by this one', async () => {
        const other = await harness.open();
        const { incident } = await store.openOrRepeat(paste());
        const outcome = await other.apply(press(incident, { kind: 'resolve' }, bob), [], payloadOf);
        expect(outcome).toMatchObject({ status: 'applied', incident: { state: 'resolved', resolvedBy: bob } });
        expect((await store.get(incident.id))?.state).toBe('resolved');
      });
    });

    describe('outbox', () => {
      async function escalated(conversationId = 'conv-a', targets = ['webhook']): Promise<Incident> {
        const { incident } = await store.openOrRepeat(paste({ conversationId }));
        await store.apply(press(incident, { kind: 'escalate' }), targets, payloadOf);
        return incident;
      }

      it('leases claims: a claimed message is not handed out again until the lease expires', async () => {
        await escalated();
        const [first] = await store.claimDue(at(1), 10, 60_000);
        expect(first?.attempts).toBe(1);
        expect(await store.claimDue(at(1.5), 10, 60_000)).toEqual([]);
        const [again] = await store.claimDue(at(2.01), 10, 60_000);
        expect(again?.id).toBe(first?.id);
        expect(again?.attempts).toBe(2);
        expect(again?.idempotencyKey).toBe(first?.idempotencyKey);
      });

      it('does not hand out a failed message before its retry time, and keeps the last error', async () => {
        await escalated();
        const [message] = await store.claimDue(at(1), 10, 60_000);
        await store.markFailed(message!.id, 'HTTP 503', at(3));
        expect(await store.claimDue(at(2.9), 10, 60_000)).toEqual([]);
        const [retry] = await store.claimDue(at(3), 10, 60_000);
        expect(retry).toMatchObject({ id: message!.id, attempts: 2, lastError: 'HTTP 503' });
      });

      it('records delivery on the incident and in the audit trail, once', async () => {
        const incident = await escalated();
        const [message] = await store.claimDue(at(1), 10, 60_000);
        await store.markDelivered(message!.id, at(2));
        await store.markDelivered(message!.id, at(3));
        await store.markFailed(message!.id, 'late failure from a slow worker', at(4));
        expect((await store.get(incident.id))?.escalationDelivery).toBe('delivered');
        expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 1, deadLettered: 0 });
        expect(await store.claimDue(at(10), 10, 60_000)).toEqual([]);
        const kinds = (await store.events(incident.id)).map((e) => [e.kind, e.detail]);
        expect(kinds).toContainEqual(['escalation-delivered', 'webhook']);
        expect(kinds.filter(([k]) => k === 'escalation-delivered')).toHaveLength(1);
      });

      it('dead-letters: the incident shows it and the counts say so', async () => {
        const incident = await escalated();
        const [message] = await store.claimDue(at(1), 10, 60_000);
        await store.markDeadLettered(message!.id, 'HTTP 400', at(2));
        expect((await store.get(incident.id))?.escalationDelivery).toBe('dead-lettered');
        expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 0, deadLettered: 1 });
        expect((await store.events(incident.id)).map((e) => e.kind)).toContain('escalation-dead-lettered');
      });

      it('hands each message to exactly one of two instances claiming at once', async () => {
        for (let i = 0; i < 12; i++) await escalated(`conv-${i}`, ['webhook', 'teams-channel']);
        const other = await harness.open();
        const rounds = await Promise.all([
          store.claimDue(at(5), 7, 60_000),
          other.claimDue(at(5), 7, 60_000),
          store.claimDue(at(5), 7, 60_000),
          other.claimDue(at(5), 7, 60_000),
        ]);
        const ids = rounds.flat().map((m) => m.id);
        expect(ids).toHaveLength(24);
        expect(new Set(ids).size).toBe(24);
      });
    });

    describe('stats, retention, settings', () => {
      it('summarises a window: by app, by state, top errors and median time to resolve', async () => {
        const make = async (conv: string, entry: string, app: string, minutes: number) =>
          (await store.openOrRepeat(paste({ conversationId: conv, entryIds: [entry], appId: app, at: at(minutes) }))).incident;
        const a = await make('c1', 'box-invalid-refresh-token', 'box', 0);
        const b = await make('c2', 'box-invalid-refresh-token', 'box', 0);
        const c = await make('c3', 'okta-invalid-token', 'okta', 0);
        await make('c4', 'box-invalid-refresh-token', 'box', 0);
        await make('old', 'okta-invalid-token', 'okta', -60 * 24 * 10);
        await store.openOrRepeat(paste({ conversationId: 'c5', verdict: 'none', entryIds: [], appId: undefined, excerpt: 'weird' }));
        await store.apply(press(a, { kind: 'resolve' }, ada, at(10)), [], payloadOf);
        await store.apply(press(b, { kind: 'resolve' }, ada, at(30)), [], payloadOf);
        await store.apply(press(c, { kind: 'escalate' }, ada, at(5)), [], payloadOf);

        const week = await store.stats(at(60), 7);
        expect(week).toMatchObject({ days: 7, total: 5, byState: { open: 2, resolved: 2, escalated: 1 } });
        expect(week.byApp).toEqual([
          { appId: 'box', count: 3 },
          { appId: 'okta', count: 1 },
          { appId: 'unknown', count: 1 },
        ]);
        expect(week.topErrors).toEqual([
          { entryId: 'box-invalid-refresh-token', count: 3 },
          { entryId: 'okta-invalid-token', count: 1 },
        ]);
        expect(week.medianTimeToResolveMs).toBe(20 * 60_000);
        const month = await store.stats(at(60), 30);
        expect(month.total).toBe(6);
        expect(month.byApp[1]).toEqual({ appId: 'okta', count: 2 });
      });

      it('purges old incidents with their audit trail, but keeps recent ones and undelivered escalations', async () => {
        const old = (await store.openOrRepeat(paste({ conversationId: 'old', at: at(-60 * 24 * 40) }))).incident;
        const oldEscalated = (await store.openOrRepeat(paste({ conversationId: 'old-esc', at: at(-60 * 24 * 40) }))).incident;
        await store.apply(press(oldEscalated, { kind: 'escalate' }, ada, at(-60 * 24 * 40)), ['webhook'], payloadOf);
        const recent = (await store.openOrRepeat(paste({ conversationId: 'new' }))).incident;
        const removed = await store.purge(at(-60 * 24 * 30));
        expect(removed).toBe(1);
        expect(await store.get(old.id)).toBeUndefined();
        expect(await store.events(old.id)).toEqual([]);
        expect(await store.get(recent.id)).toBeDefined();
        expect(await store.get(oldEscalated.id)).toBeDefined();
      });

      it('stores settings such as the support channel reference', async () => {
        expect(await store.getSetting('support-channel')).toBeUndefined();
        const reference = { conversation: { id: '19:abc@thread.tacv2' }, serviceUrl: 'https://smba.trafficmanager.net/emea/' };
        await store.putSetting('support-channel', reference);
        expect(await store.getSetting('support-channel')).toEqual(reference);
        await store.putSetting('support-channel', { conversation: { id: '19:new' } });
        const other = await harness.open();
        expect(await other.getSetting('support-channel')).toEqual({ conversation: { id: '19:new' } });
      });

      describe('a setting read is reused for settingsMaxAgeMs', () => {
        const KEY = 'support-channel';
        const clock = (iso = '2026-11-30T10:00:00.000Z') => {
          const now = () => new Date(now.at);
          now.at = Date.parse(iso);
          return now;
        };

        it('a write through the same store is seen by its very next read, even one that overlapped a read', async () => {
          const now = clock();
          // The age never runs out here: only the writes can make the store read again.
          const reusing = await harness.open({ settingsMaxAgeMs: 60_000, now });
          expect(await reusing.getSetting(KEY)).toBeUndefined();
          await reusing.putSetting(KEY, { conversation: { id: '19:first' } });
          expect(await reusing.getSetting(KEY)).toEqual({ conversation: { id: '19:first' } });
          // A read in flight while the setting changes answers either value, but is not what is remembered.
          const during = reusing.getSetting(KEY);
          await reusing.putSetting(KEY, { conversation: { id: '19:second' } });
          expect([{ conversation: { id: '19:first' } }, { conversation: { id: '19:second' } }]).toContainEqual(await during);
          expect(await reusing.getSetting(KEY)).toEqual({ conversation: { id: '19:second' } });
        });

        it('remembers at most MAX_REMEMBERED_SETTINGS keys, however many are asked for', async () => {
          const now = clock();
          const reusing = await harness.open({ settingsMaxAgeMs: 60_000, now });
          const other = await harness.open();
          const keys = Array.from({ length: MAX_REMEMBERED_SETTINGS + 8 }, (_, i) => `key-${i}`);
          for (const key of keys) await other.putSetting(key, 'old');
          for (const key of keys) expect(await reusing.getSetting(key)).toBe('old');
          for (const key of keys) await other.putSetting(key, 'new');
          // The first keys were remembered (their age has not run out); those past the bound were not, so they are read again.
          expect(await reusing.getSetting(keys[0]!)).toBe('old');
          expect(await reusing.getSetting(keys.at(-1)!)).toBe('new');
        });

        it("another instance's write is seen once the remembered read is settingsMaxAgeMs old, not before", async () => {
          const now = clock();
          const reusing = await harness.open({ settingsMaxAgeMs: 1_000, now });
          const other = await harness.open();
          await other.putSetting(KEY, { conversation: { id: '19:old' } });
          expect(await reusing.getSetting(KEY)).toEqual({ conversation: { id: '19:old' } });
          await other.putSetting(KEY, { conversation: { id: '19:new' } });
          now.at += 999;
          // Still the value read a moment ago: the database was not asked.
          expect(await reusing.getSetting(KEY)).toEqual({ conversation: { id: '19:old' } });
          now.at += 1;
          expect(await reusing.getSetting(KEY)).toEqual({ conversation: { id: '19:new' } });
          // A clock set back does not keep a value for ever.
          await other.putSetting(KEY, { conversation: { id: '19:newer' } });
          now.at -= 60_000;
          expect(await reusing.getSetting(KEY)).toEqual({ conversation: { id: '19:newer' } });
        });

        it('hands out copies (changing one changes nothing remembered), and a closed store refuses even a remembered setting', async () => {
          const reusing = await harness.open({ settingsMaxAgeMs: 60_000, now: clock() });
          await reusing.putSetting(KEY, { conversation: { id: '19:kept' } });
          const first = (await reusing.getSetting(KEY)) as { conversation: { id: string } };
          first.conversation.id = 'changed by a caller';
          const second = (await reusing.getSetting(KEY)) as { conversation: { id: string } };
          expect(second).toEqual({ conversation: { id: '19:kept' } });
          second.conversation.id = 'changed again';
          expect(await reusing.getSetting(KEY)).toEqual({ conversation: { id: '19:kept' } });
          await reusing.close();
          await expect(reusing.getSetting(KEY)).rejects.toMatchObject({ kind: 'unavailable' });
        });
      });

      it('migrates idempotently and answers ping', async () => {
        await store.migrate();
        await store.migrate();
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });
  });
}
