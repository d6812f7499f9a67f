import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One MongoDB pair (replica-set primary + standalone) per run, then a fresh results file.
    globalSetup: ['@globeco/testkit/vitest-setup', './test/support/results-setup.ts'],
    include: ['test/**/*.test.ts'],
    // Scenarios measure latency and event-loop delay: run them one at a time on this 2-core machine.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
