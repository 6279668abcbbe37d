// Only Teams gets in, proven over real HTTP: the bot's server on a random loopback port with
// MicrosoftAppId set and the ToBotFromChannel* keys pointed at a loopback OpenID server.
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  channelClaims as claims,
  generateSigningKey,
  hmacWithPublicKey,
  loopbackAuthConfig as configFor,
  refusingHost,
  signToken,
  silentHost,
  startOpenIdServer,
  TEAMS_SERVICE_URL as SERVICE_URL,
  TEST_APP_ID as APP_ID,
  unsignedToken,
  type OpenIdServer,
  type TestSigningKey,
} from './support/openid.js';
import { unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { INTERNALS, postActivity, startBot, type RunningBot } from './support/http.js';

const message = {
  type: 'message',
  id: 'msg-1',
  channelId: 'msteams',
  serviceUrl: SERVICE_URL,
  deliveryMode: 'expectReplies',
  from: { id: '29:1ada', name: 'Ada Ops', aadObjectId: '00000000-0000-0000-0000-00000000ada1' },
  recipient: { id: `28:${APP_ID}`, name: 'Connector Doctor' },
  conversation: { id: 'a:1personal', conversationType: 'personal', tenantId: '00000000-0000-0000-0000-0000000000t1' },
  text: 'Box: Invalid refresh token',
};

describe('POST /api/messages with authentication on', () => {
  let key: TestSigningKey;
  let openId: OpenIdServer;
  let bot: RunningBot;

  beforeAll(async () => {
    // CloudAdapter prints each refusal with console.error; the assertions below are on what callers see.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    key = generateSigningKey('teams-1', { endorsements: ['msteams'] });
    openId = await startOpenIdServer([key.jwk]);
    bot = await startBot(configFor(openId.metadataUrl));
  });
  afterAll(async () => {
    await bot.close();
    await openId.close();
    vi.restoreAllMocks();
  });

  it('answers a genuine Teams token end to end (expectReplies)', async () => {
    const answer = await postActivity(bot, message, { authorization: `Bearer ${signToken(key, claims())}` });
    expect(answer.status).toBe(200);
    const { activities } = JSON.parse(answer.text) as { activities: Array<{ type: string; attachments?: Array<{ contentType: string; content: unknown }> }> };
    // The paste was diagnosed: one reply, the Box refresh-token card (a no-match card would echo "Box").
    expect(activities).toHaveLength(1);
    const card = activities[0]!.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
    expect(unescapeDisplay(visibleText(card?.content))).toContain('Box connector: Box no longer accepts the refresh token');
  });

  const stranger = generateSigningKey('teams-1');
  const forgeries: Array<[string, () => Record<string, string>]> = [
    ['no Authorization header', () => ({})],
    ['garbage', () => ({ authorization: 'Bearer not.a.jwt' })],
    ['an unsigned token (alg none)', () => ({ authorization: `Bearer ${unsignedToken(claims(), 'teams-1')}` })],
    ['HS256 keyed with the public key', () => ({ authorization: `Bearer ${hmacWithPublicKey(key, claims())}` })],
    ['a token signed by another key', () => ({ authorization: `Bearer ${signToken(stranger, claims())}` })],
    ['an unknown key id', () => ({ authorization: `Bearer ${signToken({ ...stranger, kid: 'unknown' }, claims())}` })],
    ['the wrong audience', () => ({ authorization: `Bearer ${signToken(key, claims({ aud: 'someone-else' }))}` })],
    ['the wrong issuer', () => ({ authorization: `Bearer ${signToken(key, claims({ iss: 'https://evil.example' }))}` })],
    ['an expired token', () => ({ authorization: `Bearer ${signToken(key, claims({ exp: Math.floor(Date.now() / 1000) - 7200 }))}` })],
    ['a token not yet valid', () => ({ authorization: `Bearer ${signToken(key, claims({ nbf: Math.floor(Date.now() / 1000) + 7200 }))}` })],
    ['a serviceUrl claim for another service', () => ({ authorization: `Bearer ${signToken(key, claims({ serviceurl: 'https://evil.example/' }))}` })],
  ];

  it.each(forgeries)('refuses %s with 401 and a generic body', async (_name, headers) => {
    const answer = await postActivity(bot, message, headers());
    expect(answer.status).toBe(401);
    expect(answer.text).toMatch(/Unauthorized/);
    expect(answer.text).not.toMatch(INTERNALS);
    expect(answer.text).not.toContain(message.text);
  });

  it('leaves one log line per refusal that names the reason, with no stack and no token', async () => {
    const printed = vi.mocked(console.error);
    printed.mockClear();
    const token = signToken(key, claims({ exp: Math.floor(Date.now() / 1000) - 7200 }));
    const before = bot.logs().split('\n').length;
    const answer = await postActivity(bot, message, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(401);
    // What an operator reads: one structured line with the reason (the token is checked once, by
    // the endpoint, so CloudAdapter's console.error of every refusal never runs).
    const lines = bot.logs().split('\n').slice(before - 1).filter((line) => line.includes('refused'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ reason: 'expired', msg: 'request refused by authentication' });
    expect(lines[0]).not.toMatch(/stack|\bat /);
    expect(lines[0]).not.toContain(token.split('.')[1]);
    expect(printed.mock.calls.map((args) => format(...args))).toEqual([]);
  });

  it('still answers 400 (not 401, not 500) to a body that is not an activity', async () => {
    const answer = await postActivity(bot, { hello: 'world' }, { authorization: `Bearer ${signToken(key, claims())}` });
    expect(answer.status).toBe(400);
  });
});

describe('POST /api/messages when the key host misbehaves', () => {
  beforeAll(() => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
  const key = generateSigningKey('teams-1');

  it('answers 401 without the DNS/network error when the key host refuses connections', async () => {
    const host = await refusingHost();
    const bot = await startBot(configFor(host.url), { fetchTimeoutMs: 200 });
    try {
      const answer = await postActivity(bot, message, { authorization: `Bearer ${signToken(key, claims())}` });
      expect(answer.status).toBe(401);
      expect(answer.text).not.toMatch(INTERNALS);
    } finally {
      await bot.close();
    }
  });

  it('answers 401 within the time box when the key host accepts and never answers', { timeout: 15_000 }, async () => {
    const host = await silentHost();
    const bot = await startBot(configFor(host.url), { fetchTimeoutMs: 200 });
    try {
      // The client gives up after 5 s: without the time box this request would hang forever.
      const answer = await postActivity(bot, message, { authorization: `Bearer ${signToken(key, claims())}` }, 5_000);
      expect(answer.status).toBe(401);
      expect(answer.text).not.toMatch(INTERNALS);
    } finally {
      await bot.close();
      await host.close();
    }
  });
});
