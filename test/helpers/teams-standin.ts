// A loopback stand-in for the Teams connector service (the activity's serviceUrl): records every
// POST (new message) and PUT (card update) the bot makes, answers like Teams with an id, lists a
// conversation's members (GET .../pagedmembers) from `members`, and starts channel threads
// (POST /v3/conversations, answered with the thread's id `<channel>;messageid=<first post>`).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  path: string;
  conversationId: string;
  /** For PUT: the activity being replaced; for a create conversation: the id Teams gave its first post. */
  activityId?: string;
  body: Record<string, unknown>;
}

export interface TeamsStandIn {
  serviceUrl: string;
  calls: RecordedCall[];
  /** While set, every call is answered with this status (e.g. 503: Teams is down); unset it to recover. */
  refuseWith?: number;
  /** Sent as Retry-After with `refuseWith` (e.g. '120' with 429). */
  refuseRetryAfter?: string;
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
 * `refusePosts`: new messages and replies (POST .../activities[/id]) past the first `after` are refused with `status`
 * (403: a read-only channel, an archived team), while the roster and updates still answer; refused
 * posts are not recorded.
 * `delayPostsMs`: new messages and replies are recorded when they arrive but answered this much
 * later, like a throttled Teams.
 */
export async function startTeamsStandIn(
  options: { throttleFirst?: number; alwaysAnswer?: number; members?: { id: string; name: string }[]; refusePosts?: { status: number; after?: number }; delayPostsMs?: number } = {},
): Promise<TeamsStandIn> {
  let accepted = 0;
  let throttle = options.throttleFirst ?? 0;
  const standIn = {} as TeamsStandIn;
  const calls: RecordedCall[] = [];
  const waiters: { match: (call: RecordedCall) => boolean; resolve: (call: RecordedCall) => void }[] = [];
  let counter = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (standIn.refuseWith) {
        res.writeHead(standIn.refuseWith, { 'content-type': 'application/json', ...(standIn.refuseRetryAfter ? { 'retry-after': standIn.refuseRetryAfter } : {}) });
        res.end(JSON.stringify({ error: { code: 'Refused', message: 'refused by the stand-in' } }));
        return;
      }
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
      if (options.refusePosts && call.method === 'POST' && parts[3] === 'activities') {
        if (accepted >= (options.refusePosts.after ?? 0)) {
          res.writeHead(options.refusePosts.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'Forbidden', message: 'refused by the stand-in' } }));
          return;
        }
        accepted++;
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
      if (call.method === 'POST' && parts.length === 2) {
        // Create conversation: a new thread in the channel named by channelData, its first post the activity.
        const channel = String((body.channelData as { channel?: { id?: unknown } } | undefined)?.channel?.id ?? '');
        call.conversationId = channel;
        const activityId = `posted-${++counter}`;
        call.activityId = activityId;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `${channel};messageid=${activityId}`, activityId }));
        return;
      }
      const id = call.method === 'PUT' ? (call.activityId ?? '') : `posted-${++counter}`;
      if (options.delayPostsMs && call.method === 'POST' && parts[3] === 'activities') await new Promise((resolve) => setTimeout(resolve, options.delayPostsMs));
      res.writeHead(call.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  Object.assign(standIn, {
    serviceUrl: `http://127.0.0.1:${port}/`,
    calls,
    next(match: (call: RecordedCall) => boolean, timeoutMs = 10_000) {
      const found = calls.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('Teams stand-in: expected call never came')), timeoutMs);
        waiters.push({ match, resolve: (call) => { clearTimeout(timer); resolve(call); } });
      });
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
  return standIn;
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
