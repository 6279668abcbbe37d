// bench:http's own logic, without timing anything: the traffic it sends (distinct parties, pastes
// the bot must recognise) and how it reads answers ("no card" and the next button to press), since a
// wrong reader would print a wrong figure.
import { describe, expect, it } from 'vitest';
import { BENCH_PASTES, pasteMessage, pressInvoke, useTeams } from '../../bench/http/activities.js';
import { startTeamsRoster } from '../../bench/http/teams-roster.js';
import { buttonData, cardInInvokeAnswer, cardsInReplies } from '../../bench/http/replies.js';
import { median } from '../../bench/http/report.js';
import { PressTargets, pasteWorkload, pressWorkload } from '../../bench/http/workloads.js';
import { realMatcher } from '../helpers/bot-harness.js';

const CARD = 'application/vnd.microsoft.card.adaptive';
const card = (verb: string) => ({ type: 'AdaptiveCard', actions: [{ type: 'Action.Execute', verb, data: { verb, incidentId: 'inc-1' } }] });
const replies = (...activities: unknown[]) => JSON.stringify({ activities });

interface SentActivity {
  type: string;
  text?: string;
  from: { id: string };
  conversation: { id: string; tenantId: string };
  value?: { action: unknown };
}
const sent = (body: string) => JSON.parse(body) as SentActivity;

describe('bench:http traffic', () => {
  it('sends every paste from a new user in a new conversation and tenant, expecting replies', () => {
    const bodies = Array.from({ length: 3 }, (_, i) => sent(pasteMessage(i).body));
    expect(new Set(bodies.map((b) => b.from.id)).size).toBe(3);
    expect(new Set(bodies.map((b) => b.conversation.id)).size).toBe(3);
    expect(new Set(bodies.map((b) => b.conversation.tenantId)).size).toBe(3);
    expect(new Set(bodies.map((b) => b.text)).size).toBe(3);
    for (const body of bodies) expect(body).toMatchObject({ type: 'message', deliveryMode: 'expectReplies', channelId: 'msteams' });
  });

  it('sends pastes to the Teams stand-in, which lists the sender as the conversation\'s one member and refuses anything else', async () => {
    const teams = await startTeamsRoster();
    try {
      useTeams(teams.serviceUrl);
      const body = sent(pasteMessage(0).body) as SentActivity & { serviceUrl: string };
      expect(body.serviceUrl).toBe(teams.serviceUrl);
      const members = await fetch(`${teams.serviceUrl}v3/conversations/${encodeURIComponent(body.conversation.id)}/pagedmembers?pageSize=61`);
      expect(members.status).toBe(200);
      expect(((await members.json()) as { members: { id: string }[] }).members.map((m) => m.id)).toEqual([body.from.id]);
      const other = await fetch(`${teams.serviceUrl}v3/conversations/${encodeURIComponent(body.conversation.id)}/activities`, { method: 'POST', body: '{}' });
      expect(other.status).toBe(404);
      const stranger = await fetch(`${teams.serviceUrl}v3/conversations/${encodeURIComponent('19:elsewhere@thread.tacv2')}/pagedmembers`);
      expect(stranger.status).toBe(404);
      expect(teams.lookups()).toBe(1);
    } finally {
      useTeams('http://127.0.0.1:9/');
      await teams.close();
    }
  });

  it('only uses pastes the matcher recognises, so every answer should carry a card', () => {
    expect(BENCH_PASTES.length).toBeGreaterThan(50);
    const matcher = realMatcher();
    const unrecognised = BENCH_PASTES.filter((text) => !matcher.diagnose(`${text}\nCorrelation ID: 3f2504e0-4f89-41d3-9a0c-0305e82c3301`).findings.some((f) => f.verdict !== 'none'));
    expect(unrecognised).toEqual([]);
  });

  it('presses in the card\'s own conversation with the button\'s data, as a new user', () => {
    const conversation = { conversationId: 'a:c-1', tenantId: 't-1' };
    const first = sent(pressInvoke(conversation, { verb: 'resolve', incidentId: 'inc-1' }));
    const second = sent(pressInvoke(conversation, { verb: 'resolve', incidentId: 'inc-1' }));
    expect(first).toMatchObject({ type: 'invoke', name: 'adaptiveCard/action', conversation: { id: 'a:c-1', tenantId: 't-1' } });
    expect(first.value?.action).toEqual({ type: 'Action.Execute', verb: 'resolve', data: { verb: 'resolve', incidentId: 'inc-1' } });
    expect(first.from.id).not.toBe(second.from.id);
  });
});

