import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A real PostgreSQL for the store tests: TEST_DATABASE_URL, 127.0.0.1:5432, or an embedded one.
    globalSetup: ['test/setup/postgres.ts'],
    // fast-check runs from a fixed seed (FC_SEED overrides) and prints it when a property fails.
    setupFiles: ['test/setup/fast-check.ts', 'test/setup/card-renders.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep parallelism modest so database and browser tests are not starved.
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
