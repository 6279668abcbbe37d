// The one call the real bot makes to Teams on the paste path: the conversation's members (TeamsInfo
// paged members, for the card's automatic refresh), once per new conversation. Teams answers it in
// production; here a loopback stand-in answers it at once with the conversation's one member (the
// bench's sender), so the bot does the call's real work and no timeout is measured. Every other
// call is refused with a 404 (replies travel in the HTTP answer, expectReplies).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { senderOf } from './activities.js';

const MEMBERS = /^\/v3\/conversations\/([^/]+)\/pagedmembers(?:\?|$)/;

export interface TeamsRoster {
  serviceUrl: string;
  /** Roster lookups answered (the bot caches them per conversation). */
  lookups(): number;
  close(): Promise<void>;
}

export async function startTeamsRoster(): Promise<TeamsRoster> {
  let lookups = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    const match = req.method === 'GET' ? MEMBERS.exec(req.url ?? '') : null;
    const conversationId = match ? decodeURIComponent(match[1] as string) : undefined;
    const sender = conversationId ? senderOf(conversationId) : undefined;
    if (!sender) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    lookups += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ members: [sender] }));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    lookups: () => lookups,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
