import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

/** Whether a command is on PATH. */
export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides whether a test needing `name` runs: true when present; when missing, throws under CI
 * (the CI script must install it) and otherwise prints why the test is skipped.
 */
export function requireTool(name: string, aptPackage: string): boolean {
  if (hasCommand(name)) return true;
  const reason = `${name} not found (Debian package "${aptPackage}": apt-get install -y ${aptPackage})`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI must install it`);
  console.warn(`skipping: ${reason}`);
  return false;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it now). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sends `count` GET requests with bounded concurrency; returns the status codes seen. */
export async function hammer(url: string, count: number, concurrency: number): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const res = await fetch(url);
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}
