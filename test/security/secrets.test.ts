// Secrets never leak at any exit. The real bot (src/index.ts start(), local mode, SQLite file in a
// temp dir, support webhook and Teams on loopback) is given a paste full of fake secrets in a
// personal chat and as a channel @mention, in the HTML Teams delivers; it diagnoses, escalates with
// a note holding more secrets, delivers to the webhook and the support channel, answers stats,
// search and the no-match path. Then every reply, card, invoke answer, webhook body and header,
// log line, database byte and the /metrics text is searched for every distinctive piece of every
// secret.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_NOTE_LENGTH } from '../../src/teams/actions/types.js';
import { startApp } from '../helpers/running-bot.js';
import { unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { startTeamsStandIn, startWebhookReceiver, type TeamsStandIn } from '../helpers/teams-standin.js';
import { SECRETS, SECRET_PIECES, escapeHtml, plainPaste, secretLines, secretValue, teamsHtmlPaste } from '../fixtures/secrets/pastes.js';
import { redact } from '../../src/core/redact.js';
import { channelClaims, generateSigningKey, loopbackAuthConfig, signToken, startOpenIdServer, TEAMS_SERVICE_URL, TEST_APP_ID } from './support/openid.js';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/activities/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

const WEBHOOK_SECRET = 'WebhookSigningKeyCanary0123456789';
const SUPPORT_CHANNEL = '19:supportDesk@thread.tacv2';
const OPS_THREAD = '19:opsChannelExample@thread.tacv2;messageid=1764585060000';

/** One person per message: the test exercises exits, not the per-user rate limit. */
function person(n: number) {
  return { id: `29:person-${n}`, name: `Person ${n}`, aadObjectId: `aad-person-${n}` };
}

/** Teams' HTML body travels twice: in `text` and as a text/html attachment. */
function personalMessage(n: number, html: string, expectReplies: boolean, serviceUrl: string): Record<string, unknown> {
  const activity = fixture('personal-message.json');
  return {
    ...activity,
    id: `msg-${n}`,
    serviceUrl,
    from: person(n),
    conversation: { conversationType: 'personal', tenantId: 'tenant-1', id: `a:personal-${n}` },
    text: html,
    attachments: [{ contentType: 'text/html', content: html }],
    ...(expectReplies ? { deliveryMode: 'expectReplies' } : {}),
  };
}

function channelMention(n: number, html: string, conversationId: string, channelId: string, serviceUrl: string): Record<string, unknown> {
  const activity = fixture('channel-mention.json');
  return {
    ...activity,
    id: `msg-${n}`,
    serviceUrl,
    from: person(n),
    text: `<at>Connector Doctor</at> ${html}`,
    attachments: [{ contentType: 'text/html', content: `<div><div><span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">Connector Doctor</span>&nbsp;${html}</div></div>` }],
    conversation: { isGroup: true, conversationType: 'channel', tenantId: 'tenant-1', id: conversationId },
    channelData: { tenant: { id: 'tenant-1' }, team: { id: '19:teamExample@thread.tacv2' }, channel: { id: channelId } },
  };
}

/** A note typed into the card: secrets, and a JWT the 500-character cap would cut in half. */
function escalationNote(): string {
  const jwt = secretValue('jwt');
  const opening = `Customer is waiting. They sent me Bearer ${secretValue('bearer')} and client_secret=${secretValue('client-secret-pair')}. `;
  // Place the JWT so the cap falls inside its second segment: a cut token no longer looks like a JWT.
  const cutInside = jwt.indexOf('.') + 12;
  const filler = 'x'.repeat(MAX_NOTE_LENGTH - cutInside - opening.length - 1);
  return `${opening}${filler} ${jwt} and more after the cap`;
}

const cardIncidentId = (card: unknown): string => {
  const found = /"incidentId":"([^"]+)"/.exec(JSON.stringify(card));
  if (!found?.[1]) throw new Error('card carries no incident id');
  return found[1];
};

/** Cards escape Markdown (`\.`, `\_`) and break URLs with a zero-width joiner; look through both. */
const unescaped = (text: string): string => text.replace(/\\/g, '').replace(/\u200D/g, '');

function leaksIn(text: string, pieces: string[]): string[] {
  const plain = unescaped(text);
  return pieces.filter((piece) => text.includes(piece) || plain.includes(piece));
}

