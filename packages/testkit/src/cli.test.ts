import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function run(args: string[]): { child: ChildProcess; firstLine: Promise<string>; stderr: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env, GLOBECO_TEST_MONGO_BACKEND: 'wire' };
  delete env.MONGODB_URI;
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`exited ${String(code)} before printing a URI: ${err}`)));
  });
  firstLine.catch(() => undefined); // observed by the tests that need it

  return { child, firstLine, stderr: () => err };
}

describe('globeco-mongo', () => {
  it('prints the URI first, serves it, and stops within a second of SIGTERM', async () => {
    const { child, firstLine } = run(['--topology', 'standalone']);
    const uri = await firstLine;
    expect(uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
    try {
      expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
    } finally {
      await client.close();
    }
    const started = performance.now();
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('listens on the requested port as a replica set and stops on SIGINT', async () => {
    const probe = await import('node:net').then(
      ({ createServer }) =>
        new Promise<number>((resolve) => {
          const s = createServer().listen(0, '127.0.0.1', () => {
            const p = (s.address() as { port: number }).port;
            s.close(() => resolve(p));
          });
        }),
    );
    const { child, firstLine } = run(['--port', String(probe)]);
    expect(await firstLine).toBe(`mongodb://127.0.0.1:${probe}/?replicaSet=rs0`);
    child.kill('SIGINT');
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    expect([code, signal]).toStrictEqual([0, null]);
  });

  it('rejects bad arguments with usage and exit code 2', async () => {
    const { child, stderr } = run(['--topology', 'sharded']);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr()).toContain('--topology must be replset or standalone, got sharded');
  });
});
