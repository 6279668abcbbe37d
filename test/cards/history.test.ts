// What the audit trail adds to a card: the latest choice with who and when, support's acknowledgement
// and owner of the current escalation only, where support's post is, and the latest paste's secrets.
import { describe, expect, it } from 'vitest';
import { historyOf } from '../../src/cards/history.js';
import type { IncidentEvent } from '../../src/incidents/types.js';
import { ADA, BOB } from '../helpers/incidents.js';

const SAM = { id: 'sam', name: 'Sam Support' };
const LEE = { id: 'lee', name: 'Lee Support' };
let minute = 0;
const event = (kind: IncidentEvent['kind'], actor?: IncidentEvent['actor'], detail?: string): IncidentEvent => ({
  incidentId: 'inc-1',
  kind,
  at: new Date(Date.UTC(2026, 11, 1, 10, minute++)),
  ...(actor ? { actor } : {}),
  ...(detail ? { detail } : {}),
});
const post = (id: string) => JSON.stringify({ conversationId: `19:support@thread.tacv2;messageid=${id}`, activityId: id });

describe('historyOf', () => {
  it('keeps the latest choice, of any kind, with who and when', () => {
    const events = [event('opened', ADA), event('app-chosen', ADA, 'okta: okta-invalid-token'), event('alternative-chosen', BOB, 'a -> b')];
    expect(historyOf(events).choice).toEqual({ kind: 'alternative', by: BOB, at: events[2]!.at });
    expect(historyOf([event('opened', ADA), event('none-chosen', BOB)]).choice?.kind).toBe('none');
    expect(historyOf([event('opened', ADA)]).choice).toBeUndefined();
  });

  it("support's first acknowledgement and latest owner count for the current escalation only", () => {
    const first = [event('escalated', ADA), event('support-posted', undefined, post('1')), event('support-acknowledged', SAM), event('support-acknowledged', LEE), event('support-taken', SAM), event('support-taken', LEE)];
    const history = historyOf(first);
    expect(history.acknowledged?.by).toEqual(SAM);
    expect(history.taken?.by).toEqual(LEE);
    expect(history.supportPost).toEqual({ conversationId: '19:support@thread.tacv2;messageid=1', activityId: '1' });
    // Resolved, reopened and escalated again: support has not seen this one yet.
    const again = historyOf([...first, event('resolved', ADA), event('reopened', ADA), event('escalated', BOB)]);
    expect(again.acknowledged).toBeUndefined();
    expect(again.taken).toBeUndefined();
    expect(again.supportPost).toBeUndefined();
  });

  it("the secrets of the latest paste only, and a record it cannot read is ignored", () => {
    const secrets = event('secrets-removed', ADA, JSON.stringify({ count: 2, kinds: ['jwt'] }));
    expect(historyOf([event('opened', ADA), secrets]).secrets).toEqual({ count: 2, kinds: ['jwt'] });
    expect(historyOf([event('opened', ADA), secrets, event('repeated', BOB)]).secrets).toBeUndefined();
    expect(historyOf([event('opened', ADA), event('secrets-removed', ADA, '{not json')]).secrets).toBeUndefined();
    expect(historyOf([event('escalated', ADA), event('support-posted', undefined, '{"activityId":1}')]).supportPost).toBeUndefined();
  });
});
