// `npm run bench:alerts`: the real bot (start(), SQLite in a temporary folder, local mode) and a
// loopback Teams stand-in; senders post a burst of distinct alerts (each a new thread), then the same
// alerts again (repeats). Prints, per phase, the answers (202, or 429 past one token's burst of 60),
// the time to the answer (p50, p99, max) and the time until every accepted alert's card is in Teams.
// BENCH_ALERTS sets the burst (default 50). Figures, never assertions: machines are noisy.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config.js';
import { start } from '../src/index.js';
import { isEntryPoint } from '../src/entry-point.js';
import { createLogger } from '../src/log.js';
import { startTeamsStandIn } from '../test/helpers/teams-standin.js';

const TOKEN = 'bench-alerts-token-0123456789abcdef0123456789';
/** The repeats come from a second sender (its own rate bucket), as a second Logic App would. */
const TOKEN_B = 'bench-alerts-token-b-0123456789abcdef01234567';
const ALERTS = Number(process.env.BENCH_ALERTS ?? 50);
const CONCURRENCY = 10;
const ERRORS = [
  ['Box', 'AuthFatalFailureException: com.box.boxjavalibv2.exceptions.BoxServerException: invalid_grant'],
  ['Okta', 'HttpRequestFailure: Server returned: 401 Unauthorized'],
  ['Salesforce', 'INVALID_SESSION_ID: Session expired or invalid'],
  ['Google Workspace', 'GoogleJsonResponseException: 403 Forbidden'],
] as const;

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const ms = (v: number) => `${v.toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cd-bench-alerts-'));
  const teams = await startTeamsStandIn();
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${path.join(dir, 'bot.db')}`, LOG_LEVEL: process.env.BENCH_LOG ?? 'warn',
    ALERTS_TOKEN: `${TOKEN},${TOKEN_B}`, ALERTS_CHANNEL_ID: '19:bench@thread.tacv2', ALERTS_SERVICE_URL: teams.serviceUrl,
  });
  const running = await start(config, process.env.BENCH_LOG ? createLogger(process.env.BENCH_LOG) : createLogger('warn', new Writable({ write: (_c, _e, done) => done() })));
  const url = `http://127.0.0.1:${running.port}/api/alerts`;
  // Alerts of one app and error share an incident, so a burst of known errors is a handful of threads:
  // every alert here carries its own unknown error text (a thread each), prefixed by a real one's app.
  const body = (i: number) => {
    const [app] = ERRORS[i % ERRORS.length]!;
    return JSON.stringify({ id: `bench-${i}`, title: `${app} connector failed`, description: `Sync stopped with internal code Q${i}Z${i * 7}`, app });
  };
  async function phase(name: string, token: string): Promise<void> {
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < ALERTS; i = next++) {
          const t = performance.now();
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: body(i) });
          await res.text();
          latencies.push(performance.now() - t);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const answered = performance.now() - started;
    const cards = () => teams.calls.filter((c) => c.path === '/v3/conversations').length;
    const accepted = statuses.get(202) ?? 0;
    while (name === 'new alerts' && cards() < accepted && performance.now() - started < 120_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const settled = performance.now() - started;
    const answers = [...statuses].map(([status, n]) => `${n}×${status}`).join(', ');
    console.log(`${name.padEnd(12)} ${ALERTS} alerts, ${CONCURRENCY} at a time (${answers}): p50 ${ms(pct(latencies, 50))}, p99 ${ms(pct(latencies, 99))}, max ${ms(Math.max(...latencies))}; all answered in ${ms(answered)}${name === 'new alerts' ? `; ${cards()} threads in Teams after ${ms(settled)}` : ''}`);
  }
  await phase('new alerts', TOKEN);
  await phase('repeats', TOKEN_B);
  console.log(`threads in Teams: ${teams.calls.filter((c) => c.path === '/v3/conversations').length}, card updates: ${teams.calls.filter((c) => c.method === 'PUT').length}`);
  await running.stop();
  await teams.close();
  rmSync(dir, { recursive: true, force: true });
}

if (isEntryPoint(import.meta.url)) void main();
