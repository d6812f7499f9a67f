#!/usr/bin/env node
// Entry point of the README's two commands (`npm start`, `npm test`). It needs only Node.js and
// npm: it fetches the pinned pnpm through npx when no matching pnpm is on the PATH, installs the
// workspace from the lockfile, then hands over to turbo.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1', DO_NOT_TRACK: '1' };

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (probe.status === 0 && probe.stdout.trim() === pinned) return ['pnpm'];
  return ['npx', '--yes', `pnpm@${pinned}`];
}

function run(argv, options = {}) {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32', ...options });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Runs a long-lived child and passes SIGINT/SIGTERM through, exiting with its code. */
function handOver(argv) {
  const [cmd, ...args] = argv;
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

const task = process.argv[2];
const pnpm = pnpmCommand();
run([...pnpm, 'install', '--frozen-lockfile', '--prefer-offline']);

switch (task) {
  case 'start':
    run([...pnpm, 'exec', 'turbo', 'run', 'build', '--filter=@globeco/portfolio-api...', '--output-logs=errors-only']);
    handOver(['node', '--enable-source-maps', 'apps/api/dist/main.js']);
    break;
  case 'test':
    run([...pnpm, 'exec', 'turbo', 'run', 'lint', 'typecheck', 'test', '--concurrency=2', ...process.argv.slice(3)]);
    break;
  default:
    console.error(`usage: node scripts/workspace.mjs start|test (got ${task ?? 'nothing'})`);
    process.exit(2);
}
