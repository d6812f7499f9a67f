#!/usr/bin/env node
// Entry point of every root script (`npm start`, `npm test`, `pnpm build`, …): whichever Node.js
// and pnpm started it, the work runs on the pinned ones. With the machine's Node.js older than
// .node-version, the pinned Node.js comes from the npm registry into .toolchain/; so does the pnpm
// of package.json `packageManager` unless exactly that one is on the PATH. Both go first on the
// PATH of every child (pnpm, turbo and the tasks turbo starts, the API). Then the workspace is
// installed from the lockfile and the task handed over. Runs on Node.js 18 and later.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exitLike, runChild, stopRequested, superviseSignals } from './lib/processes.mjs';
import { ensureToolchain } from './lib/toolchain.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @type {Record<string, { turbo?: string[], about: string }>} */
const TASKS = {
  start: { about: 'install, build the API and serve it (embedded MongoDB unless MONGODB_URI is set)' },
  test: { turbo: ['lint', 'typecheck', 'test', '--concurrency=2'], about: 'install, then lint, typecheck and every test' },
  build: { turbo: ['build'], about: 'build every package' },
  typecheck: { turbo: ['typecheck'], about: 'tsc --noEmit everywhere' },
  lint: { turbo: ['lint'], about: 'ESLint everywhere' },
  'test:unit': { turbo: ['test'], about: 'the tests only, without lint and typecheck' },
  'test:reliability': { turbo: ['test', '--filter=@globeco/reliability'], about: 'the fault-injection suite' },
  bench: { turbo: ['bench', '--filter=@globeco/bench'], about: 'the benchmarks' },
  dev: { turbo: ['dev', '--filter=@globeco/portfolio-api'], about: 'the API with hot reload' },
  loadgen: { about: 'build the load generator and run it with the arguments given' },
  images: { about: 'build the API and loadgen images with podman and smoke-test the containers (infra/images)' },
};

const [task, ...args] = process.argv.slice(2);
if (task === undefined || !Object.hasOwn(TASKS, task)) {
  const width = Math.max(...Object.keys(TASKS).map((t) => t.length));
  process.stderr.write(
    `usage: node scripts/workspace.mjs <task> [arguments]${task === undefined ? '' : ` (unknown task "${task}")`}\n` +
      Object.entries(TASKS)
        .map(([name, { about }]) => `  ${name.padEnd(width)}  ${about}\n`)
        .join(''),
  );
  process.exit(2);
}

superviseSignals();

/** @type {import('./lib/toolchain.mjs').Toolchain} */
let toolchain;
try {
  toolchain = await ensureToolchain({
    root,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1', DO_NOT_TRACK: '1' },
    log: (line) => process.stderr.write(`${line}\n`),
  });
} catch (error) {
  const stop = stopRequested();
  if (stop !== undefined) exitLike({ code: null, signal: stop });
  process.stderr.write(`${/** @type {Error} */ (error).message}\n`);
  process.exit(1);
}
const stopped = stopRequested();
if (stopped !== undefined) exitLike({ code: null, signal: stopped });
// The install below is the one install of this run: nested pnpm calls (turbo starts one per
// task) need not verify node_modules again, and no other pnpm version may install on its own.
const env = { ...toolchain.env, pnpm_config_verify_deps_before_run: 'false' };

/**
 * Runs one step; ends this process when it fails or when a stop signal came during it.
 * @param {string} command
 * @param {string[]} argv
 * @param {{ quiet?: boolean }} [options]
 */
async function step(command, argv, options = {}) {
  const outcome = await runChild(command, argv, { cwd: root, env, ...options });
  if (outcome.code !== 0 || outcome.signal !== null) exitLike(outcome);
  // A stop signal its child did not die of (SIGINT to this process alone) still ends the run here.
  const stop = stopRequested();
  if (stop !== undefined) exitLike({ code: null, signal: stop });
}

// Quiet once node_modules exists (errors still show); the first install shows its progress.
const installed = existsSync(join(root, 'node_modules', '.modules.yaml'));
await step('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', ...(installed ? ['--loglevel=warn'] : [])]);

const turbo = TASKS[task]?.turbo;
if (turbo !== undefined) {
  await step('pnpm', ['exec', 'turbo', 'run', ...turbo, ...args]);
  process.exit(0);
}

if (task === 'images') {
  await step('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@globeco/portfolio-api...', '--filter=@globeco/loadgen...', '--output-logs=errors-only']);
  exitLike(await runChild('bash', [join(root, 'infra/images/build-and-test.sh'), ...args], { cwd: root, env }));
}

if (task === 'loadgen') {
  // Only the load generator's own output reaches stdout (reports may be piped); relative paths in
  // its arguments are relative to where the command was typed (npm and pnpm name it INIT_CWD).
  await step('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@globeco/loadgen', '--output-logs=errors-only'], { quiet: true });
  exitLike(await runChild(toolchain.node, [join(root, 'apps/loadgen/dist/bin.js'), ...args], { cwd: process.env.INIT_CWD ?? process.cwd(), env }));
}

// start
await step('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@globeco/portfolio-api...', '--output-logs=errors-only']);
const preload = pathToFileURL(join(root, 'scripts/lib/exit-with-parent.mjs')).href;
exitLike(
  await runChild(toolchain.node, ['--import', preload, '--enable-source-maps', 'apps/api/dist/main.js', ...args], {
    cwd: root,
    env,
    ownGroup: true,
  }),
);
