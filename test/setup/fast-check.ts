// Every fast-check property runs from one known seed, so a failure seen once is seen again.
// FC_SEED=<n> replays another run; a failing property prints the seed to replay it with.
import fc from 'fast-check';
import { beforeEach } from 'vitest';

/** The seed the properties run with unless FC_SEED says otherwise. */
export const DEFAULT_FC_SEED = 20261130;

function seedFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_FC_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${raw}"`);
  return seed;
}

const seed = seedFromEnv(process.env.FC_SEED);
fc.configureGlobal({ seed });

beforeEach(({ onTestFailed }) => {
  onTestFailed(({ task }) => {
    // Only properties carry a seed worth replaying; fast-check says "Property failed".
    if (task.result?.errors?.some((e) => String(e?.message).includes('Property failed'))) {
      console.error(`fast-check seed: ${seed} (replay with FC_SEED=${seed} npx vitest run ${task.file?.name ?? ''})`);
    }
  });
});
