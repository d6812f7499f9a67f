// The service as `npm start` runs it: dist/main.js in a child process, its JSON log lines kept.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { answersOk } from '@globeco/testkit';

/** The built entry point (test/build-setup.ts builds it before the tests). */
export const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** A started process. */
export interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  /** Every stdout line so far, parsed (a line that is not JSON is kept as `{ msg, unparsed: true }`). */
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

/**
 * Spawns dist/main.js on 127.0.0.1; resolves once it listens. On port 0 (the default) the port is
 * read from its `listening` line; with a port given (any LOG_LEVEL, even one that hides that line),
 * once GET /health/live answers there.
 */
export async function startProcess(env: Record<string, string>): Promise<Started> {
  const fixedPort = env.PORT !== undefined && env.PORT !== '0' ? Number(env.PORT) : undefined;
  const child = spawn(process.execPath, ['--enable-source-maps', MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (fixedPort !== undefined) {
    const deadline = Date.now() + 20_000;
    collectLines(child, lines);
    while (!(await answersOk(`http://127.0.0.1:${fixedPort}/health/live`))) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`the process did not answer on port ${fixedPort} within 20 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { child, port: fixedPort, lines, exited };
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // A process that never listened must not outlive the test.
      child.kill('SIGKILL');
      reject(new Error('the process did not start listening within 20 s'));
    }, 20_000);
    collectLines(child, lines, (entry) => {
      if (typeof entry.port === 'number' && String(entry.msg).startsWith('listening')) {
        clearTimeout(timer);
        resolve({ child, port: entry.port, lines, exited });
      }
    });
    void exited.then((code) => reject(new Error(`exited early with ${code}`)));
  });
}

/** Parses every stdout line of `child` into `lines` (a line that is not JSON as `{ msg, unparsed: true }`). */
function collectLines(child: ChildProcess, lines: Record<string, unknown>[], onLine?: (entry: Record<string, unknown>) => void): void {
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      entry = { msg: line, unparsed: true };
    }
    lines.push(entry);
    onLine?.(entry);
  });
}
