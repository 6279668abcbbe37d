// The state machine's answers for the buttons the reworked cards added, and the re-sending of an
// escalation nobody received: pure decisions, each with the audit event a store records.
import { describe, expect, it } from 'vitest';
import { transition } from '../../src/incidents/machine.js';
import type { ActionRequest, Incident, IncidentAction } from '../../src/incidents/types.js';
import { ADA, BOB, incident } from '../helpers/incidents.js';

const at = new Date('2026-12-01T10:42:00Z');
const press = (current: Incident, action: IncidentAction, actor = BOB): ActionRequest => ({ incidentId: current.id, conversationId: current.conversationId, actor, action, at });

describe('choose-alternative', () => {
  it('swaps the diagnosis for the chosen entry and says from what to what', () => {
    const t = transition(incident(), press(incident(), { kind: 'choose-alternative', appId: 'box', entryId: 'box-enterprise-required' }), 0);
    expect(t).toMatchObject({ status: 'applied', incident: { verdict: 'match', appId: 'box', entryIds: ['box-enterprise-required'], version: 2 } });
    expect(t.event).toEqual({ kind: 'alternative-chosen', actor: BOB, detail: 'box-invalid-refresh-token -> box-enterprise-required' });
  });

  it('choosing what is shown changes nothing; an undiagnosed error has no alternatives', () => {
    expect(transition(incident(), press(incident(), { kind: 'choose-alternative', appId: 'box', entryId: 'box-invalid-refresh-token' }), 0).status).toBe('unchanged');
    const unknown = incident({ verdict: 'none', appId: undefined, entryIds: [] });
    expect(transition(unknown, press(unknown, { kind: 'choose-alternative', appId: 'box', entryId: 'box-invalid-refresh-token' }), 0).status).toBe('rejected');
  });
});

describe('none-of-these', () => {
  const ambiguous = incident({ verdict: 'ambiguous', appId: undefined, entryIds: ['okta-invalid-token', 'exchange-online-unauthorized'] });

  it('turns an ambiguous incident into an unknown error, keeping the candidates in the audit trail', () => {
    const t = transition(ambiguous, press(ambiguous, { kind: 'none-of-these' }), 0);
    expect(t.status).toBe('applied');
    expect(t.incident).toMatchObject({ verdict: 'none', entryIds: [] });
    expect(t.incident.appId).toBeUndefined();
    expect(t.event).toEqual({ kind: 'none-chosen', actor: BOB, detail: 'okta-invalid-token, exchange-online-unauthorized' });
  });

  it('a second press changes nothing; once an app is chosen it is refused', () => {
    const none = transition(ambiguous, press(ambiguous, { kind: 'none-of-these' }), 0).incident;
    expect(transition(none, press(none, { kind: 'none-of-these' }), 0).status).toBe('unchanged');
    const chosen = transition(ambiguous, press(ambiguous, { kind: 'choose-app', appId: 'okta', entryIds: ['okta-invalid-token'] }), 0).incident;
    expect(transition(chosen, press(chosen, { kind: 'none-of-these' }), 0)).toMatchObject({ status: 'rejected', reason: 'The app was already chosen for this incident.' });
  });
});

describe("support's buttons", () => {
  const escalated = incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at, escalationDelivery: 'delivered' });

  it.each([
    ['support-acknowledge', 'support-acknowledged'],
    ['support-take', 'support-taken'],
  ] as const)('%s records who, on an escalated incident, without changing its state', (kind, event) => {
    const t = transition(escalated, press(escalated, { kind }), 1);
    expect(t).toMatchObject({ status: 'applied', incident: { state: 'escalated', version: 2 }, event: { kind: event, actor: BOB } });
    expect(t.escalationSeq).toBeUndefined();
  });

  it('after the chat resolved it there is nothing to acknowledge or take', () => {
    const resolved = incident({ state: 'resolved', resolvedBy: ADA, resolvedAt: at });
    expect(transition(resolved, press(resolved, { kind: 'support-take' }), 1)).toMatchObject({ status: 'rejected', reason: 'The incident is no longer escalated: it was resolved in the chat.' });
  });
});

describe('records the bot keeps on an incident', () => {
  it('where support\'s post is, and the secrets removed from the paste, as audit events', () => {
    const post = { conversationId: '19:support@thread.tacv2;messageid=1', activityId: '1', serviceUrl: 'https://smba.example/' };
    const posted = transition(incident(), press(incident(), { kind: 'record-support-post', post }), 0);
    expect(posted).toMatchObject({ status: 'applied', incident: { state: 'open' } });
    expect(JSON.parse(posted.event!.detail!)).toEqual(post);
    const secrets = transition(incident(), press(incident(), { kind: 'record-secrets', count: 2, kinds: ['jwt', 'secret-pair'] }, ADA), 0);
    expect(secrets.event).toEqual({ kind: 'secrets-removed', actor: ADA, detail: '{"count":2,"kinds":["jwt","secret-pair"]}' });
  });
});

describe('escalate', () => {
  it('an escalation nobody received can be sent again, as a new escalation keeping its note', () => {
    const unsent = incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at, escalationNote: 'first try' });
    const again = transition(unsent, press(unsent, { kind: 'escalate' }), 1);
    expect(again).toMatchObject({ status: 'applied', escalationSeq: 2, incident: { escalatedBy: BOB, escalationNote: 'first try' } });
    const refused = { ...unsent, escalationDelivery: 'dead-lettered' as const };
    expect(transition(refused, press(refused, { kind: 'escalate', note: 'now with the webhook fixed' }), 1)).toMatchObject({
      status: 'applied',
      escalationSeq: 2,
      incident: { escalationNote: 'now with the webhook fixed' },
    });
  });

  it('an escalation on its way or delivered is not sent twice', () => {
    for (const escalationDelivery of ['pending', 'delivered'] as const) {
      const sent = incident({ state: 'escalated', escalatedBy: ADA, escalatedAt: at, escalationDelivery });
      expect(transition(sent, press(sent, { kind: 'escalate' }), 1).status).toBe('unchanged');
    }
  });
});
