// Card data is written by the client: through the real bot over HTTP, an Escalate button's data
// (naming an incident of conversation X) replayed from conversation Y changes nothing, sends
// nothing, and gets a clear answer without internals; the actor always comes from the activity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/incidents/index.js';
import { post, startApp, type RunningApp } from '../helpers/running-bot.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';
import { BOB, BOX_PASTE, INTERNALS, buttonData, metric, pasteExpectingReplies, press, shown } from './fixtures/bot-http.js';
import { startReceiver, type Receiver } from './fixtures/receiver.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

let dir: string;
let databaseUrl: string;
let app: RunningApp;
let teams: TeamsStandIn;
let receiver: Receiver;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cd-bot-tamper-'));
  databaseUrl = `sqlite:${join(dir, 'bot.db')}`;
  teams = await startTeamsStandIn();
  receiver = await startReceiver(() => ({ status: 200 }));
  app = await startApp({ DATABASE_URL: databaseUrl, SUPPORT_WEBHOOK_URL: receiver.url, SUPPORT_WEBHOOK_SECRET: 'tamper-secret' });
});

afterAll(async () => {
  await app?.stop();
  await teams?.close();
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});
failOnLoggedErrors(() => app);

async function auditTrail(incidentId: string): Promise<string[]> {
  const store = await openStore(databaseUrl);
  try {
    return (await store.events(incidentId)).map((e) => e.kind);
  } finally {
    await store.close();
  }
}

describe('a button replayed from another conversation', () => {
  it('Escalate with the data of a card from chat X, sent from chat Y: nothing changes, nothing is sent, a clear answer', async () => {
    const chatX = { conversationId: 'a:chat-x-owner', serviceUrl: teams.serviceUrl };
    const chatY = { conversationId: 'a:chat-y-intruder', serviceUrl: teams.serviceUrl };
    const [card] = await pasteExpectingReplies(app.url, BOX_PASTE, chatX);
    const data = buttonData(card, 'escalate');

    const replayed = await press(app.url, 'escalate', { ...data, note: 'replayed', conversationId: chatX.conversationId }, { ...chatY, from: BOB });
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'IncidentNotFound', message: 'I cannot find this incident in this conversation.' } });
    expect(replayed.raw).not.toMatch(INTERNALS);
    expect(replayed.raw).not.toContain(String(data.incidentId));

    // The same through Action.Submit (older clients): a plain answer in chat Y, no card, no change.
    const submit = await post(`${app.url}/api/messages`, {
      type: 'message',
      channelId: 'msteams',
      id: 'submit-from-y',
      serviceUrl: teams.serviceUrl,
      deliveryMode: 'expectReplies',
      from: BOB,
      recipient: { id: '28:connector-doctor', name: 'Connector Doctor' },
      conversation: { id: chatY.conversationId, conversationType: 'personal' },
      value: { ...data, verb: 'escalate', note: 'replayed again' },
    });
    expect(submit.status).toBe(200);
    const answerText = JSON.stringify(submit.json());
    expect(answerText).toContain('That button did not work: I cannot find this incident in this conversation.');
    expect(answerText).not.toMatch(INTERNALS);

    // Untouched: the audit trail holds only the paste, no escalation is pending or delivered,
    // the webhook heard nothing, and no card in chat X was rewritten.
    expect(await auditTrail(String(data.incidentId))).toEqual(['opened']);
    expect(await metric(app.url, 'connector_doctor_escalations_pending')).toBe(0);
    expect(await metric(app.url, 'connector_doctor_escalations_delivered')).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    expect(teams.calls.filter((c) => c.method === 'PUT')).toHaveLength(0);

    // In chat X the button still works, and names who pressed, not what the data claims.
    const real = await press(app.url, 'escalate', { ...data, actor: { id: '29:mallory', name: 'Mallory' }, escalatedBy: 'Mallory' }, { ...chatX, from: BOB });
    expect(real.status).toBe(200);
    expect(shown(real.card)).toMatch(/Escalated to support by Bob Desk/);
    expect(shown(real.card)).not.toContain('Mallory');
    await receiver.waitForRequests(1);
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ escalation: { by: { name: 'Bob Desk', id: BOB.id } } });
  });
});
