import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/run.ts', 'src/bare-koa.ts', 'src/raw-driver.ts', 'src/otlp-sink.ts'],
  format: ['esm'],
  target: 'node26',
  platform: 'node',
  sourcemap: true,
  clean: true,
});
