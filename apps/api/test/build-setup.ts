import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Builds dist/ once per run: the process-level tests spawn dist/main.js as `npm start` does. */
export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const tsup = join(dirname(createRequire(join(root, 'package.json')).resolve('tsup/package.json')), 'dist', 'cli-default.js');
  execFileSync(process.execPath, [tsup, '--silent'], { cwd: root, stdio: 'inherit' });
}
