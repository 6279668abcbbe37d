// Hostile input is survived: random activities and texts (HTML, control characters, lone surrogates,
// huge pastes) and random bodies sent to POST /api/messages in local mode never get a 5xx, never crash
// the process, and are each answered within a per-request timeout (a bound, not a duration assertion).
// A turn that throws is answered 200 too, so every run also checks the bot logged no error.
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectNoLoggedErrors, failOnLoggedErrors } from '../helpers/logged-errors.js';
import { INTERNALS, postActivity, postRaw, startBot, type RunningBot } from './support/http.js';

/** A loopback stand-in for Teams so replies outside expectReplies have somewhere harmless to go. */
async function startTeamsStandIn(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ id: 'stand-in-activity' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const controlChar = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));
const htmlBit = fc.constantFrom(
  '<at>Connector Doctor</at>',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<p>AADSTS70008: refresh token expired</p>',
  '&lt;b&gt;&amp;&#x27;',
  '[click](https://evil.example)',
  '${{{}}}',
  '{{expr}}',
  '@everyone',
  '\u202e\u200b\ufeff',
);
const pasteText = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.array(fc.oneof(fc.string({ maxLength: 20 }), loneSurrogate, controlChar, htmlBit), { maxLength: 60 }).map((parts) => parts.join('')),
);

const someJson = fc.jsonValue({ maxDepth: 3 });
const activityType = fc.oneof(
  fc.constantFrom('message', 'message', 'message', 'invoke', 'conversationUpdate', 'messageReaction', 'event', 'installationUpdate', 'typing'),
  fc.string({ minLength: 1, maxLength: 30 }),
);

function activityArbitrary(serviceUrl: string) {
  return fc
    .record(
      {
        type: activityType,
        text: fc.oneof(pasteText, someJson),
        name: fc.oneof(fc.constantFrom('adaptiveCard/action', 'composeExtension/query', 'task/fetch', 'signin/verifyState'), fc.string()),
        value: someJson,
        from: fc.oneof(fc.record({ id: fc.string(), name: pasteText }), someJson),
        recipient: fc.oneof(fc.constant({ id: '28:bot', name: 'Connector Doctor' }), someJson),
        conversation: fc.oneof(
          fc.record({ id: fc.string(), conversationType: fc.constantFrom('personal', 'groupChat', 'channel') }),
          someJson,
        ),
        entities: fc.oneof(fc.constant([{ type: 'mention', text: '<at>Connector Doctor</at>', mentioned: { id: '28:bot' } }]), someJson),
        channelData: someJson,
        attachments: someJson,
        membersAdded: fc.oneof(fc.constant([{ id: '28:bot' }]), someJson),
        replyToId: fc.string(),
        expectReplies: fc.boolean(),
      },
      { requiredKeys: ['type', 'expectReplies'] },
    )
    .map(({ expectReplies, ...fields }) => ({
      ...fields,
      channelId: 'msteams',
      serviceUrl,
      ...(expectReplies ? { deliveryMode: 'expectReplies' } : {}),
    }));
}