describe('secrets never leave the bot', () => {
  let dataDir: string;
  let teams: TeamsStandIn;
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let baseUrl: string;
  let stop: () => Promise<void>;
  let logs: () => string = () => '';
  const consoleText: string[] = [];
  /** Every HTTP answer body the bot gave: expectReplies activities and invoke answers. */
  const answers: string[] = [];

  async function post(activity: Record<string, unknown>): Promise<{ status: number; text: string }> {
    const res = await fetch(`${baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    answers.push(text);
    return { status: res.status, text };
  }

  type Reply = { type?: string; text?: string; attachments?: { contentType: string; content: unknown }[] };
  const repliesOf = (text: string): Reply[] => (JSON.parse(text) as { activities: Reply[] }).activities;
  const cardsOf = (replies: Reply[]) => replies.flatMap((r) => r.attachments ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content);

  beforeAll(async () => {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleText.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack ?? ''}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      });
    }
    dataDir = mkdtempSync(join(tmpdir(), 'cd-secrets-'));
    teams = await startTeamsStandIn();
    webhook = await startWebhookReceiver();
    const app = await startApp({
      DATABASE_URL: `sqlite:${join(dataDir, 'bot.db')}`,
      LOG_LEVEL: 'trace',
      SUPPORT_WEBHOOK_URL: webhook.url,
      SUPPORT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    stop = app.stop;
    logs = app.logs;
    baseUrl = app.url;
  });

  afterAll(async () => {
    await stop?.();
    await teams?.close();
    await webhook?.close();
    rmSync(dataDir, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('the fixture paste really holds every kind of secret the core redacts', () => {
    // Every piece searched for at the exits is in the paste (the PEM block is pasted indented, as YAML).
    for (const s of SECRETS) for (const piece of s.pieces) expect(plainPaste()).toContain(piece);
    expect(SECRETS.map((s) => s.kind)).toEqual(expect.arrayContaining(['jwt', 'bearer', 'aad-refresh', 'client-secret', 'google-refresh', 'google-access', 'okta', 'salesforce', 'url-password', 'password-pair', 'client-secret-pair', 'json-password']));
    // One sample of each class of issue 15: shapes, URLs, PEM, command lines, assignments, key names, glued, headers.
    expect(SECRETS.map((s) => s.kind)).toEqual(expect.arrayContaining(['aws-key-in-s3-error', 'token-in-git-url', 'slack-webhook', 'pem-in-yaml', 'curl-user', 'assignment', 'key-name', 'glued', 'header-before-url']));
    expect(teamsHtmlPaste()).toContain('&quot;password&quot;');
    expect(escalationNote().length).toBeGreaterThan(MAX_NOTE_LENGTH);
  });

  let personalIncident = '';
  let channelIncident = '';
  let channelCardId = '';

  it('a support channel is set with `set support channel` in a channel', async () => {
    const answer = await post(channelMention(1, 'set support channel', SUPPORT_CHANNEL, SUPPORT_CHANNEL, teams.serviceUrl));
    expect(answer.status).toBe(200);
    const done = await teams.next((c) => c.method === 'POST' && c.conversationId === SUPPORT_CHANNEL);
    expect(String(done.body.text)).toMatch(/escalations will be posted in this channel/);
  });

  it('diagnoses the paste in a personal chat (expectReplies), and the card says which secrets were removed', async () => {
    const answer = await post(personalMessage(2, teamsHtmlPaste(), true, teams.serviceUrl));
    expect(answer.status).toBe(200);
    const replies = repliesOf(answer.text);
    const cards = cardsOf(replies);
    expect(JSON.stringify(cards)).toMatch(/Box connector: /);
    const shownFirst = unescapeDisplay(visibleText(cards[0]));
    expect(shownFirst).toContain('21 secrets removed (an Authorization header, a JSON Web Token, a Microsoft Entra refresh token, ');
    expect(shownFirst).toContain('Your message above still shows them: delete it and rotate those credentials.');
    personalIncident = cardIncidentId(cards[0]);
  });

  it('diagnoses the same paste as a channel @mention (replies through serviceUrl)', async () => {
    const answer = await post(channelMention(3, teamsHtmlPaste(), OPS_THREAD, '19:opsChannelExample@thread.tacv2', teams.serviceUrl));
    expect(answer.status).toBe(200);
    const cardPost = await teams.next((c) => c.method === 'POST' && c.conversationId === OPS_THREAD && Array.isArray(c.body.attachments));
    expect(JSON.stringify(cardPost.body)).toMatch(/Box connector: /);
    expect(unescapeDisplay(visibleText((cardPost.body.attachments as { content: unknown }[])[0]?.content))).toContain('21 secrets removed (an Authorization header');
    channelIncident = cardIncidentId((cardPost.body.attachments as { content: unknown }[])[0]?.content);
    channelCardId = String(cardPost.body.id ?? '');
  });

  it('escalates the personal incident with Action.Execute and a note full of secrets', async () => {
    const invoke = fixture('invoke-action-execute.json');
    const answer = await post({
      ...invoke,
      serviceUrl: teams.serviceUrl,
      from: person(4),
      conversation: { conversationType: 'personal', tenantId: 'tenant-1', id: 'a:personal-2' },
      replyToId: 'card-in-personal-chat',
      channelData: { tenant: { id: 'tenant-1' }, source: { name: 'message' }, legacy: { replyToId: 'card-in-personal-chat' } },
      value: { action: { type: 'Action.Execute', title: 'Send to support', verb: 'escalate', data: { incidentId: personalIncident, note: escalationNote() } }, trigger: 'manual' },
    });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { statusCode: number; value: unknown };
    expect(body.statusCode).toBe(200);
    expect(unescapeDisplay(visibleText(body.value))).toContain('✉ Escalated to support by Person 4');
  });

  it('escalates the channel incident with the Action.Submit fallback and a note', async () => {
    const submit = channelMention(5, '', OPS_THREAD, '19:opsChannelExample@thread.tacv2', teams.serviceUrl);
    const answer = await post({
      ...submit,
      text: undefined,
      attachments: undefined,
      entities: undefined,
      replyToId: channelCardId || undefined,
      value: { verb: 'escalate', incidentId: channelIncident, note: `Please call me. SSWS ${secretValue('okta')} proxy https://svc:${secretValue('url-password')}@proxy.example` },
    });
    expect(answer.status).toBe(200);
  });

  it('the outbox delivers both escalations to the webhook and to the support channel', async () => {
    await vi.waitFor(() => expect(webhook.received.length).toBeGreaterThanOrEqual(2), { timeout: 15_000, interval: 50 });
    const posted = () => teams.calls.filter((c) => c.method === 'POST' && c.conversationId === SUPPORT_CHANNEL && Array.isArray(c.body.attachments));
    await vi.waitFor(() => expect(posted().length).toBeGreaterThanOrEqual(2), { timeout: 15_000, interval: 50 });
    const notes = webhook.received.map((r) => (r.body as { escalation?: { note?: string } }).escalation?.note ?? '');
    expect(notes.join('\n')).toMatch(/Customer is waiting/);
    expect(notes.join('\n')).toMatch(/Please call me/);
    expect(JSON.stringify(posted().map((c) => c.body))).toMatch(/Customer is waiting/);
    // The channel card is refreshed in place once support has it.
    await teams.next((c) => c.method === 'PUT' && c.conversationId === OPS_THREAD && /· delivered/.test(JSON.stringify(c.body)), 15_000);
  });

  it('stats, search with a secret as words, and the no-match path answer without echoing secrets', async () => {
    const stats = await post(personalMessage(6, 'stats', true, teams.serviceUrl));
    expect(JSON.stringify(cardsOf(repliesOf(stats.text)))).toMatch(/escalated|Escalat/i);

    const searchJwtish = await post(personalMessage(7, `search ${secretValue('google-access')}`, true, teams.serviceUrl));
    expect(cardsOf(repliesOf(searchJwtish.text))).toHaveLength(1);
    const searchPair = await post(personalMessage(8, `search password=${secretValue('password-pair')}`, true, teams.serviceUrl));
    expect(cardsOf(repliesOf(searchPair.text))).toHaveLength(1);
    const searchSf = await post(personalMessage(9, `search ${secretValue('salesforce')}`, false, teams.serviceUrl));
    expect(searchSf.status).toBe(200);

    // An error the catalog does not know, with every secret again: the no-match card lists what it understood.
    const unknown = ['Error: HTTP 503 from api.frobnicator.example while syncing', ...secretLines()].map((line) => `<p>${escapeHtml(line)}</p>`).join('');
    const noMatch = await post(personalMessage(10, unknown, true, teams.serviceUrl));
    const cards = cardsOf(repliesOf(noMatch.text));
    expect(JSON.stringify(cards)).toMatch(/frobnicator/);
    expect(JSON.stringify(cards)).toMatch(/REDACTED/);
  });

  it('no reply, card, invoke answer, webhook body or header, log line, database byte or metric holds any secret', async () => {
    const pieces = [...SECRET_PIECES, WEBHOOK_SECRET];
    // Sanity: the pieces are there to be found when they are leaked.
    expect(leaksIn(plainPaste(), pieces).length).toBeGreaterThanOrEqual(SECRETS.length);

    const metrics = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text());
    expect(metrics).toMatch(/connector_doctor_messages_received_total/);

    const exits: Record<string, string> = {
      'HTTP answers (expectReplies, invoke answers)': answers.join('\n'),
      'Teams stand-in (replies, cards, updates)': JSON.stringify(teams.calls),
      'webhook bodies': JSON.stringify(webhook.received.map((r) => r.body)),
      'webhook headers': JSON.stringify(webhook.received.map((r) => r.headers)),
      logs: logs(),
      console: consoleText.join('\n'),
      '/metrics': metrics,
    };
    expect(answers.length).toBeGreaterThanOrEqual(10);
    expect(teams.calls.length).toBeGreaterThanOrEqual(6);
    expect(logs().split('\n').length).toBeGreaterThan(10);

    const readDb = (label: string) => {
      const files = readdirSync(dataDir);
      for (const file of files) exits[`${label} ${file}`] = readFileSync(join(dataDir, file)).toString('latin1');
      return files;
    };
    // While running (the WAL holds recent writes), and after a clean stop (checkpointed into the .db).
    expect(readDb('running')).toEqual(expect.arrayContaining(['bot.db', 'bot.db-wal', 'bot.db-shm']));
    await stop();
    readDb('stopped');
    // The database really holds the incidents (the search is not vacuous).
    expect(Object.entries(exits).filter(([k]) => k.startsWith('stopped')).map(([, v]) => v).join('')).toMatch(/AuthFatalFailureException/);

    const leaks = Object.entries(exits).flatMap(([exit, text]) => leaksIn(text, pieces).map((piece) => `${exit}: ${piece}`));
    expect(leaks).toEqual([]);
  });
});

