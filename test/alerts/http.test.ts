// POST /api/alerts through the real bot (index.ts start(), local mode, SQLite in memory) and the
// Teams stand-in: who may send, each payload shape starting a thread in the alerts channel with
// the diagnosis, no noise on repeats, clears at the source, chatter kept, buttons working on the
// alert's card, and stats and /metrics counting it all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { actionsOf } from '../helpers/adaptive-card-schema.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';
import { post, postRawPath, startApp, type RunningApp } from '../helpers/running-bot.js';
import { startTeamsStandIn, type RecordedCall, type TeamsStandIn } from '../helpers/teams-standin.js';
import { INTERNALS, eventually, pasteExpectingReplies, press, shown } from '../incidents/fixtures/bot-http.js';

const TOKEN = 'alerts-token-0123456789abcdef0123456789abcdef';
const CHANNEL = '19:connector-alerts@thread.tacv2';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/alerts/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

let app: RunningApp;
let teams: TeamsStandIn;

beforeAll(async () => {
  teams = await startTeamsStandIn();
  app = await startApp({ ALERTS_TOKEN: TOKEN, ALERTS_CHANNEL_ID: CHANNEL, ALERTS_SERVICE_URL: teams.serviceUrl, ALERTS_TENANT_ID: 'tenant-alerts' });
});
afterAll(async () => {
  await app?.stop();
  await teams?.close();
});
// A turn, an alert or the outbox that throws is logged, not answered 5xx: fail on the log line.
failOnLoggedErrors(() => app);

const send = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => post(`${app.url}/api/alerts`, body, headers);
const threads = () => teams.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations');
const cardOf = (call: RecordedCall) => {
  const activity = (call.body.activity ?? call.body) as { attachments?: { content: unknown }[] };
  return activity.attachments?.[0]?.content;
};
async function metricValue(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.slice(`${name}${labels} `.length));
}

describe('who may send', () => {
  it('refuses a missing, wrong or malformed token with 401 and one word, before reading anything', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${TOKEN}` }, { authorization: TOKEN }, { authorization: 'Bearer ' }]) {
      const res = await send(fixture('generic'), headers);
      expect(res.status).toBe(401);
      expect(res.text).toBe('Unauthorized');
    }
    // Not JSON and not even read: a stranger is refused before the content is looked at.
    const res = await post(`${app.url}/api/alerts`, 'not json at all', { 'content-type': 'text/plain', authorization: 'Bearer nope' });
    expect(res.status).toBe(401);
    expect(threads()).toHaveLength(0);
    expect(await metricValue('connector_doctor_alert_refusals_total', '{reason="unauthorized"}')).toBe(6);
  });

  // The router decodes percent-escapes and cuts at ';' before it picks a route: whatever spelling
  // reaches the alerts handler must meet the token and the rate limit first.
  const SPELLINGS = ['/api/alerts;x', '/api/alerts;', '/api/%61lerts', '/api/alert%73', '/%61pi/alerts', '/api/alerts%3Bx', '/api%2Falerts', '/api/alerts/', '/API/alerts', '/api/Alerts',
    '/api//alerts', '//api/alerts', '/api/./alerts', '/api/x/../alerts', '/api/alerts?x=1', '/api/alerts%00', '/api/alerts%20', '/api/%2e/alerts'];

  it('every spelling of the path that reaches the alerts handler is refused without the token; none records anything', async () => {
    const before = await metricValue('connector_doctor_alerts_received_total', '{source="generic"}');
    const answers: Record<string, number> = {};
    for (const path of SPELLINGS) {
      const res = await postRawPath(app.url, path, JSON.stringify({ id: `bypass-${path}`, title: 'bypass test' }));
      answers[path] = res.status;
      expect([401, 404], path).toContain(res.status);
    }
    // The two the router is known to send to the handler are refused by the token check itself.
    expect(answers['/api/alerts;x']).toBe(401);
    expect(answers['/api/%61lerts']).toBe(401);
    expect(await metricValue('connector_doctor_alerts_received_total', '{source="generic"}')).toBe(before);
    expect(threads()).toHaveLength(0);
  });

  it('with the token, a spelling the router sends to the handler is read as usual (the check is the same, not a block list)', async () => {
    const res = await postRawPath(app.url, '/api/%61lerts', 'not json', { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(415);
    expect(JSON.parse(res.text)).toEqual({ code: 'UnsupportedMediaType', message: 'Send the alert as application/json.' });
  });

  it('/api/messages: every spelling is refused a form or text body the same way (415 or no route)', async () => {
    for (const path of ['/api/messages', ...SPELLINGS.map((p) => p.replace(/alerts/i, (w) => (w === 'Alerts' ? 'Messages' : 'messages')).replace('alert%73', 'message%73').replace('%61lerts', '%6dessages'))]) {
      const res = await postRawPath(app.url, path, 'type=message&text=help', { 'content-type': 'application/x-www-form-urlencoded' });
      expect([404, 415], path).toContain(res.status);
    }
  });

  it('with the token: JSON only, 256 KB at most, an unknown shape told what is expected', async () => {
    const refusals = async () => {
      const out: Record<string, number> = {};
      for (const reason of ['invalid', 'unsupported-media-type', 'too-large']) out[reason] = await metricValue('connector_doctor_alert_refusals_total', `{reason="${reason}"}`);
      return out;
    };
    const before = await refusals();
    expect((await post(`${app.url}/api/alerts`, 'id=1&title=x', { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${TOKEN}` })).status).toBe(415);
    expect((await send('{"id": ')).status).toBe(400);
    const big = await send({ id: 'big', title: 'x', description: 'y'.repeat(300 * 1024) });
    expect(big.status).toBe(413);
    const unknown = await send({ hello: 'world' });
    expect(unknown.status).toBe(400);
    expect((unknown.json() as { message: string }).message).toMatch(/Expected one alert as JSON/);
    const badLink = await send({ id: 'l1', title: 'Box failed', link: 'javascript:alert(1)' });
    expect((badLink.json() as { message: string }).message).toBe('"link" must be an https:// URL.');
    for (const res of [unknown, badLink]) expect(res.text).not.toMatch(INTERNALS);
    // Every refusal is counted with its reason: the unreadable body too, and 415 and 413.
    const after = await refusals();
    expect(Object.fromEntries(Object.entries(after).map(([reason, n]) => [reason, n - (before[reason] ?? 0)]))).toEqual({ invalid: 3, 'unsupported-media-type': 1, 'too-large': 1 });
  });
});

