// The real bot as `npm start` builds it (index.ts start()), on 127.0.0.1 port 0, local mode,
// SQLite in memory; logs captured for "never logged" assertions.
import { request as httpRequest } from 'node:http';
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

/**
 * POST to a path sent exactly as written (fetch would normalise `/api/./x` and similar): for
 * checking that every spelling of a path meets the same guards as the route it reaches.
 */
export function postRawPath(base: string, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port: Number(port), method: 'POST', path, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers }, timeout: 15_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(body);
  });
}