describe('bench:http reading answers', () => {
  it('finds the cards of an expectReplies answer and none in a text-only one', () => {
    expect(cardsInReplies(replies({ type: 'message', attachments: [{ contentType: CARD, content: card('resolve') }] }, { type: 'message', text: 'note' }))).toHaveLength(1);
    expect(cardsInReplies(replies({ type: 'message', text: 'I could not find an error message in that.' }))).toEqual([]);
    expect(cardsInReplies(replies({ type: 'message', attachments: [{ contentType: 'image/png', content: {} }] }))).toEqual([]);
    expect(cardsInReplies('not json')).toEqual([]);
  });

  it('accepts an invoke answer only when it is a 200 card', () => {
    expect(cardInInvokeAnswer(JSON.stringify({ statusCode: 200, type: CARD, value: card('reopen') }))).toEqual(card('reopen'));
    expect(cardInInvokeAnswer(JSON.stringify({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadData' } }))).toBeUndefined();
  });

  it('takes the next press from the card\'s own Action.Execute buttons, not from show-cards or links', () => {
    const resolved = {
      actions: [
        { type: 'Action.ShowCard', title: 'Escalate', card: { actions: [{ type: 'Action.Execute', verb: 'escalate', data: { incidentId: 'inc-1' } }] } },
        { type: 'Action.OpenUrl', url: 'https://example.com' },
        { type: 'Action.Execute', verb: 'reopen', data: { verb: 'reopen', incidentId: 'inc-1' } },
      ],
    };
    expect(buttonData(resolved, ['resolve', 'reopen'])).toEqual({ verb: 'reopen', incidentId: 'inc-1' });
    expect(buttonData(resolved, ['resolve'])).toBeUndefined();
  });

  it('counts a paste answer without a card and keeps the Mark resolved buttons it finds', () => {
    const targets = new PressTargets();
    const workload = pasteWorkload({ verify: true, harvest: targets });
    const context: Record<string, unknown> = {};
    workload.nextBody(context);
    expect(workload.check?.(replies({ type: 'message', attachments: [{ contentType: CARD, content: card('resolve') }] }), context)).toBe(true);
    expect(workload.check?.(replies({ type: 'message', text: 'Sorry, something went wrong on my side.' }), context)).toBe(false);
    expect(targets.size).toBe(1);
    expect(targets.next()).toEqual({ conversation: context.conversation, data: { verb: 'resolve', incidentId: 'inc-1' } });
  });

  it('presses Reopen next on a card that was just resolved, and Mark resolved after that', () => {
    const targets = new PressTargets();
    targets.add({ conversation: { conversationId: 'a:c-1', tenantId: 't-1' }, data: { verb: 'resolve', incidentId: 'inc-1' } });
    const workload = pressWorkload(targets);
    const context: Record<string, unknown> = {};
    const verbOf = (body: string) => (JSON.parse(body) as { value: { action: { verb: string } } }).value.action.verb;
    expect(verbOf(workload.nextBody(context))).toBe('resolve');
    expect(workload.check?.(JSON.stringify({ statusCode: 200, type: CARD, value: card('reopen') }), context)).toBe(true);
    expect(verbOf(workload.nextBody(context))).toBe('reopen');
    expect(workload.check?.(JSON.stringify({ statusCode: 200, type: CARD, value: card('resolve') }), context)).toBe(true);
    expect(verbOf(workload.nextBody(context))).toBe('resolve');
  });

  it('takes the middle of the rounds, or the mean of the two middles', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
