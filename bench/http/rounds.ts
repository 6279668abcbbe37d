// The measuring plan: rounds in which every server takes the same load in turn (interleaved, so a
// noisy neighbour hits all of them alike): pastes for all three, then presses for the two bots.
import type { ServerProcess } from './children.js';
import { runLoad, type LoadResult, type LoadSettings, type Workload } from './load.js';
import { rssMiB, watchPeaks } from './rss.js';
import { PressTargets, fixedPressWorkload, pasteWorkload, pressWorkload } from './workloads.js';

export type WorkloadKind = 'paste' | 'press';

export interface Measurement {
  kind: WorkloadKind;
  server: string;
  round: number;
  load: LoadResult;
  /** Highest RSS of the server during its window (MiB). */
  peakMiB: number;
  /** RSS a moment after the window (MiB): does it come back down, round after round? */
  afterMiB: number | undefined;
}

export interface Servers {
  restify: ServerProcess;
  minimal: ServerProcess;
  real: ServerProcess;
}

/** Time for a server to finish in-flight work and collect garbage before the next window. */
const SETTLE_MS = 1_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function assertRunning(server: ServerProcess): void {
  const crash = server.crashed();
  if (crash) throw new Error(crash);
}

async function measureWindow(server: ServerProcess, kind: WorkloadKind, round: number, workload: Workload, settings: LoadSettings): Promise<Measurement> {
  process.stderr.write(`round ${round}: ${kind} -> ${server.name} ... `);
  const watch = watchPeaks([server.pid]);
  const load = await runLoad(server.url, workload, settings);
  const peakMiB = watch.stop().get(server.pid) ?? 0;
  assertRunning(server);
  await pause(SETTLE_MS);
  assertRunning(server);
  const afterMiB = rssMiB(server.pid);
  process.stderr.write(`${Math.round(load.requestsPerSecond)} req/s, p99 ${load.p99Ms} ms, peak ${peakMiB.toFixed(0)} MiB\n`);
  return { kind, server: server.name, round, load, peakMiB, afterMiB };
}

export interface RoundHooks {
  /** After the real bot's paste window of a round (profiling takes heap snapshots here). */
  afterRealPastes?(round: number): Promise<void>;
}

export async function measureRounds(servers: Servers, rounds: number, settings: LoadSettings, hooks: RoundHooks = {}): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  // Cards the real bot answered with; their Mark resolved buttons are what the press windows press.
  const targets = new PressTargets();
  for (let round = 1; round <= rounds; round += 1) {
    measurements.push(await measureWindow(servers.restify, 'paste', round, pasteWorkload({ verify: true }), settings));
    measurements.push(await measureWindow(servers.minimal, 'paste', round, pasteWorkload({ verify: true }), settings));
    measurements.push(await measureWindow(servers.real, 'paste', round, pasteWorkload({ verify: true, harvest: targets }), settings));
    await hooks.afterRealPastes?.(round);
    process.stderr.write(`${targets.size} cards of ${servers.real.name} to press\n`);
    measurements.push(await measureWindow(servers.minimal, 'press', round, fixedPressWorkload(), settings));
    measurements.push(await measureWindow(servers.real, 'press', round, pressWorkload(targets), settings));
  }
  return measurements;
}
