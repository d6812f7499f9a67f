import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { answersOk, freePort } from '@globeco/testkit';

/** dist/main.js of @globeco/portfolio-api, resolved through the package (turbo builds it first). */
export function apiMainPath(): string {
  const pkg = createRequire(import.meta.url).resolve('@globeco/portfolio-api/package.json');
  const main = join(dirname(pkg), 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build @globeco/portfolio-api first (turbo run test builds it)`);
  return main;
}

/** One JSON log line of the service. */
export type LogLine = Record<string, unknown> & { msg?: string; time?: string; level?: string };

/** A running API process. */
export interface ApiProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly baseUrl: string;
  /** Database the process uses (unique per process). */
  readonly database: string;
  /** Parsed stdout log lines so far. */
  readonly lines: LogLine[];
  /** Raw stderr so far. */
  readonly stderr: () => string;
  /** Exit code (null after a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** True while the process has not exited. */
  readonly alive: () => boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

const running = new Set<ApiProcess>();

/** A database name unique to one process. */
export function uniqueDatabase(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/**
 * Spawns `node dist/main.js` on 127.0.0.1 and a free port with a clean environment (PATH plus
 * `env`), and resolves once GET /health/live answers 200 (so any LOG_LEVEL works).
 */
export async function startApi(env: Record<string, string>, options: { startTimeoutMs?: number } = {}): Promise<ApiProcess> {
  const port = await freePort();
  const database = env.MONGODB_DATABASE ?? uniqueDatabase('rel');
  const child = spawn(process.execPath, [apiMainPath()], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      APP_ENV: 'test',
      LOG_LEVEL: 'info',
      ACCESS_LOG: 'false',
      ...env,
      MONGODB_DATABASE: database,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 200_000) stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitedFlag = false;
  void exited.then(() => {
    exitedFlag = true;
  });
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    if (lines.length < 100_000) lines.push(line);
  });
  const api: ApiProcess = {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    database,
    lines,
    stderr: () => stderr,
    exited,
    alive: () => !exitedFlag,
    async stop(graceMs = 5000) {
      running.delete(api);
      if (exitedFlag) return exited;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
  running.add(api);
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const deadline = performance.now() + timeoutMs;
  while (!(await answersOk(`http://127.0.0.1:${port}/health/live`))) {
    if (exitedFlag) {
      running.delete(api);
      throw new Error(`the API exited with ${await exited} before listening; stderr: ${stderr}`);
    }
    if (performance.now() > deadline) {
      await api.stop(1000);
      throw new Error(`the API did not answer /health/live within ${timeoutMs} ms; stderr: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return api;
}

/** Stops every API process this worker started (for afterAll, also after a failure). */
export async function stopAllApis(): Promise<void> {
  await Promise.all([...running].map((api) => api.stop(3000)));
}
