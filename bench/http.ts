// `npm run bench:http`: Connector Doctor's paste -> match -> store -> card path over HTTP, next to a
// bare restify server and a minimal botbuilder bot on the same machine in the same run, plus card
// button presses, memory per server and start-to-ready. Prints one table; exits non-zero only when a
// server fails to start or crashes, never because of a figure.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { BENCH_PASTES, useTeams } from './http/activities.js';
import { killAllChildren, startServer, type ServerProcess } from './http/children.js';
import { readOptions, type BenchOptions } from './http/options.js';
import { renderReport } from './http/report.js';
import { measureRounds, type RoundHooks, type Servers } from './http/rounds.js';
import { rssMiB } from './http/rss.js';
import { SERVER_NAMES, buildServers, minimalBotSpec, realBotSpec, restifySpec } from './http/servers.js';
import { measureStarts } from './http/startup.js';
import { startTeamsRoster } from './http/teams-roster.js';

const IDLE_SETTLE_MS = 2_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

function describeMachine(options: BenchOptions): string {
  const cpu = cpus();
  return [
    `node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), load average ${load()} at start`,
    `${options.rounds} interleaved rounds x ${options.seconds} s after ${options.warmupSeconds} s of warm-up per window, ${options.connections} connections, autocannon in this process;`,
    `each window started once other processes used < ${options.quietBelowCores} cores for 1 s (or after ${options.quietWaitSeconds} s of waiting);`,
    `every request a new user, conversation and tenant; ${BENCH_PASTES.length} field pastes, each with its own correlation id; deliveryMode expectReplies`,
  ].join('\n');
}

/** Node flags for the real bot in a profiling run: a CPU profile written at exit, heap snapshots on SIGUSR2. */
function profileFlags(options: BenchOptions): string[] {
  const flags: string[] = [...options.botFlags];
  if (options.cpuProfileDir) flags.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProfileDir)}`);
  if (options.heapSnapshotDir) flags.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${path.resolve(options.heapSnapshotDir)}`);
  return flags;
}

/** Heap snapshots of the real bot after the first and the last round's pastes, to compare retainers. */
function snapshotHooks(real: () => ServerProcess, rounds: number): RoundHooks {
  return {
    async afterRealPastes(round) {
      if (round !== 1 && round !== rounds) return;
      process.stderr.write(`heap snapshot of ${SERVER_NAMES.real} after round ${round} (SIGUSR2)\n`);
      real().signal('SIGUSR2');
      // Writing a snapshot blocks the bot for seconds: give the signal time to land, then wait until it answers again.
      await pause(1_000);
      await fetch(`${real().url}/healthz`, { signal: AbortSignal.timeout(120_000) }).then((res) => res.arrayBuffer());
    },
  };
}

async function startAll(workDir: string, options: BenchOptions): Promise<Servers> {
  const nodeFlags = profileFlags(options);
  return {
    restify: await startServer(restifySpec()),
    minimal: await startServer(minimalBotSpec()),
    real: await startServer(realBotSpec(path.join(workDir, 'load.db'), nodeFlags)),
  };
}

async function idleMemory(servers: Servers): Promise<Map<string, number | undefined>> {
  await pause(IDLE_SETTLE_MS);
  return new Map(Object.values(servers).map((server: ServerProcess) => [server.name, rssMiB(server.pid)]));
}

async function main(): Promise<void> {
  const options = readOptions();
  const machine = describeMachine(options);
  process.stderr.write(`${machine}\n`);
  if (options.build) buildServers();
  const workDir = mkdtempSync(path.join(tmpdir(), 'connector-doctor-bench-'));
  // The conversation's members, which the real bot asks Teams for once per new conversation.
  const teams = await startTeamsRoster();
  useTeams(teams.serviceUrl);
  try {
    const servers = await startAll(workDir, options);
    const idleMiB = await idleMemory(servers);
    const hooks = options.heapSnapshotDir ? snapshotHooks(() => servers.real, options.rounds) : {};
    const plan = {
      rounds: options.rounds,
      warmupSeconds: options.warmupSeconds,
      load: { connections: options.connections, seconds: options.seconds },
      quiet: { belowCores: options.quietBelowCores, maxWaitMs: options.quietWaitSeconds * 1000 },
    };
    const measurements = await measureRounds(servers, plan, hooks);
    // A profiled bot writes its CPU profile on the way out: give it time.
    for (const server of Object.values(servers)) await server.stop(30_000);
    const starts = [
      await measureStarts(SERVER_NAMES.minimal, () => minimalBotSpec(), options.starts, plan.quiet),
      await measureStarts(SERVER_NAMES.real, (attempt) => realBotSpec(path.join(workDir, `start-${attempt}.db`)), options.starts, plan.quiet),
    ];
    process.stdout.write(`\n${machine}\nmember lookups answered by the Teams stand-in: ${teams.lookups()}\nload average ${load()} at the end\n\n${renderReport({ measurements, idleMiB, starts })}\n`);
    for (const dir of [options.cpuProfileDir, options.heapSnapshotDir]) {
      if (dir) process.stdout.write(`\nProfile of ${SERVER_NAMES.real} written to ${path.resolve(dir)}: the figures above are distorted by profiling.\n`);
    }
  } finally {
    killAllChildren();
    await teams.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:http failed: ${error instanceof Error ? error.message : String(error)}\n`);
  killAllChildren();
  process.exit(1);
});
