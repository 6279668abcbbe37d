// Outgoing calls to Teams survive throttling and flaky connections: transient failures are retried with
// growing, jittered waits that respect Retry-After; everything else fails at once with the original error.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CloudAdapter, MessageFactory, type TurnContext } from 'botbuilder';
import { ConnectorClient, MicrosoftAppCredentials } from 'botframework-connector';
import { createBotFrameworkAuthentication } from '../../src/teams/auth.js';
import { isRetriableTeamsError, retryAfterMs, teamsRetryMiddleware, withTeamsRetry, type TeamsRetryOptions } from '../../src/teams/retry.js';

/** A failure shaped like botbuilder's RestError (statusCode + response.headers.get). */
function restError(statusCode: number, headers: Record<string, string> = {}): Error {
  const err = new Error(`status ${statusCode}`) as Error & Record<string, unknown>;
  err.name = 'RestError';
  err.statusCode = statusCode;
  err.response = { status: statusCode, headers: { get: (name: string) => headers[name.toLowerCase()] } };
  return err;
}

function networkError(code: string): Error {
  return Object.assign(new Error('socket hang up'), { code });
}

/** fn fails with each error in turn, then returns 'sent'. */
function flaky(errors: Error[]) {
  const calls: number[] = [];
  const fn = async (attempt: number) => {
    calls.push(attempt);
    const err = errors[attempt - 1];
    if (err) throw err;
    return 'sent';
  };
  return { fn, calls };
}

function recorder(extra: TeamsRetryOptions = {}) {
  const delays: number[] = [];
  const options: TeamsRetryOptions = { sleep: async (ms) => void delays.push(ms), random: () => 0.5, ...extra };
  return { delays, options };
}

describe('withTeamsRetry', () => {
  it.each([412, 429, 502, 504])('retries a %i and delivers the message', async (status) => {
    const { fn, calls } = flaky([restError(status)]);
    const { delays, options } = recorder();
    await expect(withTeamsRetry(fn, options)).resolves.toBe('sent');
    expect(calls).toEqual([1, 2]);
    expect(delays).toHaveLength(1);
  });

  it.each(['ECONNRESET', 'EPIPE', 'ETIMEDOUT'])('retries a dropped connection (%s)', async (code) => {
    const { fn } = flaky([networkError(code), Object.assign(new Error('fetch failed'), { cause: networkError(code) })]);
    const { delays, options } = recorder();
    await expect(withTeamsRetry(fn, options)).resolves.toBe('sent');
    expect(delays).toHaveLength(2);
  });

  it.each([400, 401, 403, 404, 500])('does not retry a %i and rethrows the original error', async (status) => {
    const original = restError(status);
    const { fn, calls } = flaky([original]);
    const { delays, options } = recorder();
    await expect(withTeamsRetry(fn, options)).rejects.toBe(original);
    expect(calls).toEqual([1]);
    expect(delays).toEqual([]);
  });

  it('does not retry a cancellation or a plain bug', async () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError', code: 'ECONNRESET' });
    expect(isRetriableTeamsError(abort)).toBe(false);
    expect(isRetriableTeamsError(new TypeError('x is undefined'))).toBe(false);
  });

  it('waits at least as long as Retry-After asks (seconds)', async () => {
    const { fn } = flaky([restError(429, { 'retry-after': '7' })]);
    const { delays, options } = recorder();
    await withTeamsRetry(fn, options);
    expect(delays).toEqual([7000]);
  });

  it('reads Retry-After given as an HTTP date against the injected clock', () => {
    const now = Date.UTC(2026, 11, 1, 3, 0, 0);
    const err = restError(429, { 'retry-after': new Date(now + 12_000).toUTCString() });
    expect(retryAfterMs(err, now)).toBe(12_000);
    expect(retryAfterMs(restError(429, { 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(Object.assign(new Error('x'), { headers: { 'Retry-After': '3' } }), now)).toBe(3000);
  });

  it('gives up instead of waiting for an absurd Retry-After', async () => {
    const original = restError(429, { 'retry-after': '3600' });
    const { fn, calls } = flaky([original]);
    const { delays, options } = recorder({ maxRetryAfterMs: 60_000 });
    await expect(withTeamsRetry(fn, options)).rejects.toBe(original);
    expect(calls).toEqual([1]);
    expect(delays).toEqual([]);
  });

  it('stops after maxAttempts and rethrows the last error', async () => {
    const last = restError(502);
    const { fn, calls } = flaky([restError(429), restError(504), last, restError(429)]);
    const { delays, options } = recorder({ maxAttempts: 3 });
    await expect(withTeamsRetry(fn, options)).rejects.toBe(last);
    expect(calls).toEqual([1, 2, 3]);
    expect(delays).toHaveLength(2);
  });

  it('backs off exponentially with jitter, within [ceiling/2, ceiling] and never above maxDelayMs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 6, maxLength: 6 }), async (randoms) => {
        const errors = randoms.map(() => restError(429));
        const { fn } = flaky(errors);
        let i = 0;
        const { delays, options } = recorder({ maxAttempts: 7, baseDelayMs: 100, maxDelayMs: 1000, random: () => randoms[i++] ?? 0 });
        await withTeamsRetry(fn, options);
        delays.forEach((delay, n) => {
          const ceiling = Math.min(1000, 100 * 2 ** n);
          expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
          expect(delay).toBeLessThanOrEqual(ceiling);
        });
      }),
    );
  });

  it('reports each retry for logs', async () => {
    const { fn } = flaky([restError(429), networkError('ECONNRESET')]);
    const seen: unknown[] = [];
    const { options } = recorder({ baseDelayMs: 100, onRetry: (r) => seen.push(r) });
    await withTeamsRetry(fn, options);
    expect(seen).toEqual([
      { attempt: 1, delayMs: 75, status: 429 },
      { attempt: 2, delayMs: 150, code: 'ECONNRESET' },
    ]);
  });
});

