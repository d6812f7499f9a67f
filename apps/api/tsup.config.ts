import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts', 'src/migrate.ts'],
  // A development dependency, imported only when no MONGODB_URI is set outside production: left
  // out of the bundle, so a production install (which lacks it) carries no test database.
  external: ['@globeco/testkit'],
  format: ['esm'],
  target: 'node26',
  platform: 'node',
  dts: false,
  sourcemap: true,
  clean: true,
});
