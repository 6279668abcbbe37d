// A loopback stand-in for the Teams connector service (the activity's serviceUrl): records every
// POST (new message) and PUT (card update) the bot makes, answers like Teams with an id, and lists
// a conversation's members (GET .../pagedmembers) from `members`.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  conversationId: string;
  /** For PUT: the activity being replaced. */
  activityId?: string;
  body: Record<string, unknown>;
}

export interface TeamsStandIn {
  serviceUrl: string;
  calls: RecordedCall[];
  /** Resolves with the first recorded call (past or future) that satisfies `match`. */
  next(match: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * `throttleFirst`: answer that many calls with 429 (Retry-After: 0) before accepting, like a busy Teams.
 * `alwaysAnswer`: answer every call with this status (e.g. 403 when the bot was removed from a team).
 * `members`: who is in every conversation (none by default).
 */
export async function startTeamsStandIn(options: { throttleFirst?: number; alwaysAnswer?: number; members?: { id: string; name: string }[] } = {}): Promise<TeamsStandIn> {
  let throttle = options.throttleFirst ?? 0;
  const calls: RecordedCall[] = [];
  const waiters: { match: (call: RecordedCall) => boolean; resolve: (call: RecordedCall) => void }[] = [];
  let counter = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      // /v3/conversations/{conversationId}/activities[/{activityId}]
      const call: RecordedCall = { method: req.method ?? '', path: url.pathname, conversationId: parts[2] ?? '', activityId: parts[4], body };
      if (options.alwaysAnswer) {
        calls.push(call);
        res.writeHead(options.alwaysAnswer, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'Refused', message: 'refused by the stand-in' } }));
        return;
      }
      if (throttle > 0) {
        throttle--;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(JSON.stringify({ error: { code: 'TooManyRequests', message: 'slow down' } }));
        return;
      }
      calls.push(call);
      if (call.method === 'GET' && parts[3] === 'pagedmembers') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ members: options.members ?? [] }));
        return;
      }
      for (const waiter of [...waiters]) {
        if (waiter.match(call)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(call);
        }
      }
      const id = call.method === 'PUT' ? (call.activityId ?? '') : `posted-${++counter}`;
      res.writeHead(call.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    calls,
    next(match, timeoutMs = 10_000) {
      const found = calls.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('Teams stand-in: expected call never came')), timeoutMs);
        waiters.push({ match, resolve: (call) => { clearTimeout(timer); resolve(call); } });
      });
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A loopback support webhook that records escalations and answers 200. */
export async function startWebhookReceiver(): Promise<{ url: string; received: { headers: IncomingMessage['headers']; body: Record<string, unknown> }[]; next(timeoutMs?: number): Promise<void>; close(): Promise<void> }> {
  const received: { headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      received.push({ headers: req.headers, body: await readBody(req) });
      waiters.splice(0).forEach((w) => w());
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/escalations`,
    received,
    next(timeoutMs = 10_000) {
      if (received.length > 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('webhook never called')), timeoutMs);
        waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
