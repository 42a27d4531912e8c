import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // DuckDB is native and holds file locks: separate processes keep tests from sharing state.
    pool: 'forks',
    maxWorkers: 2,
  },
});
