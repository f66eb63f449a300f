import { defineConfig } from 'vitest/config';

// One run for the whole monorepo. Tests start real servers and child processes,
// so they run in forked workers and each gets a generous but finite timeout.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.{ts,tsx}', 'e2e/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    teardownTimeout: 10_000,
    maxWorkers: 2,
  },
});
