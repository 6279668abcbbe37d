// Hostile input around cards, through the real bot over HTTP (start(), local mode): display names
// that look like Markdown links or Teams mentions are shown literally (in TextRuns, which no client
// reads as Markdown, never in a TextBlock or Fact), the escalation note is capped
// and redacted, card data of the wrong type gets a friendly 4xx answer (never a 500), and a button
// for an incident that does not exist (or lives in another conversation) is answered cleanly.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_NOTE_LENGTH } from '../../src/teams/actions/types.js';
import { markdownFields, unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { post, startApp, type RunningApp } from '../helpers/running-bot.js';
import { startTeamsStandIn, type TeamsStandIn } from '../helpers/teams-standin.js';
import { INTERNALS } from './support/http.js';
import { SECRET_PIECES, secretValue } from '../fixtures/secrets/pastes.js';
import { failOnLoggedErrors } from '../helpers/logged-errors.js';

const BOX_ERROR = 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: {"error":"invalid_grant","error_description":"Invalid refresh token"}';
const SUPPORT_CHANNEL = '19:supportDesk@thread.tacv2';
const LINK_NAME = '[click](https://evil.example/steal)';
const MENTION_NAME = '<at>Boss</at>';

type Reply = { type?: string; text?: string; attachments?: { contentType: string; content: unknown }[] };
type InvokeBody = { statusCode: number; type: string; value: unknown };

/** A Markdown link `[..](..)` whose brackets are not escaped: Teams would render it as a link. */
const RENDERED_LINK = /(^|[^\\])\[[^\]]*[^\\]\]\(/;

let app: RunningApp;
let teams: TeamsStandIn;
let people = 0;

function message(text: string | undefined, options: { name?: string; conversationId?: string; conversationType?: string; value?: unknown; channelId?: string } = {}) {
  people += 1;
  const conversationType = options.conversationType ?? 'personal';
  return {
    type: 'message',
    id: `m-${people}`,
    channelId: 'msteams',
    serviceUrl: teams.serviceUrl,
    deliveryMode: 'expectReplies',
    // One person per message: these tests are about card data, not the per-user rate limit.
    from: { id: `29:person-${people}`, name: options.name ?? `Person ${people}`, aadObjectId: `aad-${people}` },
    recipient: { id: '28:connector-doctor', name: 'Connector Doctor' },
    conversation: { id: options.conversationId ?? `a:personal-${people}`, conversationType, tenantId: 'tenant-1', ...(conversationType === 'channel' ? { isGroup: true } : {}) },
    channelData: { tenant: { id: 'tenant-1' }, ...(options.channelId ? { channel: { id: options.channelId }, team: { id: '19:team@thread.tacv2' } } : {}) },
    ...(text === undefined ? {} : { text }),
    ...(options.value === undefined ? {} : { value: options.value }),
  };
}

function invoke(conversationId: string, action: unknown, name = 'Bob Desk') {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `i-${++people}`,
    channelId: 'msteams',
    serviceUrl: teams.serviceUrl,
    from: { id: `29:invoker-${people}`, name, aadObjectId: `aad-invoker-${people}` },
    recipient: { id: '28:connector-doctor', name: 'Connector Doctor' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
    channelData: { tenant: { id: 'tenant-1' } },
    value: { action, trigger: 'manual' },
  };
}

async function send(activity: unknown): Promise<Reply[]> {
  const answer = await post(`${app.url}/api/messages`, activity);
  expect(answer.status).toBe(200);
  return (answer.json() as { activities: Reply[] }).activities;
}

const cardsOf = (replies: Reply[]) =>
  replies.flatMap((r) => r.attachments ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content);

/** Paste the Box error in a fresh personal chat; returns the incident id and its conversation. */
async function openIncident(name?: string): Promise<{ incidentId: string; conversationId: string; card: unknown }> {
  const conversationId = `a:personal-incident-${people + 1}`;
  const replies = await send(message(BOX_ERROR, { name, conversationId }));
  const card = cardsOf(replies)[0];
  const incidentId = /"incidentId":"([^"]+)"/.exec(JSON.stringify(card))?.[1];
  if (!incidentId) throw new Error('no incident card');
  return { incidentId, conversationId, card };
}

/** The support channel card for an incident, as the outbox posts it. */
async function supportPostFor(incidentId: string): Promise<unknown> {
  const call = await teams.next((c) => c.method === 'POST' && c.conversationId === SUPPORT_CHANNEL && JSON.stringify(c.body).includes(incidentId), 15_000);
  return (call.body.attachments as { content: unknown }[])[0]?.content;
}

async function supportCardFor(incidentId: string): Promise<string> {
  return visibleText(await supportPostFor(incidentId));
}

/** Names in a card: only in text no client reads as Markdown, and shown exactly. */
function expectLiteralOnly(card: unknown, ...names: string[]): void {
  const markdown = markdownFields(card).join('\n');
  expect(markdown).not.toMatch(RENDERED_LINK);
  expect(markdown).not.toContain('https://');
  expect(markdown).not.toContain('<at>');
  for (const name of names) expect(visibleText(card)).toContain(name);
}