describe('long credentials are redacted whole, not just their first kilobytes', () => {
  const tail = 'LongCredentialTailCanary';
  const long = `${'PHNhbWw6QXNzZXJ0aW9u'.repeat(600)}${tail}`;
  it.each([
    ['a SAML assertion in a form', `grant_type=saml2-bearer&assertion=${long}&scope=openid`],
    ['a JSON client assertion', `{"client_assertion": "${long}", "client_id": "abc"}`],
    ['an Authorization header', `Authorization: Basic ${long}\nHost: example.com`],
  ])('%s', (_name, text) => {
    const out = redact(text).text;
    expect(out).not.toContain(tail);
    expect(out).not.toContain('PHNhbWw6QXNzZXJ0aW9u');
    expect(out).toContain('[REDACTED]');
  });
});

describe('with authentication on, the bot\'s own credentials and the callers\' tokens stay out too', () => {
  it('neither the app password nor a genuine or forged Teams token reaches answers, logs, the database or /metrics', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const appPassword = 'AppPasswordCanary~0123456789abcdef';
    const key = generateSigningKey('teams-1', { endorsements: ['msteams'] });
    const openId = await startOpenIdServer([key.jwk]);
    const dataDir = mkdtempSync(join(tmpdir(), 'cd-secrets-auth-'));
    const running = await startApp({
      DATABASE_URL: `sqlite:${join(dataDir, 'bot.db')}`, LOG_LEVEL: 'trace',
      ...loopbackAuthConfig(openId.metadataUrl), MicrosoftAppPassword: appPassword,
    });
    const url = running.url;
    try {
      const genuine = signToken(key, channelClaims());
      const forged = signToken(generateSigningKey('teams-1'), channelClaims());
      const activity = (id: string) => ({
        type: 'message', id, channelId: 'msteams', serviceUrl: TEAMS_SERVICE_URL, deliveryMode: 'expectReplies',
        from: { id: `29:${id}`, name: 'Ada' }, recipient: { id: `28:${TEST_APP_ID}`, name: 'Connector Doctor' },
        conversation: { id: `a:${id}`, conversationType: 'personal', tenantId: 'tenant-1' },
        text: plainPaste(),
      });
      const answers: string[] = [];
      for (const [id, token] of [['genuine', genuine], ['forged', forged]] as const) {
        const res = await fetch(`${url}/api/messages`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(activity(id)), signal: AbortSignal.timeout(15_000),
        });
        answers.push(`${res.status} ${await res.text()}`);
      }
      expect(answers[0]).toMatch(/^200 .*Box connector: /);
      expect(answers[1]).toMatch(/^401 /);
      for (const path of ['/metrics', '/readyz', '/healthz']) answers.push(await fetch(`${url}${path}`).then((r) => r.text()));
      await running.stop();
      const dbBytes = readdirSync(dataDir).map((file) => readFileSync(join(dataDir, file)).toString('latin1')).join('\n');
      const tokenPieces = [genuine, forged].flatMap((token) => token.split('.').slice(1));
      const pieces = [...SECRET_PIECES, appPassword, 'AppPasswordCanary', ...tokenPieces];
      const leaks = Object.entries({ answers: answers.join('\n'), logs: running.logs(), database: dbBytes }).flatMap(([exit, text]) => leaksIn(text, pieces).map((piece) => `${exit}: ${piece.slice(0, 24)}`));
      expect(leaks).toEqual([]);
    } finally {
      await running.stop();
      await openId.close();
      rmSync(dataDir, { recursive: true, force: true });
      vi.restoreAllMocks();
    }
  });
});
