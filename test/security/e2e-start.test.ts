// The bot as `npm start` builds it (src/index.ts start()), configured only through the environment:
// MicrosoftAppId set and botbuilder's ToBotFromChannel* keys pointed at a loopback OpenID server.
// A genuine Teams token gets a diagnosis; forgeries get 401; a flood gets one friendly "slow down".
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp } from '../helpers/running-bot.js';
import {
  channelClaims as claims,
  generateSigningKey,
  loopbackAuthConfig,
  signToken,
  startOpenIdServer,
  TEAMS_SERVICE_URL as SERVICE_URL,
  TEST_APP_ID as APP_ID,
  unsignedToken,
  type OpenIdServer,
  type TestSigningKey,
} from './support/openid.js';
import { unescapeDisplay, visibleText } from '../helpers/adaptive-card-schema.js';
import { INTERNALS, postActivity, type RunningBot } from './support/http.js';

function paste(id: string, from = 'ada', text = 'Box: Invalid refresh token'): Record<string, unknown> {
  return {
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    deliveryMode: 'expectReplies',
    from: { id: `29:${from}`, name: from },
    recipient: { id: `28:${APP_ID}`, name: 'Connector Doctor' },
    conversation: { id: `a:personal-${from}`, conversationType: 'personal', tenantId: 'tenant-1' },
    text,
  };
}

type Reply = { type: string; text?: string; attachments?: Array<{ contentType: string; content: unknown }> };

describe('npm start with MicrosoftAppId set', () => {
  let key: TestSigningKey;
  let openId: OpenIdServer;
  let bot: RunningBot;
  let dataDir: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    key = generateSigningKey('teams-1', { endorsements: ['msteams'] });
    openId = await startOpenIdServer([key.jwk]);
    dataDir = mkdtempSync(join(tmpdir(), 'cd-security-'));
    const running = await startApp({
      DATABASE_URL: `sqlite:${join(dataDir, 'bot.db')}`,
      LOG_LEVEL: 'info',
      ...loopbackAuthConfig(openId.metadataUrl),
    });
    stop = running.stop;
    bot = { url: running.url, logs: running.logs, close: running.stop };
  });
  afterAll(async () => {
    await stop?.();
    await openId?.close();
    rmSync(dataDir, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('diagnoses a paste sent with a genuine Teams token', async () => {
    const answer = await postActivity(bot, paste('m-1'), { authorization: `Bearer ${signToken(key, claims())}` });
    expect(answer.status).toBe(200);
    const { activities } = JSON.parse(answer.text) as { activities: Reply[] };
    // One reply, the Box refresh-token diagnosis (a no-match card would echo "Box" from the paste).
    expect(activities).toHaveLength(1);
    const card = activities[0]!.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
    expect(unescapeDisplay(visibleText(card?.content))).toContain('Box connector: Box no longer accepts the refresh token');
  });

  it.each([
    ['no token', () => ({})],
    ['an unsigned token', () => ({ authorization: `Bearer ${unsignedToken(claims(), 'teams-1')}` })],
    ['a token signed by another key', () => ({ authorization: `Bearer ${signToken(generateSigningKey('teams-1'), claims())}` })],
  ])('refuses %s with 401 and a generic body, and the paste never reaches the store or the logs', async (_name, headers) => {
    const secretish = 'Okta: E0000011 Invalid token provided SSWS 00aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcd';
    const answer = await postActivity(bot, paste('m-forged', 'mallory', secretish), headers());
    expect(answer.status).toBe(401);
    expect(answer.text).not.toMatch(INTERNALS);
    expect(bot.logs()).not.toContain('00aBcDeFgHiJkLmNoPqRsTuVwXyZ');
    expect(bot.logs()).not.toContain('E0000011');
    for (const file of readdirSync(dataDir)) {
      const bytes = readFileSync(join(dataDir, file));
      expect(bytes.includes('E0000011')).toBe(false);
      expect(bytes.includes('mallory')).toBe(false);
    }
  });

  it('routes each refusal to the structured log and the refusals counter, with its reason, not to console.error', async () => {
    const printed = vi.mocked(console.error);
    printed.mockClear();
    const before = bot.logs().length;
    const expired = signToken(key, claims({ exp: Math.floor(Date.now() / 1000) - 7200 }));
    expect((await postActivity(bot, paste('m-expired'), { authorization: `Bearer ${expired}` })).status).toBe(401);
    expect((await postActivity(bot, paste('m-bare'), {})).status).toBe(401);
    const lines = bot.logs().slice(before).trim().split('\n').map((line) => JSON.parse(line) as { msg: string; reason?: string; level: number });
    expect(lines.filter((l) => l.msg === 'request refused by authentication').map((l) => [l.reason, l.level])).toEqual([
      ['expired', 40],
      ['missing-header', 40],
    ]);
    expect(bot.logs().slice(before)).not.toContain(expired.split('.')[1]);
    expect(printed).not.toHaveBeenCalled();
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toMatch(/^connector_doctor_auth_refusals_total\{reason="expired"\} 1$/m);
    expect(metrics).toMatch(/^connector_doctor_auth_refusals_total\{reason="missing-header"\} [1-9]\d*$/m);
  });

  it('tells a flooding user once to slow down, then stays quiet, while others are still answered', async () => {
    const auth = () => ({ authorization: `Bearer ${signToken(key, claims())}` });
    const texts: string[][] = [];
    for (let i = 0; i < 8; i += 1) {
      const answer = await postActivity(bot, paste(`flood-${i}`, 'flooder', 'help'), auth());
      expect(answer.status).toBe(200);
      const { activities } = JSON.parse(answer.text) as { activities: Reply[] };
      texts.push(activities.map((a) => a.text ?? (a.attachments?.length ? 'card' : '')));
    }
    const slowDowns = texts.flat().filter((t) => /faster than I can diagnose/.test(t));
    expect(slowDowns).toHaveLength(1);
    expect(texts.at(-1)).toEqual([]);

    const other = await postActivity(bot, paste('calm-1', 'grace', 'help'), auth());
    expect((JSON.parse(other.text) as { activities: Reply[] }).activities.length).toBeGreaterThan(0);
  });
});