describe('withTeamsRetry around a real botbuilder ConnectorClient', () => {
  it('retries a 412 from a loopback Teams, honouring its Retry-After, and the reply lands', async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push(body);
        res.setHeader('content-type', 'application/json');
        if (received.length === 1) {
          res.statusCode = 412;
          res.setHeader('Retry-After', '2');
          res.end(JSON.stringify({ error: { code: 'PreconditionFailed', message: 'try again' } }));
        } else {
          res.statusCode = 201;
          res.end(JSON.stringify({ id: 'reply-1' }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: `http://127.0.0.1:${port}/` });
      const { delays, options } = recorder();
      const sent = await withTeamsRetry(() => client.conversations.sendToConversation('a:conv', { type: 'message', text: 'Diagnosis ready' }), options);
      expect(sent.id).toBe('reply-1');
      expect(delays).toEqual([2000]);
      expect(received).toHaveLength(2);
      expect(JSON.parse(received[1] ?? '{}')).toMatchObject({ text: 'Diagnosis ready' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** A loopback Teams that answers 412 to the requests whose 1-based numbers are listed, 200/201 otherwise. */
async function startFlakyTeams(failing: number[]) {
  const seen: Array<{ method: string; url: string; text: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const text = body ? ((JSON.parse(body) as { text?: string }).text ?? '') : '';
      seen.push({ method: req.method ?? '', url: req.url ?? '', text });
      res.setHeader('content-type', 'application/json');
      res.statusCode = failing.includes(seen.length) ? 412 : req.method === 'POST' ? 201 : 200;
      res.end(JSON.stringify(res.statusCode === 412 ? { error: { code: 'PreconditionFailed', message: 'busy' } } : { id: `activity-${seen.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Run one turn through a local-mode CloudAdapter with the retry middleware; returns the HTTP status. */
async function runTurn(serviceUrl: string, options: TeamsRetryOptions, logic: (context: TurnContext) => Promise<void>, type = 'message') {
  const adapter = new CloudAdapter(createBotFrameworkAuthentication({}));
  adapter.use(teamsRetryMiddleware(options));
  const errors: unknown[] = [];
  adapter.onTurnError = async (_context, error) => {
    errors.push(error);
  };
  let status = 0;
  const res = { status: (code: number) => void (status = code), send: () => undefined, header: () => undefined, end: () => undefined };
  const activity = { type, name: type === 'invoke' ? 'adaptiveCard/action' : undefined, channelId: 'msteams', serviceUrl, conversation: { id: 'a:conv' }, from: { id: '29:ada' }, recipient: { id: '28:bot' }, text: 'hi' };
  await adapter.process({ method: 'POST', headers: {}, body: activity }, res as never, logic);
  return { status, errors };
}

describe('teamsRetryMiddleware on a real CloudAdapter', () => {
  it('retries a reply and a card update that Teams refuses once, so both land exactly once', async () => {
    const teams = await startFlakyTeams([1, 3]);
    try {
      const { delays, options } = recorder();
      const { errors } = await runTurn(teams.url, options, async (context) => {
        const sent = await context.sendActivity('Diagnosis ready');
        await context.updateActivity({ ...MessageFactory.text('Resolved by Ada Ops'), id: sent?.id });
      });
      expect(errors).toEqual([]);
      expect(teams.seen.map((r) => `${r.method} ${r.text}`)).toEqual([
        'POST Diagnosis ready',
        'POST Diagnosis ready',
        'PUT Resolved by Ada Ops',
        'PUT Resolved by Ada Ops',
      ]);
      expect(delays).toHaveLength(2);
    } finally {
      await teams.close();
    }
  });

  it('does not retry a batch of several activities (no duplicates of the ones already posted)', async () => {
    const teams = await startFlakyTeams([2]);
    try {
      const { delays, options } = recorder();
      const { errors } = await runTurn(teams.url, options, async (context) => {
        await context.sendActivities([MessageFactory.text('card 1'), MessageFactory.text('card 2')]);
      });
      expect(errors).toHaveLength(1);
      expect(teams.seen.map((r) => r.text)).toEqual(['card 1', 'card 2']);
      expect(delays).toEqual([]);
    } finally {
      await teams.close();
    }
  });

  it('keeps invoke turns inside Teams\' 5 s budget: fewer attempts, no long Retry-After waits', async () => {
    const teams = await startFlakyTeams([1, 2, 3]);
    try {
      const { delays, options } = recorder();
      const { errors } = await runTurn(
        teams.url,
        options,
        async (context) => {
          await context.updateActivity({ ...MessageFactory.text('Escalated by Ada Ops'), id: 'card-1' });
        },
        'invoke',
      );
      expect(errors).toHaveLength(1);
      expect(teams.seen).toHaveLength(2);
      expect(delays.every((d) => d <= 1_000)).toBe(true);
    } finally {
      await teams.close();
    }
  });
});
