// The real server (index.ts start(): config, SQLite, catalog, matcher, bot, outbox) on a random
// loopback port, spoken to as Teams would: expectReplies, a loopback Teams service for replies
// and card updates, invokes, and hostile bodies.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { createServer } from '../../src/server.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';
import { actionsOf, cardProblems, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { post, startApp, type RunningApp } from '../helpers/running-bot.js';
import { startTeamsStandIn, startWebhookReceiver, type TeamsStandIn } from '../helpers/teams-standin.js';

type ActivityJson = Record<string, unknown> & { conversation: { id: string } };
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/activities/${name}.json`, import.meta.url), 'utf8')) as ActivityJson;
const BOX_PASTE = 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant';
/** What must never appear in an HTTP body. */
const INTERNALS = /\bat \w+ \(|node:|ECONN|SyntaxError|Unexpected token|\/work\/|node_modules|stack/i;

let app: RunningApp;
let teams: TeamsStandIn;
let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  teams = await startTeamsStandIn();
  webhook = await startWebhookReceiver();
  app = await startApp({ SUPPORT_WEBHOOK_URL: webhook.url, SUPPORT_WEBHOOK_SECRET: 'test-secret' });
});
afterAll(async () => {
  await app?.stop();
  await teams?.close();
  await webhook?.close();
});
// A turn that throws still answers 200 (an apology): every test fails on a logged error instead.
failOnLoggedErrors(() => app);

function message(text: string, extra: Record<string, unknown> = {}): ActivityJson {
  // A fresh sender per message keeps these tests clear of the per-user rate limit (5 at once).
  const from = { id: `29:user-${Math.random().toString(36).slice(2)}`, name: 'Ada Ops' };
  return { ...fixture('personal-message'), text, from, serviceUrl: teams.serviceUrl, id: `m-${Math.random().toString(36).slice(2)}`, ...extra } as ActivityJson;
}

type CardJson = Record<string, unknown>;
const cardIn = (activity: { attachments?: { content: unknown }[] } | undefined) => activity?.attachments?.[0]?.content as CardJson | undefined;

describe('POST /api/messages with deliveryMode expectReplies', () => {
  it('answers a paste with the diagnosis card in the HTTP response', async () => {
    const res = await post(`${app.url}/api/messages`, message(BOX_PASTE, { deliveryMode: 'expectReplies' }));
    expect(res.status).toBe(200);
    const { activities } = res.json() as { activities: { attachments?: { content: unknown }[] }[] };
    expect(activities).toHaveLength(1);
    const card = cardIn(activities[0]);
    expect(cardProblems(card)).toEqual([]);
    expect(unescapeDisplay(visibleText(card))).toContain('Box connector: Box no longer accepts the refresh token');
  });

  it('answers help in a channel after stripping the mention', async () => {
    const activity = { ...fixture('channel-mention'), from: { id: '29:channel-user', name: 'Cy Chan' }, text: '<at>Connector Doctor</at> help', serviceUrl: teams.serviceUrl, deliveryMode: 'expectReplies' };
    const res = await post(`${app.url}/api/messages`, activity);
    const { activities } = res.json() as { activities: { attachments?: { content: unknown }[] }[] };
    expect(activities).toHaveLength(1);
    expect(visibleText(cardIn(activities[0]))).toContain('how to use me');
  });

  it('survives an activity without recipient', async () => {
    const activity = { ...message('help', { deliveryMode: 'expectReplies' }) } as Record<string, unknown>;
    delete activity.recipient;
    const res = await post(`${app.url}/api/messages`, activity);
    expect(res.status).toBe(200);
    const { activities } = res.json() as { activities: { attachments?: { content: unknown }[] }[] };
    expect(activities).toHaveLength(1);
    expect(visibleText(cardIn(activities[0]))).toContain('how to use me');
  });
});

describe('replies and card updates reach Teams (loopback serviceUrl)', () => {
  it('paste -> card POSTed to the conversation -> Mark resolved -> card PUT in place', async () => {
    const paste = message(BOX_PASTE);
    const sent = await post(`${app.url}/api/messages`, paste);
    expect(sent.status).toBeLessThan(300);
    const conversationId = paste.conversation.id;
    const posted = await teams.next((c) => c.method === 'POST' && c.conversationId === conversationId && JSON.stringify(c.body).includes('Box connector: '));
    const card = cardIn(posted.body as { attachments?: { content: unknown }[] })!;
    const resolve = actionsOf(card).find((a) => a.verb === 'resolve')!;
    const postedId = `posted-${teams.calls.filter((c) => c.method === 'POST').indexOf(posted) + 1}`;

    const invoke = {
      ...fixture('invoke-action-execute'),
      serviceUrl: teams.serviceUrl,
      replyToId: postedId,
      value: { action: { type: 'Action.Execute', verb: 'resolve', data: resolve.data } },
    };
    const answer = await post(`${app.url}/api/messages`, invoke);
    expect(answer.status).toBe(200);
    const body = answer.json() as { statusCode: number; type: string; value: CardJson };
    expect(body.statusCode).toBe(200);
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(visibleText(body.value)).toMatch(/✔ Resolved by Bob Desk, \{\{DATE\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, SHORT\)\}\} \{\{TIME\(/);

    const put = await teams.next((c) => c.method === 'PUT' && c.activityId === postedId);
    expect(put.conversationId).toBe(conversationId);
    expect(visibleText(cardIn(put.body as { attachments?: { content: unknown }[] }))).toMatch(/Resolved by Bob Desk/);
  });

  it('escalation is delivered to the support webhook and the card then says so', async () => {
    const paste = message('Service timeout');
    await post(`${app.url}/api/messages`, paste);
    const posted = await teams.next((c) => c.method === 'POST' && JSON.stringify(c.body).includes('Service timeout'));
    const postedId = `posted-${teams.calls.filter((c) => c.method === 'POST').indexOf(posted) + 1}`;
    const escalate = actionsOf(cardIn(posted.body as { attachments?: { content: unknown }[] })).find((a) => a.verb === 'escalate')!;
    const invoke = {
      ...fixture('invoke-action-execute'),
      serviceUrl: teams.serviceUrl,
      replyToId: postedId,
      value: { action: { type: 'Action.Execute', verb: 'escalate', data: { ...(escalate.data as object), note: 'please look' } } },
    };
    const answer = await post(`${app.url}/api/messages`, invoke);
    expect(visibleText((answer.json() as { value: CardJson }).value)).toMatch(/✉ Escalated to support by Bob Desk, .* · (delivery pending|delivered)/);
    await webhook.next();
    expect(webhook.received[0]!.headers['idempotency-key']).toBeTruthy();
    expect(String(webhook.received[0]!.headers['x-connector-doctor-signature'])).toMatch(/^sha256=[0-9a-f]{64}$/);
    const refreshed = await teams.next((c) => c.method === 'PUT' && c.activityId === postedId && JSON.stringify(c.body).includes(' · delivered'));
    expect(refreshed.conversationId).toBe(paste.conversation.id);
  });

  it('after "set support channel", an escalation is posted in that channel as a new thread', async () => {
    const channel = { ...fixture('channel-mention'), from: { id: '29:support-lead', name: 'Sam Lead' }, text: '<at>Connector Doctor</at> set support channel', serviceUrl: teams.serviceUrl, deliveryMode: 'expectReplies' };
    const confirmed = await post(`${app.url}/api/messages`, channel);
    expect(JSON.stringify(confirmed.json())).toContain('escalations will be posted in this channel');

    const paste = message('Service timeout', { conversation: { id: 'a:other-chat', conversationType: 'personal' } });
    await post(`${app.url}/api/messages`, paste);
    const posted = await teams.next((c) => c.method === 'POST' && c.conversationId === 'a:other-chat');
    const escalate = actionsOf(cardIn(posted.body as { attachments?: { content: unknown }[] })).find((a) => a.verb === 'escalate')!;
    const invoke = {
      ...fixture('invoke-action-execute'),
      conversation: { id: 'a:other-chat', conversationType: 'personal' },
      serviceUrl: teams.serviceUrl,
      value: { action: { type: 'Action.Execute', verb: 'escalate', data: escalate.data } },
    };
    expect((await post(`${app.url}/api/messages`, invoke)).status).toBe(200);
    const inChannel = await teams.next((c) => c.method === 'POST' && c.conversationId === '19:opsChannelExample@thread.tacv2');
    const shown = unescapeDisplay(visibleText(cardIn(inChannel.body as { attachments?: { content: unknown }[] })));
    expect(shown).toContain('Escalated by Bob Desk');
    expect(shown).toContain('Service timeout');
  });

  it('a reply Teams throttles (429) is retried and still arrives', async () => {
    const busyTeams = await startTeamsStandIn({ throttleFirst: 1 });
    try {
      await post(`${app.url}/api/messages`, message('help', { serviceUrl: busyTeams.serviceUrl }));
      const posted = await busyTeams.next((c) => c.method === 'POST' && JSON.stringify(c.body).includes('how to use me'));
      expect(posted.conversationId).toBeTruthy();
    } finally {
      await busyTeams.close();
    }
  });

  it('an unknown verb is answered 400 with an error body, not 500', async () => {
    const invoke = { ...fixture('invoke-action-execute'), serviceUrl: teams.serviceUrl, value: { action: { type: 'Action.Execute', verb: 'explode', data: { incidentId: 'x' } } } };
    const answer = await post(`${app.url}/api/messages`, invoke);
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'UnknownVerb' } });
  });

  it('the welcome card is posted when the bot is installed', async () => {
    const update = { ...fixture('conversation-update-bot-added'), serviceUrl: teams.serviceUrl } as ActivityJson;
    await post(`${app.url}/api/messages`, update);
    const posted = await teams.next((c) => c.method === 'POST' && JSON.stringify(c.body).includes("Hi, I'm Connector Doctor"));
    expect(posted.conversationId).toBe(update.conversation.id);
  });
});

describe('hostile bodies get a generic 4xx, never a 500', () => {
  const cases: [string, string, Record<string, string>?][] = [
    ['malformed JSON', '{"type": "message", '],
    ['JSON that is not an activity', '{"hello":"world"}'],
    ['an array', '[{"type":"message"}]'],
    ['null', 'null'],
    ['a non-string type', '{"type": 42}'],
    ['an activity without conversation', '{"type":"message","text":"help","serviceUrl":"http://127.0.0.1:9/"}'],
    // Replies would go to a default public host: refused instead of leaving loopback.
    ['an activity without serviceUrl', '{"type":"message","text":"help","conversation":{"id":"a:1"}}'],
    ['a serviceUrl that is not http(s)', '{"type":"message","text":"help","conversation":{"id":"a:1"},"serviceUrl":"file:///etc/passwd"}'],
  ];
  it.each(cases)('%s', async (_name, body, headers) => {
    const res = await post(`${app.url}/api/messages`, body, headers);
    expect(res.status).toBe(400);
    expect(res.text).not.toMatch(INTERNALS);
    expect(res.json()).toMatchObject({ code: 'BadRequest' });
  });

  it('an oversize body (300 KB)', async () => {
    const res = await post(`${app.url}/api/messages`, JSON.stringify(message('x'.repeat(300 * 1024))));
    expect(res.status).toBe(413);
    expect(res.text).not.toMatch(INTERNALS);
  });

  it('a 60 KB paste inside the limit is answered with a trimmed card', async () => {
    const res = await post(`${app.url}/api/messages`, message(`${BOX_PASTE}\n${'y'.repeat(60 * 1024)}`, { deliveryMode: 'expectReplies' }));
    expect(res.status).toBe(200);
    const { activities } = res.json() as { activities: { attachments?: { content: unknown }[] }[] };
    // Exactly one card (a loop over the cards would pass on none), and it is the Box diagnosis.
    expect(activities).toHaveLength(1);
    const card = cardIn(activities[0]);
    expect(cardProblems(card)).toEqual([]);
    expect(unescapeDisplay(visibleText(card))).toContain('Box connector: Box no longer accepts the refresh token');
  });
});

describe('health, readiness and metrics', () => {
  it('/healthz and /readyz answer 200 when catalog and store are fine', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { catalog: 'ok', store: 'ok' } });
  });

  it('/readyz answers 503 when a check fails', async () => {
    const server = createServer({
      messages: async () => undefined,
      readiness: { catalog: () => true, store: async () => { throw new Error('SQLITE_CANTOPEN /secret/path'); } },
      metrics: createMetrics(),
      logger: createLogger('silent'),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    const text = await res.text();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(res.status).toBe(503);
    expect(text).not.toContain('/secret/path');
    expect(JSON.parse(text)).toEqual({ status: 'not-ready', failing: ['store'], checks: { catalog: 'ok', store: 'failing' } });
  });

  it('/readyz names a check that hangs as failing, within its time limit', async () => {
    const server = createServer({
      messages: async () => undefined,
      readiness: { catalog: () => true, store: () => new Promise<boolean>(() => undefined) },
      readinessTimeoutMs: 50,
      metrics: createMetrics(),
      logger: createLogger('silent'),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    const body = (await res.json()) as unknown;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(res.status).toBe(503);
    expect(body).toEqual({ status: 'not-ready', failing: ['store'], checks: { catalog: 'ok', store: 'failing' } });
  });

  it('/metrics exposes messages, findings, latency, card actions and escalations', async () => {
    await post(`${app.url}/api/messages`, message(BOX_PASTE, { deliveryMode: 'expectReplies' }));
    const text = await (await fetch(`${app.url}/metrics`)).text();
    expect(text).toMatch(/connector_doctor_messages_received_total\{kind="paste"\} [1-9]/);
    expect(text).toMatch(/connector_doctor_findings_total\{verdict="match"\} [1-9]/);
    expect(text).toMatch(/connector_doctor_match_duration_seconds_count [1-9]/);
    expect(text).toMatch(/connector_doctor_turn_duration_seconds_count\{type="message"\} [1-9]/);
    expect(text).toContain('connector_doctor_escalations_pending');
    expect(text).toContain('connector_doctor_escalations_delivered');
    expect(text).not.toContain('boxjavalibv2');
  });

  it('logs never hold the pasted text', () => {
    expect(app.logs()).not.toContain('boxjavalibv2');
    expect(app.logs()).toContain('paste diagnosed');
  });
});