describe('alerts in, cards out', () => {
  let sentinelIncident: string;
  let sentinelThread: RecordedCall;

  it('a generic alert: 202 with the incident id, and a new thread in the alerts channel naming the app and the fix', async () => {
    const res = await send(fixture('generic'));
    expect(res.status).toBe(202);
    const body = res.json() as { incidentId: string; outcome: string; state: string };
    expect(body).toMatchObject({ outcome: 'opened', state: 'open' });
    const thread = await teams.next((c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes(body.incidentId));
    expect(thread.body).toMatchObject({ isGroup: true, channelData: { channel: { id: CHANNEL }, tenant: { id: 'tenant-alerts' } }, tenantId: 'tenant-alerts' });
    const text = shown(cardOf(thread));
    expect(text).toContain('Okta connector: ');
    expect(text).toContain('How to fix it');
    expect(text).toContain('⚐ Alert: Okta connector failed');
  });

  it('a Sentinel incident (the Logic App trigger body): the app from its entities, the fix, and a way back to Sentinel', async () => {
    const res = await send(fixture('sentinel-incident'));
    expect(res.status).toBe(202);
    sentinelIncident = (res.json() as { incidentId: string }).incidentId;
    sentinelThread = await teams.next((c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes(sentinelIncident));
    const card = cardOf(sentinelThread);
    expect(shown(card)).toContain('Box connector: ');
    expect(shown(card)).toContain('⚐ Alert from Microsoft Sentinel: System alert app connector error');
    expect(shown(card)).toContain('reported by Microsoft Sentinel');
    expect(JSON.stringify(card)).toContain('"title":"Open in Microsoft Sentinel"');
  });

  it('a Defender for Cloud Apps alert as its API returns it: the app from its service entity', async () => {
    const res = await send(fixture('mdca-alert'));
    expect(res.status).toBe(202);
    const { incidentId } = res.json() as { incidentId: string };
    const thread = await teams.next((c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes(incidentId));
    expect(shown(cardOf(thread))).toContain('Salesforce connector: ');
    expect(shown(cardOf(thread))).toContain('⚐ Alert from Defender for Cloud Apps: System alert app connector error');
  });

  it('the same alert again: no new thread; the card is updated in place with the count', async () => {
    const before = threads().length;
    const again = await send(fixture('sentinel-incident'));
    expect(again.status).toBe(202);
    expect(again.json()).toMatchObject({ incidentId: sentinelIncident, outcome: 'repeated' });
    const threadId = `${CHANNEL};messageid=${sentinelThread.activityId}`;
    const update = await teams.next((c) => c.method === 'PUT' && c.conversationId === threadId && c.activityId === sentinelThread.activityId);
    expect(shown((update.body.attachments as { content: unknown }[])[0]?.content)).toMatch(/↻ Seen 2 times, last /);
    // Re-rendered outside a turn, it offers what the posted card offered (no support destination is
    // set here: Escalate explains how to set one up), not a note form with nowhere to send it.
    const buttons = (card: unknown) => actionsOf(card).map((a) => `${a.verb ?? ''}:${a.title}`);
    expect(buttons((update.body.attachments as { content: unknown }[])[0]?.content)).toEqual(buttons(cardOf(sentinelThread)));
    expect(threads()).toHaveLength(before);
  });

  it('resolved at the source: the card says so and, since nobody acted, the incident is resolved', async () => {
    const closed = fixture('sentinel-incident');
    ((closed.object as Record<string, unknown>).properties as Record<string, unknown>).status = 'Closed';
    const res = await send(closed);
    expect(res.json()).toMatchObject({ incidentId: sentinelIncident, outcome: 'cleared', state: 'resolved' });
    const update = await teams.next((c) => c.method === 'PUT' && shown((c.body.attachments as { content: unknown }[] | undefined)?.[0]?.content).includes('Cleared at the source'));
    const text = shown((update.body.attachments as { content: unknown }[])[0]?.content);
    expect(text).toContain('✔ Resolved by Microsoft Sentinel');
    expect(text).toMatch(/✓ Cleared at the source at /);
  });

  it('chatter, or an alert with no error text, is kept and posted as an alert without a recognisable connector error', async () => {
    const res = await send({ id: 'test-ping-1', title: 'Test alert from the Logic App', description: 'Please ignore, checking the flow.' });
    expect(res.status).toBe(202);
    const { incidentId } = res.json() as { incidentId: string };
    const thread = await teams.next((c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes(incidentId));
    expect(shown(cardOf(thread))).toContain('Alert without a recognisable connector error');
    expect(shown(cardOf(thread))).toContain('Test alert from the Logic App');
  });

  it("Mark resolved works on an alert's card in its thread, and the card says who", async () => {
    const res = await send({ id: 'zendesk-1', title: 'Zendesk connector error', description: 'Zendesk: 401 Unauthorized, Couldn\'t authenticate you', app: 'Zendesk' });
    const { incidentId } = res.json() as { incidentId: string };
    const thread = await teams.next((c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes(incidentId));
    // Teams delivers presses on a channel post with the thread's conversation id.
    const where = { conversationId: `${CHANNEL};messageid=${thread.activityId}`, serviceUrl: teams.serviceUrl };
    const answer = await press(app.url, 'resolve', { verb: 'resolve', incidentId }, where);
    expect(answer.status).toBe(200);
    expect(shown(answer.card)).toMatch(/✔ Resolved by Bob Desk/);
    // From anywhere else it is "no such incident".
    const elsewhere = await press(app.url, 'resolve', { verb: 'resolve', incidentId }, { conversationId: 'a:some-chat', serviceUrl: teams.serviceUrl });
    expect(elsewhere.status).toBe(400);
  });

  it('stats and /metrics count alerts received, deduplicated, posted and cleared', async () => {
    await eventually('every card to be posted', async () => (await metricValue('connector_doctor_alerts_posted_total')) === 5);
    expect(await metricValue('connector_doctor_alerts_received_total', '{source="sentinel"}')).toBe(3);
    expect(await metricValue('connector_doctor_alerts_received_total', '{source="generic"}')).toBe(3);
    expect(await metricValue('connector_doctor_alerts_received_total', '{source="mdca"}')).toBe(1);
    expect(await metricValue('connector_doctor_alerts_deduplicated_total')).toBe(1);
    expect(await metricValue('connector_doctor_alerts_cleared_total')).toBe(1);
    // Card posts are not escalations.
    expect(await metricValue('connector_doctor_escalations_delivered')).toBe(0);
    const [stats] = await pasteExpectingReplies(app.url, 'stats', { conversationId: 'a:stats-chat' });
    expect(shown(stats)).toContain('Alerts in the last 30 days: 7 received, 1 deduplicated, 5 posted, 1 cleared at the source');
  });

});

describe('set alerts channel', () => {
  it('typed in a channel thread wins over ALERTS_CHANNEL_ID: the next alert starts its thread in that channel', async () => {
    const channelMessage = fixture('../activities/channel-mention');
    const set = await post(`${app.url}/api/messages`, { ...channelMessage, id: 'set-alerts-1', text: '<at>Connector Doctor</at> set alerts channel', attachments: [], serviceUrl: teams.serviceUrl });
    expect(set.status).toBe(200);
    const confirmation = await teams.next((c) => c.method === 'POST' && c.conversationId === '19:opsChannelExample@thread.tacv2;messageid=1764585060000');
    expect(JSON.stringify(confirmation.body)).toContain('each new connector alert will start a thread in this channel');
    const res = await send({ id: 'after-set-1', title: 'Google Workspace connector failed', description: 'GoogleJsonResponseException: 403 Forbidden', app: 'Google Workspace' });
    expect(res.json()).toMatchObject({ outcome: 'opened' });
    const { incidentId } = res.json() as { incidentId: string };
    const thread = await teams.next((c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes(incidentId));
    expect(thread.conversationId).toBe('19:opsChannelExample@thread.tacv2');
  });
});

describe('rate', () => {
  it('a burst beyond the rate of one token gets 429 with Retry-After, and nothing is recorded for it', async () => {
    let refused: { status: number; retryAfter: string | null; text: string } | undefined;
    for (let i = 0; i < 80 && !refused; i += 1) {
      const res = await fetch(`${app.url}/api/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: '{}' });
      const text = await res.text();
      if (res.status === 429) refused = { status: res.status, retryAfter: res.headers.get('retry-after'), text };
      else expect(res.status).toBe(400);
    }
    expect(refused?.status).toBe(429);
    expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((JSON.parse(refused!.text) as { message: string }).message).toMatch(/^Too many alerts at once\. Send again in \d+ s\.$/);
    expect(await metricValue('connector_doctor_alert_refusals_total', '{reason="rate-limited"}')).toBe(1);
  });
});

describe('a card that could not be posted', () => {
  it('Teams refused it (403: the bot was removed from the team): counted, and the next alert of that error posts it', async () => {
    const refusing = await startTeamsStandIn();
    const other = await startApp({ ALERTS_TOKEN: TOKEN, ALERTS_CHANNEL_ID: CHANNEL, ALERTS_SERVICE_URL: refusing.serviceUrl });
    const metric = async (name: string) => Number(/^(\S+) (\d+)$/m.exec((await (await fetch(`${other.url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${name} `)) ?? '')?.[2] ?? 0);
    try {
      refusing.refuseWith = 403;
      const okta = { title: 'Okta connector failed', description: 'Okta connector error: HttpRequestFailure: Server returned: 401 Unauthorized', app: 'Okta' };
      const first = await post(`${other.url}/api/alerts`, { id: 'okta-a', ...okta }, { authorization: `Bearer ${TOKEN}` });
      const { incidentId } = first.json() as { incidentId: string };
      await eventually('the post to be given up', async () => (await metric('connector_doctor_alert_posts_failed_total')) === 1);
      expect(other.logs()).toContain('an alert card could not be posted in the alerts channel');
      // Teams takes the bot back; a new alert of the same app and error is counted on the incident, and its card goes out.
      refusing.refuseWith = undefined;
      const later = await post(`${other.url}/api/alerts`, { id: 'okta-b', ...okta }, { authorization: `Bearer ${TOKEN}` });
      expect(later.json()).toMatchObject({ incidentId, outcome: 'repeated' });
      const thread = await refusing.next((c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes(incidentId));
      expect(shown(cardOf(thread))).toMatch(/↻ Seen 2 times/);
      await eventually('the card to be counted as posted', async () => (await metric('connector_doctor_alerts_posted_total')) === 1);
    } finally {
      await other.stop();
      await refusing.close();
    }
  });

  it('ALERTS_TOKEN without an alerts channel: said at start-up and in /readyz, which stays ready', async () => {
    const waiting = await startApp({ ALERTS_TOKEN: TOKEN });
    try {
      expect(waiting.logs()).toContain('alerts are accepted but no alerts channel is set');
      const ready = await fetch(`${waiting.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { notices?: { alerts?: string } }).notices?.alerts).toMatch(/^no alerts channel is set: /);
    } finally {
      await waiting.stop();
    }
  });
});

describe('without ALERTS_TOKEN', () => {
  it('there is no /api/alerts (404)', async () => {
    const plain = await startApp();
    try {
      const res = await post(`${plain.url}/api/alerts`, fixture('generic'), { authorization: `Bearer ${TOKEN}` });
      expect(res.status).toBe(404);
      for (const path of ['/api/alerts;x', '/api/%61lerts', '/api/alerts/']) expect((await postRawPath(plain.url, path, '{}')).status, path).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});
