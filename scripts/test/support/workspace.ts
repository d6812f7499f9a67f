// A scratch copy of this workspace and the environments the documented commands are run in.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { delimiter, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPackage, readPins } from '../../lib/toolchain.mjs';

/** Root of the workspace under test. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The versions the workspace pins. */
export const pins = readPins(repoRoot);

function isInside(parent: string, dir: string): boolean {
  const rel = relative(parent, dir);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep));
}

function hasExecutable(dir: string, name: string): boolean {
  try {
    accessSync(join(dir, name), constants.X_OK);
    return statSync(join(dir, name)).isFile();
  } catch {
    return false;
  }
}

/**
 * The PATH this test run was given, less what npm, pnpm and workspace.mjs put in front of it for
 * the run (folders of this repository, node_modules/.bin, pnpm's node-gyp-bin) and less every pnpm.
 */
function basePath(): string[] {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  const kept = dirs.filter((dir) => !isInside(repoRoot, dir) && !dir.split(sep).includes('node_modules') && !hasExecutable(dir, 'pnpm'));
  // The Node.js running this test when the machine has none of its own outside those folders.
  return kept.some((dir) => hasExecutable(dir, 'node')) ? kept : [...kept, dirname(process.execPath)];
}

// Set for this test run by npm, pnpm, turbo or vitest; a user's shell has none of them.
const RUN_VARIABLES = /^(npm_|pnpm_|PNPM_SCRIPT_SRC_DIR$|TURBO_|VITEST|NODE$|NODE_OPTIONS$|NODE_CHANNEL|INIT_CWD$|COREPACK_)/;

/**
 * The environment of a shell whose PATH starts with `first`, then the machine's tools, and has no
 * other pnpm.
 */
export function scenarioEnv(first: string[], extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !RUN_VARIABLES.test(key)));
  return { ...env, PATH: [...first, ...basePath()].join(delimiter), ...extra };
}

/** Where `name` resolves on the PATH of `env`, if anywhere. */
export function which(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const dir = (env.PATH ?? '').split(delimiter).find((d) => d !== '' && hasExecutable(d, name));
  return dir === undefined ? undefined : join(dir, name);
}

/** Version of the first `node` on the PATH of `env`, without the "v". */
export function nodeVersion(env: NodeJS.ProcessEnv): string {
  return spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim().replace(/^v/, '');
}

/** A finished command. */
export interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command in a process group of its own, as a shell would, and collects its output; the
 * whole group is killed at `timeoutMs`.
 */
export function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Installs `spec` from the npm registry into this run's tool folder once; returns its folder. */
async function tool(runDir: string, spec: string): Promise<string> {
  const dir = join(runDir, 'tools', spec.replace('/', '+'));
  if (!existsSync(dir)) await installPackage(spec, dir, scenarioEnv([]), 180_000);
  return dir;
}

/** Folder holding the `pnpm` of that version, fetched from the registry for this run. */
export async function pnpmBinDir(runDir: string, version: string): Promise<string> {
  return join(await tool(runDir, `pnpm@${version}`), 'node_modules', '.bin');
}

/**
 * The .toolchain folder every copy of this run shares, so the pinned Node.js and pnpm are fetched
 * once at most: what this workspace's own .toolchain already holds is linked in, not fetched again.
 */
export function sharedToolchain(runDir: string): string {
  const dir = join(runDir, 'toolchain');
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  for (const name of [`node-${pins.node}`, `pnpm-${pins.pnpm}`]) {
    const own = join(repoRoot, '.toolchain', name);
    if (existsSync(join(own, 'node_modules'))) symlinkSync(own, join(dir, name), 'junction');
  }
  return dir;
}

const NOT_COPIED = new Set(['.git', 'node_modules', 'dist', '.turbo', '.toolchain', 'coverage']);

function workingTreeFiles(): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' });
  if (git.status === 0) return git.stdout.split('\0').filter((file) => file !== '' && existsSync(join(repoRoot, file)));
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
      if (NOT_COPIED.has(entry.name)) continue;
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk('');
  return files;
}

/**
 * Copies the working tree (tracked and new files, not node_modules or build output) into
 * `runDir/name`, with the workspace's Turborepo cache, so builds whose inputs are unchanged
 * replay instead of running, and with the run's shared .toolchain.
 */
export function copyWorkspace(runDir: string, name: string): string {
  const dest = join(runDir, name);
  for (const file of workingTreeFiles()) {
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    copyFileSync(join(repoRoot, file), join(dest, file));
  }
  const cache = join(repoRoot, '.turbo', 'cache');
  if (existsSync(cache)) cpSync(cache, join(dest, '.turbo', 'cache'), { recursive: true });
  symlinkSync(sharedToolchain(runDir), join(dest, '.toolchain'), 'junction');
  return dest;
}
