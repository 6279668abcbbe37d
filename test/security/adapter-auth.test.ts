// The authentication object plugged into botbuilder's own CloudAdapter.process (no server yet): a genuine
// token is answered end to end with deliveryMode 'expectReplies', forgeries and dead key hosts get 401 with
// the generic body, never a 500 carrying botbuilder's or the network's internals.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloudAdapter, type TurnContext } from 'botbuilder';
import { createBotFrameworkAuthentication } from '../../src/teams/auth.js';
import {
  channelClaims as genuineClaims,
  generateSigningKey,
  loopbackAuthConfig as configFor,
  refusingHost,
  signToken,
  silentHost,
  startOpenIdServer,
  TEAMS_SERVICE_URL as SERVICE_URL,
  TEST_APP_ID as APP_ID,
  type OpenIdServer,
  type TestSigningKey,
} from './support/openid.js';

const message = {
  type: 'message',
  id: 'm-1',
  channelId: 'msteams',
  serviceUrl: SERVICE_URL,
  deliveryMode: 'expectReplies',
  from: { id: '29:user', name: 'Ada Ops' },
  recipient: { id: `28:${APP_ID}`, name: 'Connector Doctor' },
  conversation: { id: 'a:conversation' },
  text: 'ping',
};

interface Answer {
  status: number;
  body: unknown;
}

/** Drive CloudAdapter.process with a minimal restify-shaped request and response. */
async function post(adapter: CloudAdapter, authorization: string | undefined): Promise<Answer> {
  const answer: Answer = { status: 0, body: undefined };
  const res = {
    status: (code: number) => {
      answer.status = code;
    },
    send: (body: unknown) => {
      answer.body = body;
    },
    header: () => undefined,
    end: () => undefined,
  };
  const req = { method: 'POST', body: structuredClone(message), headers: authorization === undefined ? {} : { authorization } };
  await adapter.process(req, res as never, async (context: TurnContext) => {
    await context.sendActivity(`pong: ${context.activity.text}`);
  });
  return answer;
}

describe('CloudAdapter with our authentication', () => {
  let key: TestSigningKey;
  let openId: OpenIdServer;

  beforeAll(async () => {
    key = generateSigningKey('k1', { endorsements: ['msteams'] });
    openId = await startOpenIdServer([key.jwk]);
    // CloudAdapter logs every refusal with console.error; keep the test output readable.
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    await openId.close();
    vi.restoreAllMocks();
  });

  it('answers a genuine Teams token end to end (expectReplies)', async () => {
    const adapter = new CloudAdapter(createBotFrameworkAuthentication(configFor(openId.metadataUrl)));
    const answer = await post(adapter, `Bearer ${signToken(key, genuineClaims())}`);
    expect(answer.status).toBe(200);
    const replies = (answer.body as { activities: Array<{ text?: string }> }).activities;
    expect(replies.map((a) => a.text)).toEqual(['pong: ping']);
  });

  it('answers 401 "Unauthorized" to a token signed by another key (botbuilder alone answers 500)', async () => {
    const adapter = new CloudAdapter(createBotFrameworkAuthentication(configFor(openId.metadataUrl)));
    const stranger = generateSigningKey('k1');
    const answer = await post(adapter, `Bearer ${signToken(stranger, genuineClaims())}`);
    expect(answer).toEqual({ status: 401, body: 'Unauthorized' });
  });

  it('answers 401 "Unauthorized" when there is no Authorization header', async () => {
    const adapter = new CloudAdapter(createBotFrameworkAuthentication(configFor(openId.metadataUrl)));
    expect(await post(adapter, undefined)).toEqual({ status: 401, body: 'Unauthorized' });
  });

  it('answers 401 without the network error when the key host refuses connections', async () => {
    const host = await refusingHost();
    const adapter = new CloudAdapter(createBotFrameworkAuthentication(configFor(host.url), { fetchTimeoutMs: 200 }));
    const answer = await post(adapter, `Bearer ${signToken(key, genuineClaims())}`);
    expect(answer).toEqual({ status: 401, body: 'Unauthorized' });
  });

  it('answers 401 within the time box when the key host never answers', { timeout: 10_000 }, async () => {
    const host = await silentHost();
    try {
      const adapter = new CloudAdapter(createBotFrameworkAuthentication(configFor(host.url), { fetchTimeoutMs: 200 }));
      const answer = await post(adapter, `Bearer ${signToken(key, genuineClaims())}`);
      expect(answer).toEqual({ status: 401, body: 'Unauthorized' });
    } finally {
      await host.close();
    }
  });
});
