// The real bot as `npm start` builds it (index.ts start()), on 127.0.0.1 port 0, local mode,
// SQLite in memory; logs captured for "never logged" assertions.
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { start, type StartOptions } from '../../src/index.js';
import { createLogger } from '../../src/log.js';

export interface RunningApp {
  url: string;
  logs: () => string;
  stop: () => Promise<void>;
}

export async function startApp(env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningApp> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'info', ...env });
  let logText = '';
  const logger = createLogger(config.logLevel, new Writable({ write(chunk: Buffer, _e, done) { logText += chunk.toString(); done(); } }));
  const running = await start(config, logger, options);
  return { url: `http://127.0.0.1:${running.port}`, logs: () => logText, stop: running.stop };
}

export async function post(url: string, body: string | unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: () => unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as unknown };
}
