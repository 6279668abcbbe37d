// Two bot instances behind one load balancer, sharing one PostgreSQL database: the real bot
// (index.ts start()) twice on loopback ports. A card posted through instance A is pressed on
// instance B; Escalate pressed at the same moment on A and on B gives one escalation, delivered
// once across the two outbox workers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/incidents/index.js';
import { actionsOf } from '../helpers/adaptive-card-schema.js';
import { startApp, type RunningApp } from '../helpers/running-bot.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';
import { ADA, BOB, BOX_PASTE, buttonData, eventually, metric, press, sendMessage, shown, type Card } from './fixtures/bot-http.js';
import { startReceiver, type Receiver } from './fixtures/receiver.js';
import { createPgRun, type PgRun } from './pg-harness.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

let run: PgRun;
let databaseUrl: string;
let teams: TeamsStandIn;
let receiver: Receiver;
let a: RunningApp;
let b: RunningApp;

beforeAll(async () => {
  run = await createPgRun();
  databaseUrl = await run.freshSchemaUrl();
  teams = await startTeamsStandIn();
  receiver = await startReceiver(() => ({ status: 200 }));
  const env = { DATABASE_URL: databaseUrl, SUPPORT_WEBHOOK_URL: receiver.url, SUPPORT_WEBHOOK_SECRET: 'two-instances' };
  // One after the other: the first one runs the migrations.
  a = await startApp(env);
  b = await startApp(env);
}, 60_000);

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await teams?.close();
  await receiver?.close();
  await run?.drop();
});
failOnLoggedErrors(() => [a, b]);

/** Paste through instance A the normal way: the card is POSTed to Teams and gets an activity id. */
async function cardPostedThroughA(conversationId: string): Promise<{ card: Card; activityId: string }> {
  expect(await sendMessage(a.url, BOX_PASTE, { conversationId, serviceUrl: teams.serviceUrl, from: ADA })).toBeLessThan(300);
  const posted = await teams.next((c) => c.method === 'POST' && c.conversationId === conversationId && JSON.stringify(c.body).includes('Box connector: '));
  const activityId = `posted-${teams.calls.filter((c) => c.method === 'POST').indexOf(posted) + 1}`;
  const card = (posted.body as { attachments: { content: Card }[] }).attachments[0]!.content;
  return { card, activityId };
}

describe('two instances on one PostgreSQL database', () => {
  it('Mark resolved pressed on B works on the card A posted, and B updates it in place', async () => {
    const conversationId = 'a:two-instances-resolve';
    const { card, activityId } = await cardPostedThroughA(conversationId);

    const answer = await press(b.url, 'resolve', buttonData(card, 'resolve'), { conversationId, serviceUrl: teams.serviceUrl, replyToId: activityId, from: BOB });
    expect(answer.status).toBe(200);
    expect(shown(answer.card)).toMatch(/✔ Resolved by Bob Desk, \{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\} \{\{TIME\(/);
    const put = await teams.next((c) => c.method === 'PUT' && c.activityId === activityId);
    expect(shown((put.body as { attachments: { content: Card }[] }).attachments[0]!.content)).toMatch(/Resolved by Bob Desk/);

    // A sees the same state: Reopen pressed on A reopens what B resolved.
    const reopened = await press(a.url, 'reopen', buttonData(answer.card, 'reopen'), { conversationId, serviceUrl: teams.serviceUrl, replyToId: activityId, from: ADA });
    expect(reopened.status).toBe(200);
    expect(actionsOf(reopened.card).map((action) => action.verb)).toEqual(expect.arrayContaining(['resolve', 'escalate']));
  });

  it('Escalate pressed at once on A and on B: one escalation, delivered once across both outbox workers', async () => {
    const conversationId = 'a:two-instances-escalate';
    const { card, activityId } = await cardPostedThroughA(conversationId);
    const data = buttonData(card, 'escalate');
    const where = { conversationId, serviceUrl: teams.serviceUrl, replyToId: activityId };

    const [onA, onB] = await Promise.all([
      press(a.url, 'escalate', { ...data, note: 'from Ada' }, { ...where, from: ADA }),
      press(b.url, 'escalate', { ...data, note: 'from Bob' }, { ...where, from: BOB }),
    ]);
    expect([onA.status, onB.status]).toEqual([200, 200]);
    // Both people see the same escalation: the one who was first.
    const escalator = /Escalated to support by (Ada Ops|Bob Desk)/.exec(shown(onA.card))?.[1];
    expect(escalator).toBeDefined();
    expect(shown(onB.card)).toContain(`Escalated to support by ${escalator}`);

    await eventually('the escalation to be delivered', async () => (await metric(a.url, 'connector_doctor_escalations_delivered')) === 1);
    expect(await metric(b.url, 'connector_doctor_escalations_delivered')).toBe(1);
    expect(await metric(b.url, 'connector_doctor_escalations_pending')).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    const body = JSON.parse(receiver.requests[0]!.body) as { incident: { id: string }; escalation: { by: { name: string }; note: string } };
    expect(body.incident.id).toBe(data.incidentId);
    expect(body.escalation.by.name).toBe(escalator);
    expect(body.escalation.note).toBe(escalator === 'Ada Ops' ? 'from Ada' : 'from Bob');

    // The audit trail holds one escalation and one delivery.
    const store = await openStore(databaseUrl);
    try {
      const kinds = (await store.events(String(data.incidentId))).map((e) => e.kind);
      expect(kinds.filter((k) => k === 'escalated')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'escalation-delivered')).toHaveLength(1);
    } finally {
      await store.close();
    }
    // The card in the chat was updated to say so, by whichever instance delivered.
    await teams.next((c) => c.method === 'PUT' && c.activityId === activityId && JSON.stringify(c.body).includes(' · delivered'));
  });
});
