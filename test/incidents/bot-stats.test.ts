// What an operator sees about escalations, through the real bot over HTTP: three escalations,
// one accepted by support, one refused (400: dead-lettered at once), one still failing (503:
// pending); `stats` and GET /metrics count them, and each card says how its delivery went.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../helpers/running-bot.js';
import { BOX_PASTE, buttonData, eventually, metric, pasteExpectingReplies, press, shown } from './fixtures/bot-http.js';
import { startReceiver, type Receiver } from './fixtures/receiver.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

let app: RunningApp;
let receiver: Receiver;

beforeAll(async () => {
  // Support's answer depends on the note typed with the escalation.
  receiver = await startReceiver((request) => {
    const note = (JSON.parse(request.body) as { escalation: { note: string | null } }).escalation.note;
    if (note === 'refuse') return { status: 400 };
    if (note === 'busy') return { status: 503 };
    return { status: 200 };
  });
  app = await startApp({ SUPPORT_WEBHOOK_URL: receiver.url, SUPPORT_WEBHOOK_SECRET: 'stats-secret', ESCALATION_RETRY_BASE_MS: '60000' });
});

afterAll(async () => {
  await app?.stop();
  await receiver?.close();
});
const loggedErrors = failOnLoggedErrors(() => app);

// A different person for each message keeps this test clear of the per-user rate limit.
let people = 0;
const someone = () => ({ id: `29:stats-user-${++people}`, name: 'Ada Ops' });

async function escalate(conversationId: string, note: string): Promise<string> {
  const [card] = await pasteExpectingReplies(app.url, BOX_PASTE, { conversationId, from: someone() });
  const data = buttonData(card, 'escalate');
  const answer = await press(app.url, 'escalate', { ...data, note }, { conversationId });
  expect(answer.status).toBe(200);
  return String(data.incidentId);
}

describe('stats and /metrics after escalations delivered, pending and dead-lettered', () => {
  it('count each outcome, and each card tells its own', async () => {
    // Support refusing one escalation (400) is what this test is about: its dead letter is logged as an error.
    loggedErrors.allow(/^escalation dead-lettered$/);
    const before = await pasteExpectingReplies(app.url, 'stats', { conversationId: 'a:stats-ops', from: someone() });
    expect(shown(before[0])).toContain('0 delivered, 0 pending, 0 failed');

    const delivered = await escalate('a:stats-delivered', 'deliver');
    const refused = await escalate('a:stats-refused', 'refuse');
    const busy = await escalate('a:stats-busy', 'busy');
    await pasteExpectingReplies(app.url, BOX_PASTE, { conversationId: 'a:stats-open', from: someone() });
    // An error the catalog does not know: counted, under an app nobody could name.
    await pasteExpectingReplies(app.url, 'Error: FrobnicatorException: widget handshake failed with code ZX-4411 while syncing', {
      conversationId: 'a:stats-unknown',
      from: someone(),
    });

    await eventually('support to answer all three', () => receiver.requests.length >= 3);
    await eventually('delivery and dead letter to be recorded', async () =>
      (await metric(app.url, 'connector_doctor_escalations_delivered')) === 1 && (await metric(app.url, 'connector_doctor_escalations_dead_lettered')) === 1,
    );
    expect(await metric(app.url, 'connector_doctor_escalations_pending')).toBe(1);

    const [stats] = await pasteExpectingReplies(app.url, 'stats', { conversationId: 'a:stats-ops', from: someone() });
    const text = shown(stats);
    expect(text).toContain('1 delivered, 1 pending, 1 failed');
    // Nothing older than a week: the two periods are one block.
    expect(text).toContain('Last 7 and 30 days: 5 incidents');
    expect(text).toContain('Box 4, App not identified 1');
    expect(text).not.toMatch(/\bunknown\b/);

    // The refresh Teams asks for when someone opens the chat redraws each card from the store: its delivery is on it.
    const again = async (conversationId: string, incidentId: string) =>
      shown((await press(app.url, 'refresh', { incidentId }, { conversationId })).card);
    expect(await again('a:stats-delivered', delivered)).toMatch(/✉ Escalated to support by .* · delivered/);
    const failed = await again('a:stats-refused', refused);
    expect(failed).toContain('⚠ Escalation failed by Bob Desk');
    expect(failed).toContain("Support's channel or webhook refused it, or is no longer set up. Contact support directly, or press Send to support again.");
    expect(await again('a:stats-busy', busy)).toMatch(/✉ Escalated to support by .* · delivery pending/);

    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/connector_doctor_card_actions_total\{verb="escalate",outcome="applied"\} 3/);
    expect(metrics).not.toContain('boxjavalibv2');
  });
});
