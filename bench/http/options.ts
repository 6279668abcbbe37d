// The knobs of `npm run bench:http`, from flags or the environment (flags win).
import { parseArgs } from 'node:util';

export interface BenchOptions {
  rounds: number;
  seconds: number;
  /** Unrecorded load per window before round 1 (0: none). */
  warmupSeconds: number;
  connections: number;
  /** Before each window, wait for a second in which other processes use fewer cores than this (0: never wait). */
  quietBelowCores: number;
  /** ... but no longer than this many seconds. */
  quietWaitSeconds: number;
  /** How many cold starts to time for start-to-ready. */
  starts: number;
  /** Skip `npm run build` (dist/ is already current). */
  build: boolean;
  /** Write a CPU profile of the real bot here (figures of such a run are distorted). */
  cpuProfileDir: string | undefined;
  /** Write heap snapshots of the real bot here, after round 1's and the last round's pastes (distorts too). */
  heapSnapshotDir: string | undefined;
  /** Extra Node flags for the real bot, after the start script's (to try V8 settings side by side with a plain run). */
  botFlags: string[];
}

export const USAGE = `npm run bench:http -- [--rounds N] [--seconds S] [--warmup S] [--connections C] [--starts K] [--no-build]
                          [--quiet-below CORES] [--quiet-wait S]
                          [--cpu-prof DIR] [--heap-snapshots DIR] [--bot-flags="FLAGS"]
  env: BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_WARMUP (2), BENCH_CONNECTIONS (20), BENCH_STARTS (5), BENCH_QUIET_BELOW (0.25), BENCH_QUIET_WAIT (10)`;

function wholeNumber(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number >= ${min}, got ${raw}\n${USAGE}`);
  return value;
}

function cores(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`quiet-below must be a number of cores >= 0, got ${raw}\n${USAGE}`);
  return value;
}

export function readOptions(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      starts: { type: 'string' },
      'quiet-below': { type: 'string' },
      'quiet-wait': { type: 'string' },
      'no-build': { type: 'boolean' },
      'cpu-prof': { type: 'string' },
      'heap-snapshots': { type: 'string' },
      'bot-flags': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  return {
    rounds: wholeNumber('rounds', values.rounds ?? env.BENCH_ROUNDS, 3),
    seconds: wholeNumber('seconds', values.seconds ?? env.BENCH_SECONDS, 5),
    warmupSeconds: wholeNumber('warmup', values.warmup ?? env.BENCH_WARMUP, 2, 0),
    connections: wholeNumber('connections', values.connections ?? env.BENCH_CONNECTIONS, 20),
    quietBelowCores: cores(values['quiet-below'] ?? env.BENCH_QUIET_BELOW, 0.25),
    quietWaitSeconds: wholeNumber('quiet-wait', values['quiet-wait'] ?? env.BENCH_QUIET_WAIT, 10, 0),
    starts: wholeNumber('starts', values.starts ?? env.BENCH_STARTS, 5),
    build: !values['no-build'],
    cpuProfileDir: values['cpu-prof'],
    heapSnapshotDir: values['heap-snapshots'],
    botFlags: (values['bot-flags'] ?? '').split(/\s+/).filter((flag) => flag !== ''),
  };
}
