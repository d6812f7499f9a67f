import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'mongo',
          include: ['test/**/*.test.ts'],
          exclude: ['test/pack.test.ts'],
          globalSetup: ['@globeco/testkit/vitest-setup'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'package',
          include: ['test/pack.test.ts'],
          testTimeout: 240_000,
        },
      },
    ],
  },
});
