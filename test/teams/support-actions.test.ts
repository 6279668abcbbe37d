// Support's side through the real bot over HTTP (start(), local mode) and the Teams stand-in: an
// escalation posted in support's channel carries Acknowledge and Take it; pressed there, they update
// the post and the original card in the chat, and the refresh Teams asks for answers each place's
// own card. Cards list the conversation's members for the automatic refresh.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingInUtc, refreshOf, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { startApp, type RunningApp } from '../helpers/running-bot.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';
import { BOX_PASTE, buttonData, press, sendMessage, type Card } from '../incidents/fixtures/bot-http.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

const SUPPORT_CHANNEL = '19:support-desk@thread.tacv2';
const MEMBERS = [{ id: '29:ada-ops', name: 'Ada Ops' }, { id: '29:bob-desk', name: 'Bob Desk' }];
const SAM = { id: '29:sam-support', name: 'Sam Support' };

let app: RunningApp;
let teams: TeamsStandIn;

beforeAll(async () => {
  teams = await startTeamsStandIn({ members: MEMBERS });
  app = await startApp({ SUPPORT_CHANNEL_ID: SUPPORT_CHANNEL });
});

afterAll(async () => {
  await app?.stop();
  await teams?.close();
});
failOnLoggedErrors(() => app);

const contentOf = (body: Record<string, unknown>) => (body.attachments as { content: Card }[])[0]!.content;
const shown = (card: unknown) => readingInUtc(unescapeDisplay(visibleText(card)));

describe("support's post in the channel", () => {
  it('Acknowledge and Take it, pressed there, update the post and the card in the chat', async () => {
    // A group chat: its members come from Teams (a personal chat is the sender alone).
    const chat = { conversationId: '19:support-actions-chat@thread.v2', conversationType: 'groupChat' as const, serviceUrl: teams.serviceUrl };
    expect(await sendMessage(app.url, BOX_PASTE, chat)).toBeLessThan(300);
    const posted = await teams.next((c) => c.method === 'POST' && c.conversationId === chat.conversationId && Array.isArray(c.body.attachments));
    const card = contentOf(posted.body);
    // The conversation's members, from Teams, get the card refreshed when they open the chat.
    expect(refreshOf(card)?.userIds).toEqual(MEMBERS.map((m) => m.id));
    const cardId = `posted-${teams.calls.filter((c) => c.method === 'POST').indexOf(posted) + 1}`;
    expect((await press(app.url, 'escalate', { ...buttonData(card, 'escalate'), note: 'payroll blocked' }, { ...chat, replyToId: cardId })).status).toBe(200);

    const post = await teams.next((c) => c.method === 'POST' && c.conversationId === SUPPORT_CHANNEL, 15_000);
    const postId = `posted-${teams.calls.filter((c) => c.method === 'POST').indexOf(post) + 1}`;
    const supportCard = contentOf(post.body);
    expect(shown(supportCard)).toContain('✉ Waiting for support');
    expect(shown(supportCard)).not.toContain('box-invalid-refresh-token');
    // Pressed in the thread the post started, as Teams sends it.
    const thread = { conversationId: `${SUPPORT_CHANNEL};messageid=${postId}`, serviceUrl: teams.serviceUrl, replyToId: postId, from: SAM };
    const ack = await press(app.url, 'support-acknowledge', buttonData(supportCard, 'support-acknowledge'), thread);
    expect(ack.status).toBe(200);
    expect(shown(ack.card)).toMatch(/☑ Acknowledged by Sam Support, \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const original = await teams.next((c) => c.method === 'PUT' && c.activityId === cardId && JSON.stringify(c.body).includes('Acknowledged by support'));
    expect(shown(contentOf(original.body))).toMatch(/☑ Acknowledged by support: Sam Support/);
    await teams.next((c) => c.method === 'PUT' && c.activityId === postId && JSON.stringify(c.body).includes('Acknowledged by'));

    const take = await press(app.url, 'support-take', buttonData(ack.card, 'support-take'), thread);
    expect(shown(take.card)).toContain('⚑ Taken by Sam Support');
    await teams.next((c) => c.method === 'PUT' && c.activityId === cardId && JSON.stringify(c.body).includes('Taken by support'));

    // The refresh Teams asks for answers the card of the place it comes from.
    const incidentId = String(buttonData(card, 'escalate').incidentId);
    expect(shown((await press(app.url, 'refresh', { incidentId }, thread)).card).split('\n')[0]).toMatch(/^Escalated: Box: /);
    expect(shown((await press(app.url, 'refresh', { incidentId }, chat)).card).split('\n')[0]).toMatch(/^Box connector: /);
    // Support's buttons are not accepted in the chat, nor the chat's in support's channel.
    expect((await press(app.url, 'support-take', { incidentId }, chat)).status).toBe(400);
    expect((await press(app.url, 'resolve', { incidentId }, thread)).status).toBe(400);
  });
});
