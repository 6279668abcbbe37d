// The measuring plan: rounds in which every server takes the same load in turn (interleaved, so a
// noisy neighbour hits all of them alike): pastes for all three, then presses for the two bots.
import type { ServerProcess } from './children.js';
import { runLoad, type LoadResult, type LoadSettings, type Workload } from './load.js';
import { processCpuMs, waitForQuiet, watchNeighbours, type QuietSettings } from './cpu.js';
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
  /** CPU time the server spent per answer (ms): its cost, whatever the neighbours do. */
  cpuMsPerAnswer: number;
  /** CPU the rest of the machine used during the window (cores): other people's test runs. */
  neighbourCores: number;
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

async function measureWindow(server: ServerProcess, kind: WorkloadKind, round: number, workload: Workload, settings: WindowSettings): Promise<Measurement> {
  process.stderr.write(`${round === 0 ? 'warm-up' : `round ${round}`}: ${kind} -> ${server.name} ... `);
  const waitedMs = await waitForQuiet([process.pid, ...settings.serverPids], settings.quiet);
  if (waitedMs >= 1_500) process.stderr.write(`(waited ${(waitedMs / 1000).toFixed(0)} s for a quiet machine) `);
  const watch = watchPeaks([server.pid]);
  const neighbours = watchNeighbours([process.pid, server.pid]);
  const cpuBefore = processCpuMs(server.pid);
  const load = await runLoad(server.url, workload, settings);
  const cpuMsPerAnswer = (processCpuMs(server.pid) - cpuBefore) / Math.max(1, load.answers);
  const neighbourCores = neighbours.stop();
  const peakMiB = watch.stop().get(server.pid) ?? 0;
  assertRunning(server);
  await pause(SETTLE_MS);
  assertRunning(server);
  const afterMiB = rssMiB(server.pid);
  process.stderr.write(`${Math.round(load.requestsPerSecond)} req/s, p99 ${load.p99Ms} ms, ${cpuMsPerAnswer.toFixed(2)} CPU ms/answer, peak ${peakMiB.toFixed(0)} MiB, others used ${neighbourCores.toFixed(2)} cores\n`);
  return { kind, server: server.name, round, load, peakMiB, afterMiB, cpuMsPerAnswer, neighbourCores };
}

/** The load of a window, and which processes are ours when telling the neighbours' CPU apart. */
interface WindowSettings extends LoadSettings {
  serverPids: number[];
  quiet: QuietSettings;
}

export interface RoundHooks {
  /** After the real bot's paste window of a round (profiling takes heap snapshots here). */
  afterRealPastes?(round: number): Promise<void>;
}

export interface Plan {
  rounds: number;
  /** Seconds of unrecorded load per window before round 1 (JIT, caches, pools); 0 for none. */
  warmupSeconds: number;
  load: LoadSettings;
  quiet: QuietSettings;
}

/** One round: pastes to each server, then presses to each bot. Round 0 is the warm-up. */
async function measureRound(servers: Servers, round: number, settings: WindowSettings, targets: PressTargets, hooks: RoundHooks): Promise<Measurement[]> {
  const measured: Measurement[] = [];
  measured.push(await measureWindow(servers.restify, 'paste', round, pasteWorkload({ verify: true }), settings));
  measured.push(await measureWindow(servers.minimal, 'paste', round, pasteWorkload({ verify: true }), settings));
  measured.push(await measureWindow(servers.real, 'paste', round, pasteWorkload({ verify: true, harvest: targets }), settings));
  if (round > 0) await hooks.afterRealPastes?.(round);
  process.stderr.write(`${targets.size} cards of ${servers.real.name} to press\n`);
  measured.push(await measureWindow(servers.minimal, 'press', round, fixedPressWorkload(), settings));
  measured.push(await measureWindow(servers.real, 'press', round, pressWorkload(targets), settings));
  return measured;
}

export async function measureRounds(servers: Servers, plan: Plan, hooks: RoundHooks = {}): Promise<Measurement[]> {
  // Cards the real bot answered with; their Mark resolved buttons are what the press windows press.
  const targets = new PressTargets();
  const settings: WindowSettings = { ...plan.load, quiet: plan.quiet, serverPids: Object.values(servers).map((server: ServerProcess) => server.pid) };
  if (plan.warmupSeconds > 0) await measureRound(servers, 0, { ...settings, seconds: plan.warmupSeconds }, targets, hooks);
  const measurements: Measurement[] = [];
  for (let round = 1; round <= plan.rounds; round += 1) measurements.push(...(await measureRound(servers, round, settings, targets, hooks)));
  return measurements;
}
