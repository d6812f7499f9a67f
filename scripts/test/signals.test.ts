// `npm start` and the wrapper in real process groups, stopped the ways a terminal, a supervisor
// or a crash stops them: the API drains exactly once and nothing is left serving.
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { copyWorkspace, run, scenarioEnv } from './support/workspace.js';

const runDir = inject('runDir');
let copy = '';

beforeAll(async () => {
  copy = copyWorkspace(runDir, 'signals');
  // Install and build once, so each test below times the service alone.
  const built = await run('node', ['scripts/workspace.mjs', 'build', '--filter=@globeco/portfolio-api...'], { cwd: copy, env: scenarioEnv([]) });
  expect(built.code, built.stdout + built.stderr).toBe(0);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of `pids` (negative: a process group) exists, at most `ms`. */
async function gone(pids: number[], ms = 10_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = left.filter(alive);
  }
  return left;
}

interface Started {
  readonly group: number;
  readonly port: number;
  /** The API process, found by its preload. */
  readonly service: number;
  readonly proc: ChildProcessByStdio<null, Readable, Readable>;
  /** Resolves once every process holding the output pipes (npm, the wrapper, the API) has ended. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** Starts `command` as a terminal would, in a process group of its own, and waits until the API is ready. */
async function start(command: string, args: string[]): Promise<Started> {
  const port = await freePort();
  const env = scenarioEnv([], { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', OTEL_SDK_DISABLED: 'true' });
  const proc = spawn(command, args, { cwd: copy, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const closed = Promise.all([new Promise((r) => proc.stdout.on('end', r)), new Promise((r) => proc.stderr.on('end', r))]);
  const ended = closed.then(() => exited);

  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`the API did not get ready:\n${output}`);
    await sleep(200);
  }
  const preload = pathToFileURL(join(copy, 'scripts/lib/exit-with-parent.mjs')).href;
  const service = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((line) => line.includes(preload))
    .map((line) => Number.parseInt(line.trim(), 10));
  expect(service).toHaveLength(1);
  return { group: proc.pid ?? 0, port, service: service[0] ?? 0, proc, ended, output: () => output };
}

/** The API's log messages, in order. */
function messages(output: string): { msg: string; reason?: string }[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg: string; reason?: string });
}

/** One drain for `reason`, finished, and nothing serving or running any more. */
async function expectOneDrain(started: Started, reason: string): Promise<void> {
  const log = messages(started.output());
  expect(log.filter((l) => l.msg === 'shutting down').map((l) => l.reason)).toStrictEqual([reason]);
  expect(log.filter((l) => /second signal|shutdown failed/.test(l.msg))).toStrictEqual([]);
  expect(log.at(-1)?.msg).toBe('stopped');
  expect(await refused(started.port)).toBe(true);
  expect(await gone([started.service, -started.group, -started.service])).toStrictEqual([]);
}

describe('signals', () => {
  test('Ctrl-C on npm start (SIGINT to its whole process group): one graceful drain, the port closed, nothing left', async () => {
    const started = await start('npm', ['start']);
    process.kill(-started.group, 'SIGINT');
    const outcome = await started.ended;
    // The wrapper and the API exit 0; the shell npm runs the script with (dash) re-raises the
    // SIGINT it got itself once its child has ended, and npm passes that on.
    expect([{ code: 0, signal: null }, { code: null, signal: 'SIGINT' }]).toContainEqual(outcome);
    await expectOneDrain(started, 'SIGINT');
  });

  test('a Ctrl-C that reaches the wrapper twice (terminal and forwarded): still one drain, exit code 0', async () => {
    const started = await start('node', ['scripts/workspace.mjs', 'start']);
    process.kill(-started.group, 'SIGINT');
    await sleep(30);
    process.kill(started.group, 'SIGINT');
    expect(await started.ended).toStrictEqual({ code: 0, signal: null });
    await expectOneDrain(started, 'SIGINT');
  });

  test('SIGTERM to the npm process only: the API drains and exits, nothing left', async () => {
    const started = await start('npm', ['start']);
    process.kill(started.group, 'SIGTERM');
    await started.ended;
    await expectOneDrain(started, 'SIGTERM');
  });

  test('SIGKILL of the wrapper: the API notices and drains by itself', async () => {
    const started = await start('node', ['scripts/workspace.mjs', 'start']);
    process.kill(started.group, 'SIGKILL');
    expect(await started.ended).toStrictEqual({ code: null, signal: 'SIGKILL' });
    await expectOneDrain(started, 'SIGTERM');
  });
});
