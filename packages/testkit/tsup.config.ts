import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/vitest-setup.ts', 'src/cli.ts'],
  format: ['esm'],
  target: 'node26',
  platform: 'node',
  dts: { entry: ['src/index.ts', 'src/vitest-setup.ts'] },
  sourcemap: true,
  clean: true,
});
