import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node26',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
});