beforeAll(async () => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  teams = await startTeamsStandIn();
  app = await startApp();
  const done = await send(message('<at>Connector Doctor</at> set support channel', { conversationId: `${SUPPORT_CHANNEL};messageid=1`, conversationType: 'channel', channelId: SUPPORT_CHANNEL }));
  expect(done.map((r) => r.text).join(' ')).toMatch(/escalations will be posted in this channel/);
});

afterAll(async () => {
  await app?.stop();
  await teams?.close();
  vi.restoreAllMocks();
});
failOnLoggedErrors(() => app);

describe('display names are shown as text, never as links or mentions', () => {
  it('a reporter named like a Markdown link appears literally on the incident card', async () => {
    const { card } = await openIncident(LINK_NAME);
    expectLiteralOnly(card, `reported by ${LINK_NAME}`);
  });

  it('someone named <at>Boss</at> escalating shows as that text on both cards, with no mention entity', async () => {
    const { incidentId, conversationId } = await openIncident(LINK_NAME);
    const answer = await post(`${app.url}/api/messages`, invoke(conversationId, { type: 'Action.Execute', verb: 'escalate', data: { incidentId } }, MENTION_NAME));
    expect(answer.status).toBe(200);
    const updated = (answer.json() as InvokeBody).value;
    expectLiteralOnly(updated, `Escalated to support by ${MENTION_NAME}`);
    expect(JSON.stringify(updated)).not.toMatch(/"mention"/);

    const support = await supportPostFor(incidentId);
    expectLiteralOnly(support, `Escalated by ${MENTION_NAME}`, `Reported by ${LINK_NAME}`);
    expect(JSON.stringify(support)).not.toMatch(/"mention"/);
  });

  it('the "support channel set" confirmation does not turn a name into a link or a mention', async () => {
    const replies = await send(
      message('<at>Connector Doctor</at> set support channel', { name: `${LINK_NAME} ${MENTION_NAME}`, conversationId: `${SUPPORT_CHANNEL};messageid=2`, conversationType: 'channel', channelId: SUPPORT_CHANNEL }),
    );
    const text = replies.map((r) => r.text ?? '').join('\n');
    expect(text).toMatch(/escalations will be posted in this channel/);
    // Who typed it is right above in the channel: the name is not echoed at all.
    expect(text).not.toContain('click');
    expect(text).not.toContain('evil');
    expect(text).not.toContain('Boss');
  });
});

describe('the escalation note', () => {
  it('is capped and redacted, however long the text box was', async () => {
    const { incidentId, conversationId } = await openIncident();
    const note = `password=${secretValue('password-pair')} ${'n'.repeat(3 * MAX_NOTE_LENGTH)} ${secretValue('jwt')}`;
    const answer = await post(`${app.url}/api/messages`, invoke(conversationId, { type: 'Action.Execute', verb: 'escalate', data: { incidentId, note } }));
    expect((answer.json() as InvokeBody).statusCode).toBe(200);
    const support = unescapeDisplay(await supportCardFor(incidentId));
    const noteLine = support.split('\n').find((line) => line.startsWith('Note: ')) ?? '';
    expect(noteLine).toMatch(/^Note: password=\[REDACTED\] n+/);
    expect(Array.from(noteLine.slice('Note: '.length)).length).toBeLessThanOrEqual(MAX_NOTE_LENGTH);
    expect(SECRET_PIECES.filter((piece) => support.includes(piece))).toEqual([]);
  });
});

