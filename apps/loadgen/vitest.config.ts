import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // timing tests (coordinated omission, schedules) must not share the 2 cores with other files
    fileParallelism: false,
    testTimeout: 30_000,
  },
});
