import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startFaultProxy, startMongo } from '@globeco/testkit';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'portfolio-core-pack-'));

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 150_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}

const USAGE = `
import { createPortfolioService, InMemoryPortfolioStore, isNotFoundError, ERROR_CODES, PortfolioCreateSchema } from '@globeco/portfolio-core';
const service = createPortfolioService({ store: new InMemoryPortfolioStore(), clock: () => new Date('2024-01-15T10:30:00Z') });
const created = await service.create({ name: ' Packed ', portfolioId: 'ignored' });
const found = await service.get(created.portfolioId);
let missing = false;
try { await service.get('65a1b2c3d4e5f6a7b8c9d0e1'); } catch (e) { missing = isNotFoundError(e); }
console.log(JSON.stringify({ found: { ...found, portfolioId: found.portfolioId.length }, missing, codes: ERROR_CODES.length, schema: PortfolioCreateSchema.type }));
`;

const TYPED_USAGE = `
import { createPortfolioService, InMemoryPortfolioStore, type Portfolio, type PortfolioService } from '@globeco/portfolio-core';
const service: PortfolioService = createPortfolioService({ store: new InMemoryPortfolioStore() });
export const created: Promise<Portfolio> = service.create({ name: 'typed' });
`;

// The dropped-connection regression (test/driver-dropped-connections.test.ts) as a user of the
// package runs it: on the registry's mongodb, without this repository's workspace. Writers insert
// for a while through the given URI (a fault proxy the test drops connections of), then report
// whether every operation settled.
const DROPPED_WRITES = `
import { createMongoClient, guardDroppedConnections } from '@globeco/portfolio-core';
const [uri, runMs] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const client = createMongoClient({ uri, compressors: ['zlib'], maxPoolSize: 10, serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
const writes = client.db('pack_dropped_writes').collection('writes');
await writes.insertOne({ writer: -1 });
let stop = false;
let pending = 0;
const outcomes = { ok: 0, failed: 0 };
const writers = Array.from({ length: 8 }, async (_, writer) => {
  for (let n = 0; !stop && n < 100000; n++) {
    pending++;
    try { await writes.insertOne({ writer, n, pad: 'x'.repeat(4000) }); outcomes.ok++; }
    catch { outcomes.failed++; await sleep(5); }
    finally { pending--; }
  }
});
await sleep(Number(runMs));
stop = true;
const settled = await Promise.race([Promise.all(writers).then(() => true), sleep(5000).then(() => false)]);
console.log(JSON.stringify({ guarded: guardDroppedConnections(), settled, pending, wrote: outcomes.ok > 0, failed: outcomes.failed > 0 }));
if (settled) await client.db('pack_dropped_writes').dropDatabase().catch(() => undefined);
await client.close(true);
process.exit(0);
`;

describe('published package', () => {
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('packs, installs from the tarball outside the workspace and works there', async () => {
    if (!existsSync(join(packageDir, 'dist', 'index.js'))) run('pnpm', ['run', 'build'], packageDir);
    run('pnpm', ['pack', '--pack-destination', scratch], packageDir);
    const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^globeco-portfolio-core-\d+\.\d+\.\d+\.tgz$/);

    const listing = run('tar', ['-tzf', join(scratch, tarball!)], scratch).trim().split('\n').sort();
    expect(listing).toStrictEqual([
      'package/CHANGELOG.md',
      'package/LICENSE',
      'package/README.md',
      'package/dist/index.d.ts',
      'package/dist/index.js',
      'package/dist/index.js.map',
      'package/package.json',
    ]);

    const project = join(scratch, 'consumer');
    run('mkdir', ['-p', project], scratch);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // A registry request that stalls fails after 20 s and is retried (npm's default waits 5 minutes);
    // http-level logging shows which request it was if the whole install still runs out of time.
    run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=http', '--fetch-timeout=20000', '--fetch-retries=4', join(scratch, tarball!)], project);

    writeFileSync(join(project, 'use.mjs'), USAGE);
    const output = JSON.parse(run(process.execPath, ['use.mjs'], project)) as unknown;
    expect(output).toStrictEqual({
      found: { portfolioId: 24, name: 'Packed', dateCreated: '2024-01-15T10:30:00.000Z', version: 1 },
      missing: true,
      codes: 11,
      schema: 'object',
    });

    // The declarations resolve for a TypeScript consumer using Node's module resolution.
    writeFileSync(join(project, 'use.ts'), TYPED_USAGE);
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          types: [],
        },
        files: ['use.ts'],
      }),
    );
    run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);

    // The registry's driver is the unpatched one (this repository patches nothing); the package's
    // own guard is what keeps an operation on a dropped connection from hanging.
    const consumerRequire = createRequire(join(project, 'node_modules', '@globeco', 'portfolio-core', 'package.json'));
    const driverDir = dirname(consumerRequire.resolve('mongodb'));
    expect(driverDir.startsWith(project)).toBe(true);
    expect(readFileSync(join(driverDir, 'cmap', 'connection.js'), 'utf8')).not.toContain("this.socket.once('close'");
    writeFileSync(join(project, 'dropped-writes.mjs'), DROPPED_WRITES);
    const mongo = await startMongo({ topology: 'replset' });
    const proxy = await startFaultProxy(mongo.uri);
    try {
      const child = promisify(execFile)(process.execPath, ['dropped-writes.mjs', proxy.uri, '2500'], { cwd: project, timeout: 60_000 });
      for (let i = 0; i < 100 && proxy.accepted === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      for (let i = 0; i < 10; i++) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        proxy.dropConnections();
      }
      const { stdout } = await child;
      expect(JSON.parse(stdout) as unknown).toStrictEqual({ guarded: true, settled: true, pending: 0, wrote: true, failed: true });
      expect(proxy.accepted).toBeGreaterThan(10);
    } finally {
      await proxy.stop();
      await mongo.stop();
    }
  }, 240_000);
});
