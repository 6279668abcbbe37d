// The support channel, through the real bot over HTTP and the Teams stand-in: named by
// configuration (SUPPORT_CHANNEL_ID) with nobody having run `set support channel`, Escalate posts
// in that channel and the card in the chat then says it was delivered; once someone runs
// `set support channel` in a channel thread, escalations go to that channel instead.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post as postJson, startApp, type RunningApp } from '../helpers/running-bot.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';
import { BOX_PASTE, buttonData, eventually, metric, pasteExpectingReplies, press, shown } from './fixtures/bot-http.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

const SUPPORT_CHANNEL = '19:support-desk@thread.tacv2';

let app: RunningApp;
let teams: TeamsStandIn;

beforeAll(async () => {
  teams = await startTeamsStandIn();
  app = await startApp({ SUPPORT_CHANNEL_ID: SUPPORT_CHANNEL });
});

afterAll(async () => {
  await app?.stop();
  await teams?.close();
});
failOnLoggedErrors(() => app);

describe('SUPPORT_CHANNEL_ID', () => {
  it('receives the escalation as a new thread, and the card says delivered to support', async () => {
    const where = { conversationId: 'a:configured-channel-chat', serviceUrl: teams.serviceUrl };
    const [card] = await pasteExpectingReplies(app.url, BOX_PASTE, where);
    const data = buttonData(card, 'escalate');
    const answer = await press(app.url, 'escalate', { ...data, note: 'customer blocked since 9:00' }, where);
    expect(answer.status).toBe(200);

    const post = await teams.next((call) => call.method === 'POST' && call.conversationId === SUPPORT_CHANNEL);
    // Posted in the channel itself (not in the chat where Escalate was pressed), carrying the support card.
    expect(post.path.startsWith(`/v3/conversations/${encodeURIComponent(SUPPORT_CHANNEL)}/activities`)).toBe(true);
    // In the tenant of the chat the escalation came from.
    expect(post.body.conversation).toMatchObject({ id: SUPPORT_CHANNEL, tenantId: 'tenant-bot-tests' });
    const attachment = (post.body.attachments as { contentType: string; content: unknown }[])[0];
    expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const text = shown(attachment?.content);
    expect(text).toContain('Ada Ops');
    expect(text).toContain('Bob Desk');
    expect(text).toContain('customer blocked since 9:00');
    expect(JSON.stringify(post.body)).not.toContain('invalid_grant_secret');

    await eventually('the delivery to be recorded', async () => (await metric(app.url, 'connector_doctor_escalations_delivered')) === 1);
    expect(await metric(app.url, 'connector_doctor_escalations_pending')).toBe(0);
    const again = await press(app.url, 'escalate', { incidentId: data.incidentId }, where);
    expect(shown(again.card)).toMatch(/✉ Escalated to support by Bob Desk, .* · delivered/);
    // Exactly one post in the support channel.
    expect(teams.calls.filter((call) => call.method === 'POST' && call.conversationId === SUPPORT_CHANNEL)).toHaveLength(1);
  });
});

describe('set support channel', () => {
  it('typed in a thread of another channel wins over the configured one: the next escalation is posted there', async () => {
    const channelMessage = JSON.parse(readFileSync(new URL('../fixtures/activities/channel-mention.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const set = await postJson(`${app.url}/api/messages`, {
      ...channelMessage,
      id: 'set-support-1',
      text: '<at>Connector Doctor</at> set support channel',
      attachments: [],
      serviceUrl: teams.serviceUrl,
    });
    expect(set.status).toBe(200);
    // The bot confirms in the thread where the command was typed.
    await teams.next((call) => call.method === 'POST' && call.conversationId === '19:opsChannelExample@thread.tacv2;messageid=1764585060000');

    const toConfigured = () => teams.calls.filter((call) => call.method === 'POST' && call.conversationId === SUPPORT_CHANNEL).length;
    const configuredBefore = toConfigured();
    const where = { conversationId: 'a:after-set-channel-chat', serviceUrl: teams.serviceUrl };
    const [card] = await pasteExpectingReplies(app.url, BOX_PASTE, where);
    const data = buttonData(card, 'escalate');
    expect((await press(app.url, 'escalate', data, where)).status).toBe(200);
    // A new post in the channel itself, not in the thread the command was typed in.
    const posted = await teams.next((call) => call.method === 'POST' && call.conversationId === '19:opsChannelExample@thread.tacv2');
    expect(shown((posted.body.attachments as { content: unknown }[])[0]?.content)).toContain('Bob Desk');
    await eventually('the delivery to be recorded', async () => (await metric(app.url, 'connector_doctor_escalations_pending')) === 0);
    expect(toConfigured()).toBe(configuredBefore);
  });
});
