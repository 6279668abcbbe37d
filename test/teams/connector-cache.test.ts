// The connector and user-token clients are built once per bot app id and address, not per turn
// (each build is an Azure HTTP pipeline), and the endpoint checks a request's token once. Through
// the real adapter, endpoint and server, in local mode.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { ActivityHandler, type TurnContext } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { createServer } from '../../src/server.js';
import { NOT_AN_OBJECT, createAdapter, createMessageEndpoint, type BotAdapter } from '../../src/teams/adapter.js';
import { createBotFrameworkAuthentication, type TeamsBotAuthentication } from '../../src/teams/auth.js';
import { ClientCache } from '../../src/teams/connector-cache.js';
import { post } from '../helpers/running-bot.js';

describe('ClientCache', () => {
  it('shares one creation per key, in flight or done', async () => {
    const cache = new ClientCache<object>(4);
    const create = vi.fn(async () => ({}));
    const [a, b] = await Promise.all([cache.get('k', create), cache.get('k', create)]);
    expect(a).toBe(b);
    expect(await cache.get('k', create)).toBe(a);
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('forgets a failed creation, so the next turn tries again', async () => {
    const cache = new ClientCache<object>(4);
    await expect(cache.get('k', () => Promise.reject(new Error('no credentials')))).rejects.toThrow('no credentials');
    const made = {};
    expect(await cache.get('k', async () => made)).toBe(made);
  });

  it('keeps at most its bound, dropping the least recently used', async () => {
    const cache = new ClientCache<string>(3);
    for (const key of ['a', 'b', 'c']) await cache.get(key, async () => key);
    await cache.get('a', async () => 'a again'); // a is now the most recent
    await cache.get('d', async () => 'd');
    expect(cache.size).toBe(3);
    // b went (least recently used); a stayed.
    expect(await cache.get('a', async () => 'rebuilt')).toBe('a');
    expect(await cache.get('b', async () => 'rebuilt')).toBe('rebuilt');
  });

  it('stays bounded under a flood of made-up service URLs', async () => {
    const cache = new ClientCache<number>(64);
    for (let i = 0; i < 5_000; i += 1) await cache.get(`https://x${i}.example/`, async () => i);
    expect(cache.size).toBe(64);
  });
});

describe('turns through the endpoint', () => {
  const seen: { connector: unknown; userToken: unknown; serviceUrl: string }[] = [];
  let url = '';
  let auth: TeamsBotAuthentication;
  let adapter: BotAdapter;
  let close = async () => undefined as void;

  beforeAll(async () => {
    const logger = createLogger('info', new Writable({ write: (_c, _e, done) => done() }));
    const metrics = createMetrics();
    auth = createBotFrameworkAuthentication(loadConfig({}).botFramework);
    adapter = createAdapter({ auth, logger });
    const bot = new ActivityHandler();
    bot.onMessage(async (context: TurnContext, next) => {
      seen.push({
        connector: context.turnState.get(context.adapter.ConnectorClientKey),
        userToken: context.turnState.get((context.adapter as BotAdapter).UserTokenClientKey),
        serviceUrl: context.activity.serviceUrl,
      });
      await context.sendActivity('ok');
      await next();
    });
    const server = createServer({ messages: createMessageEndpoint({ adapter, bot, metrics, logger }), readiness: {}, metrics, logger });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  const message = (n: number, serviceUrl: string) => ({
    type: 'message',
    id: `m-${n}`,
    text: 'hello',
    channelId: 'msteams',
    serviceUrl,
    deliveryMode: 'expectReplies',
    timestamp: '2026-12-05T03:00:00.000Z',
    from: { id: `29:user-${n}`, name: 'Ada' },
    conversation: { id: `a:conv-${n}` },
    recipient: { id: '28:bot', name: 'Connector Doctor' },
  });

  it('reuses one connector client and one user-token client per service URL across turns', async () => {
    seen.length = 0;
    for (let n = 0; n < 3; n += 1) expect((await post(url, message(n, 'https://smba.example/emea/'))).status).toBe(200);
    expect((await post(url, message(3, 'https://smba.example/amer/'))).status).toBe(200);
    expect(seen).toHaveLength(4);
    expect(seen[0]!.connector).toBeDefined();
    expect(seen[1]!.connector).toBe(seen[0]!.connector);
    expect(seen[2]!.connector).toBe(seen[0]!.connector);
    // Another service URL is another client: a client's base URI is its address.
    expect(seen[3]!.connector).not.toBe(seen[0]!.connector);
    expect(seen.every((s) => s.userToken === seen[0]!.userToken)).toBe(true);
    expect(auth.clients.connectors.size).toBe(2);
  });

  it('checks the token once per request', async () => {
    const check = vi.spyOn(auth, 'authenticateRequest');
    try {
      expect((await post(url, message(10, 'https://smba.example/emea/'))).status).toBe(200);
      expect(check).toHaveBeenCalledTimes(1);
    } finally {
      check.mockRestore();
    }
  });

  it('turns ISO date strings into dates and keeps the text, as botbuilder does', async () => {
    seen.length = 0;
    const dates: unknown[] = [];
    const run = vi.spyOn(adapter, 'runAuthenticated');
    try {
      await post(url, message(11, 'https://smba.example/emea/'));
      const activity = run.mock.calls[0]![1];
      dates.push(activity.timestamp, (activity as { rawTimestamp?: unknown }).rawTimestamp);
    } finally {
      run.mockRestore();
    }
    expect(dates[0]).toEqual(new Date('2026-12-05T03:00:00.000Z'));
    expect(dates[1]).toBe('2026-12-05T03:00:00.000Z');
  });

  it('answers 400 to a body that is not an activity, and 500 with nothing internal when the turn machinery fails', async () => {
    expect((await post(url, '[1,2]')).status).toBe(400);
    expect((await post(url, { text: 'no type' })).status).toBe(400);
    const broken = vi.spyOn(adapter, 'runAuthenticated').mockRejectedValueOnce(new Error('SQLITE_CORRUPT at /var/lib/secret.db'));
    try {
      const answer = await post(url, message(12, 'https://smba.example/emea/'));
      expect(answer.status).toBe(500);
      expect(answer.text).not.toMatch(/SQLITE|secret|\/var/);
    } finally {
      broken.mockRestore();
    }
  });
});

describe('the endpoint on its own (what server.ts lets through is checked again here)', () => {
  const logger = createLogger('info', new Writable({ write: (_c, _e, done) => done() }));
  const adapter = createAdapter({ auth: createBotFrameworkAuthentication(loadConfig({}).botFramework), logger });
  const bot = new ActivityHandler();
  const endpoint = createMessageEndpoint({ adapter, bot, metrics: createMetrics(), logger });

  async function call(method: string, body: unknown): Promise<{ status?: number; body?: unknown; ended: boolean }> {
    const answer: { status?: number; body?: unknown; ended: boolean } = { ended: false };
    const res = {
      status: (code: number) => void (answer.status = code),
      send: (sent: unknown) => void (answer.body = sent),
      end: () => void (answer.ended = true),
      header: () => undefined,
    };
    await endpoint({ method, body, headers: {} }, res);
    return answer;
  }

  it('answers 405 to anything but POST, without running a turn', async () => {
    const run = vi.spyOn(adapter, 'runAuthenticated');
    try {
      expect(await call('GET', { type: 'message' })).toEqual({ status: 405, ended: true });
      expect(run).not.toHaveBeenCalled();
    } finally {
      run.mockRestore();
    }
  });

  it.each([
    ['an array', [1, 2]],
    ['null', null],
    ['a string', 'message'],
  ])('answers 400 with a plain sentence to %s', async (_name, body) => {
    expect(await call('POST', body)).toEqual({ status: 400, body: NOT_AN_OBJECT, ended: true });
  });

  it.each([
    ['no type', { text: 'hi' }],
    ['an empty type', { type: '' }],
    ['a numeric type', { type: 7 }],
  ])('answers 400 to an activity with %s', async (_name, body) => {
    expect(await call('POST', body)).toEqual({ status: 400, ended: true });
  });
});
