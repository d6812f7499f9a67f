import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TelemetryOptions } from '../../src/index.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/traced-app.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** A running fixture app in a child process. */
export interface ChildApp {
  readonly baseUrl: string;
  readonly portfolioId: string;
  /** Lines the app wrote to stdout (its JSON logs) so far. */
  readonly stdout: string[];
  readonly stderr: string[];
  stop(): Promise<number | null>;
}

/**
 * Spawns the fixture with the given telemetry options and waits (bounded) until it listens.
 * `--expose-gc` lets its `/__state` collect garbage first, so memory figures count live objects.
 */
export async function startChildApp(spec: { options: TelemetryOptions; mongoUri?: string }, timeoutMs = 60_000): Promise<ChildApp> {
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', FIXTURE, JSON.stringify(spec)], {
    cwd: PACKAGE_DIR,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const lines = (into: string[]) => {
    let rest = '';
    return (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      into.push(...parts);
    };
  };
  child.stdout?.on('data', lines(stdout));
  child.stderr?.on('data', lines(stderr));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<{ port: number; portfolioId: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fixture not ready within ${timeoutMs} ms; stderr:\n${stderr.join('\n')}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      const line = stderr.find((l) => l.startsWith('READY '));
      if (line !== undefined) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(JSON.parse(line.slice(6)) as { port: number; portfolioId: string });
      }
    }, 25);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`fixture exited with ${String(code)}; stderr:\n${stderr.join('\n')}`));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${ready.port}`,
    portfolioId: ready.portfolioId,
    stdout,
    stderr,
    async stop() {
      child.stdin?.write('stop\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