describe('card data of unexpected types', () => {
  const huge = 'x'.repeat(200_000);
  const badActions: [string, unknown][] = [
    ['verb is a number', { type: 'Action.Execute', verb: 42, data: { incidentId: 'abc' } }],
    ['verb is an array', { type: 'Action.Execute', verb: ['escalate'], data: { incidentId: 'abc' } }],
    ['verb is huge', { type: 'Action.Execute', verb: huge, data: { incidentId: 'abc' } }],
    ['data is an array', { type: 'Action.Execute', verb: 'resolve', data: [1, 2, 3] }],
    ['data is a string', { type: 'Action.Execute', verb: 'resolve', data: 'incident' }],
    ['data is null', { type: 'Action.Execute', verb: 'resolve', data: null }],
    ['incidentId is a number', { type: 'Action.Execute', verb: 'resolve', data: { incidentId: 12345 } }],
    ['incidentId is an array', { type: 'Action.Execute', verb: 'resolve', data: { incidentId: ['a', 'b'] } }],
    ['incidentId is an object', { type: 'Action.Execute', verb: 'resolve', data: { incidentId: { $ne: null } } }],
    ['incidentId is huge', { type: 'Action.Execute', verb: 'resolve', data: { incidentId: huge } }],
    ['incidentId is SQL', { type: 'Action.Execute', verb: 'resolve', data: { incidentId: "x' OR '1'='1" } }],
    ['action is a string', 'Action.Execute'],
    ['action is missing its type', { verb: 'resolve', data: { incidentId: 'abc' } }],
  ];

  it.each(badActions)('Action.Execute where %s gets a friendly 400', async (_name, action) => {
    const answer = await post(`${app.url}/api/messages`, invoke('a:personal-nobody', action));
    expect(answer.status).toBe(400);
    const body = answer.json() as InvokeBody;
    expect(body.statusCode).toBe(400);
    expect(body.type).toBe('application/vnd.microsoft.error');
    expect((body.value as { message: string }).message).toMatch(/^[A-Z][^\n]{5,200}$/);
    expect(answer.text).not.toMatch(INTERNALS);
    expect(answer.text.length).toBeLessThan(2000);
  });

  it.each([
    ['a number as verb', { verb: 7, incidentId: 'abc' }],
    ['an array as incident id', { verb: 'resolve', incidentId: [1] }],
    ['a huge incident id', { verb: 'resolve', incidentId: huge }],
    ['a number as note', { verb: 'escalate', incidentId: 'abc', note: 42 }],
  ])('an Action.Submit with %s is told the button did not work', async (_name, value) => {
    const replies = await send(message(undefined, { value }));
    const text = replies.map((r) => r.text ?? '').join('\n');
    expect(text).toMatch(/^That button did not work: /);
    expect(text).not.toMatch(INTERNALS);
    expect(text.length).toBeLessThan(300);
  });

  it('a note that is not text is refused on a real incident, and the incident stays open', async () => {
    const { incidentId, conversationId } = await openIncident();
    for (const note of [42, ['a'], { text: 'hi' }]) {
      const answer = await post(`${app.url}/api/messages`, invoke(conversationId, { type: 'Action.Execute', verb: 'escalate', data: { incidentId, note } }));
      expect(answer.status).toBe(400);
      expect((answer.json() as InvokeBody).value).toMatchObject({ code: 'BadNote', message: 'The note must be text.' });
    }
    const resolved = await post(`${app.url}/api/messages`, invoke(conversationId, { type: 'Action.Execute', verb: 'resolve', data: { incidentId } }));
    expect(unescapeDisplay(visibleText((resolved.json() as InvokeBody).value))).toMatch(/Resolved by/);
  });
});

describe('choosing an app with client-made data', () => {
  it('an app id of the wrong type, huge, or not a candidate of this incident is refused with BadApp', async () => {
    const { incidentId, conversationId } = await openIncident();
    for (const appId of [7, ['box'], 'b'.repeat(150_000), 'okta']) {
      const answer = await post(`${app.url}/api/messages`, invoke(conversationId, { type: 'Action.Execute', verb: 'choose-app', data: { incidentId, appId } }));
      expect(answer.status).toBe(400);
      expect((answer.json() as InvokeBody).value).toMatchObject({ code: 'BadApp' });
      expect(answer.text).not.toMatch(INTERNALS);
    }
  });

  it('a 200 KB note is accepted, and support gets at most the capped note', async () => {
    const { incidentId, conversationId } = await openIncident();
    const answer = await post(`${app.url}/api/messages`, invoke(conversationId, { type: 'Action.Execute', verb: 'escalate', data: { incidentId, note: 'long '.repeat(40_000) } }));
    expect((answer.json() as InvokeBody).statusCode).toBe(200);
    const noteLine = unescapeDisplay(await supportCardFor(incidentId)).split('\n').find((line) => line.startsWith('Note: ')) ?? '';
    expect(noteLine.length - 'Note: '.length).toBeLessThanOrEqual(MAX_NOTE_LENGTH);
    expect(noteLine).toMatch(/^Note: long long/);
  });
});

describe('a button for an incident that is not there', () => {
  it('an unknown incident id is answered 400 "cannot find", not 500', async () => {
    const answer = await post(`${app.url}/api/messages`, invoke('a:personal-nobody', { type: 'Action.Execute', verb: 'resolve', data: { incidentId: 'inc-does-not-exist' } }));
    expect(answer.status).toBe(400);
    expect((answer.json() as InvokeBody).value).toEqual({ code: 'IncidentNotFound', message: 'I cannot find this incident in this conversation.' });
  });

  it('a real incident pressed from another conversation gets the same answer and is not changed', async () => {
    const { incidentId, conversationId } = await openIncident();
    const elsewhere = await post(`${app.url}/api/messages`, invoke('a:personal-someone-else', { type: 'Action.Execute', verb: 'resolve', data: { incidentId } }));
    expect(elsewhere.status).toBe(400);
    expect((elsewhere.json() as InvokeBody).value).toMatchObject({ code: 'IncidentNotFound' });
    // Still open where it lives: resolving there works.
    const here = await post(`${app.url}/api/messages`, invoke(conversationId, { type: 'Action.Execute', verb: 'resolve', data: { incidentId } }));
    expect((here.json() as InvokeBody).statusCode).toBe(200);
  });
});
