// The knobs of `npm run bench:http`, from flags or the environment (flags win).
import { parseArgs } from 'node:util';

export interface BenchOptions {
  rounds: number;
  seconds: number;
  connections: number;
  /** How many cold starts to time for start-to-ready. */
  starts: number;
  /** Skip `npm run build` (dist/ is already current). */
  build: boolean;
  /** Write a CPU profile and two heap snapshots of the real bot here (figures of such a run are distorted). */
  profileDir: string | undefined;
}

export const USAGE = `npm run bench:http -- [--rounds N] [--seconds S] [--connections C] [--starts K] [--no-build] [--profile DIR]
  env: BENCH_ROUNDS (3), BENCH_SECONDS (5), BENCH_CONNECTIONS (20), BENCH_STARTS (5), BENCH_PROFILE_DIR`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number >= 1, got ${raw}\n${USAGE}`);
  return value;
}

export function readOptions(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      connections: { type: 'string' },
      starts: { type: 'string' },
      'no-build': { type: 'boolean' },
      profile: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  return {
    rounds: positiveInt('rounds', values.rounds ?? env.BENCH_ROUNDS, 3),
    seconds: positiveInt('seconds', values.seconds ?? env.BENCH_SECONDS, 5),
    connections: positiveInt('connections', values.connections ?? env.BENCH_CONNECTIONS, 20),
    starts: positiveInt('starts', values.starts ?? env.BENCH_STARTS, 5),
    build: !values['no-build'],
    profileDir: values.profile ?? (env.BENCH_PROFILE_DIR || undefined),
  };
}
