// Children of one workspace.mjs run, one at a time, and the signals passed to them.
//
// Who receives what:
// - Ctrl-C in a terminal sends SIGINT to the whole foreground process group: npm (or pnpm), the
//   shell it runs the script with, this wrapper and every child that shares the group. npm and
//   pnpm forward it once more to their child. Build and test children (pnpm, turbo) share the
//   group, so SIGINT and SIGHUP are not passed to them again: they already had theirs.
// - The API runs in a process group of its own, so the only signal it gets is the one passed on
//   here: one graceful drain, even when a Ctrl-C reaches this wrapper twice.
// - `kill -TERM <npm pid>`: npm forwards SIGTERM to `sh -c`, which dies without passing it on.
//   The wrapper notices that its parent went away and stops its child as for SIGTERM.
// - SIGKILL of the wrapper: the API's IPC channel closes and exit-with-parent.mjs, preloaded into
//   it, makes it SIGTERM itself.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const isWindows = process.platform === 'win32';
const SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);
/** The same Ctrl-C arrives twice (from the terminal and forwarded by npm) within this window. */
const DUPLICATE_WINDOW_MS = 1000;
const PARENT_POLL_MS = 200;

/**
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null }} Outcome
 * @typedef {{ child: import('node:child_process').ChildProcess, ownGroup: boolean }} Running
 */

/** @type {Running | undefined} */
let current;
/** @type {NodeJS.Signals | undefined} */
let stopSignal;
let lastForward = 0;

/** @param {NodeJS.Signals} signal */
function onSignal(signal) {
  stopSignal ??= signal;
  if (current === undefined || current.child.exitCode !== null || current.child.signalCode !== null) return;
  if (!current.ownGroup && signal !== 'SIGTERM') return;
  const now = Date.now();
  if (now - lastForward < DUPLICATE_WINDOW_MS) return;
  lastForward = now;
  // The API drains on SIGTERM and SIGINT only; a hangup means the same as SIGTERM here.
  current.child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
}

/** Starts receiving signals and watching the parent; call once, before the first child. */
export function superviseSignals() {
  for (const signal of SIGNALS) process.on(signal, onSignal);
  if (isWindows) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onSignal('SIGTERM');
  }, PARENT_POLL_MS);
  timer.unref();
}

/** @returns {NodeJS.Signals | undefined} the first stop signal received, if any */
export function stopRequested() {
  return stopSignal;
}

/**
 * Runs one child to its end, passing stop signals to it as described above.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions & { ownGroup?: boolean, quiet?: boolean }} options
 *   `ownGroup`: run in a process group of its own with an IPC channel (the API);
 *   `quiet`: capture the output and print it only when the child fails
 * @returns {Promise<Outcome>}
 */
export function runChild(command, args, { ownGroup = false, quiet = false, ...options }) {
  return new Promise((resolve) => {
    const detached = ownGroup && !isWindows;
    /** @type {import('node:child_process').StdioOptions} */
    const stdio = ownGroup ? ['ignore', 'inherit', 'inherit', 'ipc'] : quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit';
    const child = spawn(command, args, { ...options, stdio, detached, shell: isWindows && !ownGroup });
    /** @type {Buffer[]} */
    const output = [];
    child.stdout?.on('data', (chunk) => output.push(chunk));
    child.stderr?.on('data', (chunk) => output.push(chunk));
    current = { child, ownGroup };
    child.on('error', (error) => {
      process.stderr.write(`could not start ${command}: ${error.message}\n`);
      resolve({ code: 127, signal: null });
    });
    child.on('close', (code, signal) => {
      if (current?.child === child) current = undefined;
      if ((code !== 0 || signal !== null) && output.length > 0) process.stderr.write(Buffer.concat(output));
      resolve({ code, signal });
    });
  });
}

/**
 * Ends this process the way its child ended: same exit code, or killed by the same signal.
 * @param {Outcome} outcome
 * @returns {never}
 */
export function exitLike({ code, signal }) {
  if (signal !== null && !isWindows) {
    for (const s of SIGNALS) process.removeAllListeners(s);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1));
}
