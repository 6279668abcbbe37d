// Run the real HTTP server (createServer) on 127.0.0.1:0 with botbuilder's CloudAdapter and our
// authentication, and post to it with a per-request timeout (a bound, not a duration assertion).
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { CloudAdapter, type TurnContext } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import { createServer } from '../../../src/server.js';
import { createLogger } from '../../../src/log.js';
import { createMetrics } from '../../../src/metrics.js';
import { createBotFrameworkAuthentication, type AuthOptions, type BotAuthConfig } from '../../../src/teams/auth.js';

export interface RunningBot {
  url: string;
  /** Everything the bot logged, as raw JSON lines. */
  logs: () => string;
  close: () => Promise<void>;
}

export type TurnLogic = (context: TurnContext) => Promise<void>;

/** Echo-style logic for auth proofs: replies with what it understood, so a reply proves the turn ran. */
export const echoLogic: TurnLogic = async (context) => {
  if (context.activity.type === 'message') await context.sendActivity(`received ${String(context.activity.text ?? '').length} characters`);
};

export async function startBot(authConfig: BotAuthConfig, authOptions: AuthOptions = {}, logic: TurnLogic = echoLogic): Promise<RunningBot> {
  let logText = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText += chunk.toString();
      done();
    },
  });
  const logger = createLogger('info', sink);
  const adapter = new CloudAdapter(createBotFrameworkAuthentication(authConfig, authOptions));
  adapter.onTurnError = async (context) => {
    await context.sendActivity('Sorry, something went wrong on my side.');
  };
  const server: Server = createServer({
    messages: (req: Request, res: Response) => adapter.process(req, res, logic),
    readiness: {},
    metrics: createMetrics(),
    logger,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logs: () => logText,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface HttpAnswer {
  status: number;
  text: string;
}

/** POST with a hard per-request timeout so a hang fails the test instead of stalling it. */
export async function postRaw(url: string, body: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<HttpAnswer> {
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

/** Words that must never reach an HTTP body: stack frames, network errors, library internals, paths. */
export const INTERNALS = /\bat \w|node:|ECONN|ENOTFOUND|EAI_AGAIN|getaddrinfo|fetch failed|invalid signature|jwt|jsonwebtoken|botframework|Error:|\/work\/|node_modules|stack/i;
