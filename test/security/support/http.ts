// Run the real bot over HTTP on 127.0.0.1:0 (createServer + createAdapter + ConnectorDoctorBot, SQLite in
// memory) with the security module's authentication, and post to it with a per-request timeout (a
// bound, not a duration assertion).
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Server } from 'restify';
import { loadCatalog } from '../../../src/core/catalog.js';
import { createMatcher } from '../../../src/core/match.js';
import type { RateLimiter } from '../../../src/core/ratelimit.js';
import type { Matcher } from '../../../src/core/types.js';
import { buildEscalationPayload } from '../../../src/incidents/escalation.js';
import { openStore } from '../../../src/incidents/index.js';
import { createLogger } from '../../../src/log.js';
import { createMetrics } from '../../../src/metrics.js';
import { createServer } from '../../../src/server.js';
import { createAdapter, createMessageEndpoint } from '../../../src/teams/adapter.js';
import { createBotFrameworkAuthentication, type AuthOptions, type BotAuthConfig } from '../../../src/teams/auth.js';
import { ConnectorDoctorBot } from '../../../src/teams/bot.js';

export interface RunningBot {
  url: string;
  /** Everything the bot logged, as raw JSON lines. */
  logs: () => string;
  close: () => Promise<void>;
}

let sharedMatcher: Matcher | undefined;

export async function startBot(authConfig: BotAuthConfig, authOptions: AuthOptions = {}, rateLimiter?: RateLimiter): Promise<RunningBot> {
  let logText = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText += chunk.toString();
      done();
    },
  });
  const logger = createLogger('info', sink);
  const store = await openStore('sqlite::memory:');
  sharedMatcher ??= createMatcher(loadCatalog());
  const matcher = sharedMatcher;
  const metrics = createMetrics();
  const bot = new ConnectorDoctorBot({
    store,
    matcher,
    metrics,
    clock: () => new Date(),
    logger,
    ...(rateLimiter ? { rateLimiter } : {}),
    escalation: { targets: async () => [], buildPayload: (incident) => buildEscalationPayload(incident, { catalog: matcher.catalog }) },
  });
  // As src/index.ts wires it: a refusal is counted and logged with its reason, once.
  const onRefusal = (reason: Parameters<NonNullable<AuthOptions['onRefusal']>>[0]) => {
    metrics.authRefusals.inc({ reason });
    logger.warn({ reason }, 'request refused by authentication');
    authOptions.onRefusal?.(reason);
  };
  const adapter = createAdapter({ auth: createBotFrameworkAuthentication(authConfig, { ...authOptions, onRefusal }), logger });
  const server: Server = createServer({ messages: createMessageEndpoint({ adapter, bot, metrics, logger }), readiness: {}, metrics, logger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logs: () => logText,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

export interface HttpAnswer {
  status: number;
  text: string;
}

/** POST with a hard per-request timeout so a hang fails the test instead of stalling it. */
export async function postRaw(url: string, body: string | Uint8Array, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<HttpAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, text: await res.text() };
}

export function postActivity(bot: RunningBot, activity: unknown, headers: Record<string, string> = {}, timeoutMs?: number): Promise<HttpAnswer> {
  return postRaw(`${bot.url}/api/messages`, JSON.stringify(activity), headers, timeoutMs);
}

/** Words that must never reach an HTTP error body: stack frames, network errors, library internals, paths. */
export const INTERNALS = /\bat \w|node:|ECONN|ENOTFOUND|EAI_AGAIN|getaddrinfo|fetch failed|invalid signature|jwt|jsonwebtoken|botframework|Error:|\/work\/|node_modules|stack|Cannot read/i;
