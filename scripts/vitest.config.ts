import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One scratch folder per run: the registry downloads (Node.js, pnpm 10/11/12) and the shared
    // .toolchain are fetched once and reused by every test.
    globalSetup: ['./test/support/run-dir.ts'],
    include: ['test/**/*.test.ts'],
    // Each test installs, builds and starts a copy of the workspace: one at a time on this 2-core machine.
    fileParallelism: false,
    // Generous: a slow registry can make the first fetch of a tool take minutes.
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});