describe('fuzzing POST /api/messages (local mode)', () => {
  let bot: RunningBot;
  let teams: Awaited<ReturnType<typeof startTeamsStandIn>>;

  beforeAll(async () => {
    teams = await startTeamsStandIn();
    bot = await startBot({});
  });
  afterAll(async () => {
    await bot.close();
    await teams.close();
  });
  failOnLoggedErrors(() => bot);

  async function expectHealthy(): Promise<void> {
    const res = await fetch(`${bot.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
  }

  it('answers random activities without a 5xx, each within the per-request timeout', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(activityArbitrary(teams.url), async (activity) => {
        const mark = bot.logs().length;
        const answer = await postActivity(bot, activity, {}, 10_000);
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400) expect(answer.text).not.toMatch(INTERNALS);
        expectNoLoggedErrors(bot.logs().slice(mark));
      }),
      { numRuns: 150 },
    );
    await expectHealthy();
  });

  it('answers random bodies (broken JSON, arrays, scalars, wrong types) without a 5xx', { timeout: 60_000 }, async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      someJson.map((value) => JSON.stringify(value)),
      fc.constantFrom('{', '{"type":', '{"type":"message"', '[]', 'null', '"message"', '{"type":42}', '{"type":""}', '\u0000', '{"__proto__":{"type":"message"}}'),
    );
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const mark = bot.logs().length;
        const answer = await postRaw(`${bot.url}/api/messages`, raw, {}, 10_000);
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400) expect(answer.text).not.toMatch(INTERNALS);
        expectNoLoggedErrors(bot.logs().slice(mark));
      }),
      { numRuns: 100 },
    );
    await expectHealthy();
  });

  it('answers malformed JSON, non-activity bodies and unknown invoke names with a 4xx', async () => {
    const conversation = { id: 'a:conv' };
    const cases: Array<[string, string]> = [
      ['malformed JSON', '{"type": "message", "text": "unterminated'],
      ['an array', '[{"type":"message"}]'],
      ['an object without type', '{"text":"hello"}'],
      ['an unknown invoke', JSON.stringify({ type: 'invoke', name: 'no/such-invoke', channelId: 'msteams', serviceUrl: teams.url, conversation, from: { id: '29:u' } })],
      ['a card action with an unknown verb', JSON.stringify({ type: 'invoke', name: 'adaptiveCard/action', channelId: 'msteams', serviceUrl: teams.url, conversation, from: { id: '29:u' }, value: { action: { type: 'Action.Execute', verb: 'rm -rf', data: {} } } })],
    ];
    for (const [name, raw] of cases) {
      const answer = await postRaw(`${bot.url}/api/messages`, raw, {}, 10_000);
      expect({ name, status: answer.status >= 400 && answer.status < 500 }).toEqual({ name, status: true });
      expect(answer.text).not.toMatch(INTERNALS);
    }
  });

  it('answers a paste just under the body cap, and refuses a 1 MB paste with 413', { timeout: 60_000 }, async () => {
    const unit = 'AADSTS70008: The refresh token has expired due to inactivity. <b>x</b>\u0007\ud800 ';
    const nearCap = unit.repeat(Math.floor((240 * 1024) / (unit.length * 6))); // \u escapes make JSON up to 6x longer
    const near = await postActivity(
      bot,
      { type: 'message', channelId: 'msteams', serviceUrl: teams.url, deliveryMode: 'expectReplies', conversation: { id: 'c' }, from: { id: 'u' }, text: nearCap },
      {},
      30_000,
    );
    expect(near.status).toBe(200);

    const huge = 'x'.repeat(1024 * 1024);
    const tooBig = await postActivity(bot, { type: 'message', channelId: 'msteams', serviceUrl: teams.url, text: huge }, {}, 30_000);
    expect(tooBig.status).toBe(413);
    expect(tooBig.text).not.toMatch(INTERNALS);
    await expectHealthy();
  });

  it('refuses a compressed body with 415 before inflating it (20 KB of gzip would become 20 MB)', async () => {
    const activity = { type: 'message', channelId: 'msteams', serviceUrl: teams.url, deliveryMode: 'expectReplies', conversation: { id: 'c' }, from: { id: 'u' } };
    const bomb = gzipSync(JSON.stringify({ ...activity, text: 'a'.repeat(20 * 1024 * 1024) }), { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024); // far under the cap as sent
    for (const body of [bomb, gzipSync(JSON.stringify({ ...activity, text: 'Box: Invalid refresh token' }))]) {
      const answer = await postRaw(`${bot.url}/api/messages`, body, { 'content-encoding': 'gzip' });
      expect(answer.status).toBe(415);
      expect(answer.text).not.toMatch(INTERNALS);
    }
    await expectHealthy();
  });
});
