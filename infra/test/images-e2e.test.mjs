// Runs what the images would run, without a container engine: each Dockerfile's build stage is
// replayed from an empty pnpm store, cache and HOME in a scratch copy of the build context (as a
// clean builder runs it); the API starts from its pruned install (development profile, on testkit's
// MongoDB: the install itself holds no test database), answers the Deployment's probe paths and the image HEALTHCHECK, the loadgen Job's
// arguments drive it shard by shard, the merge Job's command merges the reports, and SIGTERM
// drains the API to exit code 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatBackendLine, startMongo } from '@globeco/testkit';
import { readStages } from './lib/dockerfile.mjs';
import { environments, infraDir, repoDir } from './lib/paths.mjs';
import { exec, freePort, waitFor } from './lib/processes.mjs';
import { replayBuildStage } from './lib/replay-build.mjs';
import { askProbes, configMapData, loadgenJobContainer, mergeJobContainer } from './lib/workloads.mjs';

/** Starts the deployed API with an environment; resolves once /health/startup answers 200. */
async function startApi(cwd, env) {
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    await Promise.race([
      waitFor(`http://127.0.0.1:${env.PORT}/health/startup`, 30_000),
      exited.then((e) => Promise.reject(new Error(`exited early: ${JSON.stringify(e)}`))),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`API did not start: ${error.message}\n${log}`);
  }
  return { child, exited, log: () => log };
}

describe('images, run without Docker', () => {
  let dir;
  let api;
  let apiExit;
  let port;
  let apiLog = '';

  let builds;
  let mongo;

  beforeAll(async () => {
    mongo = await startMongo({ topology: 'replset' });
    console.log(`[infra] ${formatBackendLine(mongo)}`);
    dir = mkdtempSync(join(tmpdir(), 'globeco-images-'));
    const [apiBuild, loadgenBuild] = await Promise.all([replayBuildStage('Dockerfile'), replayBuildStage('loadgen.Dockerfile')]);
    builds = { api: apiBuild, loadgen: loadgenBuild };
    for (const [name, build] of Object.entries(builds)) {
      execFileSync('cp', ['-a', build.out, join(dir, name)]);
      rmSync(build.root, { recursive: true, force: true });
    }
    port = await freePort();
    api = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
      cwd: join(dir, 'api'),
      env: { PATH: process.env.PATH, APP_ENV: 'development', MONGODB_URI: mongo.uri, HOST: '127.0.0.1', PORT: String(port), SHUTDOWN_GRACE_MS: '1000', LOG_LEVEL: 'warn', OTEL_SDK_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout.on('data', (d) => (apiLog += d));
    api.stderr.on('data', (d) => (apiLog += d));
    apiExit = new Promise((resolve) => api.on('exit', (code, signal) => resolve({ code, signal })));
    await waitFor(`http://127.0.0.1:${port}/health/startup`, 30_000).catch((error) => {
      throw new Error(`${error.message}\n${apiLog}`);
    });
    // Two clean builds (fetch, install, build, deploy) side by side: about a minute on a quiet
    // 2-core machine, several under load; each RUN step is bounded by its own timeout too.
  }, 600_000);

  afterAll(async () => {
    if (api && api.exitCode === null && api.signalCode === null) {
      api.kill('SIGKILL');
      await apiExit;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    await mongo?.stop();
  });

  it('installs the pnpm the repository pins, the one that replayed the build', () => {
    const pin = JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')).packageManager;
    const running = execFileSync('pnpm', ['--version'], { encoding: 'utf8' }).trim();
    expect([builds.api.pnpmInstall, builds.loadgen.pnpmInstall, `pnpm@${running}`]).toStrictEqual([
      `npm install --global --no-fund --no-audit ${pin}`,
      `npm install --global --no-fund --no-audit ${pin}`,
      pin,
    ]);
  });

  it('deploys pruned production installs: entry points present, no devDependencies', () => {
    for (const [out, pkgDir, entry] of [['api', 'apps/api', 'dist/main.js'], ['loadgen', 'apps/loadgen', 'dist/bin.js']]) {
      const manifest = JSON.parse(readFileSync(join(repoDir, pkgDir, 'package.json'), 'utf8'));
      expect(JSON.parse(readFileSync(join(dir, out, 'package.json'), 'utf8')).name).toBe(manifest.name);
      expect(existsSync(join(dir, out, entry))).toBe(true);
      const installed = readdirSync(join(dir, out, 'node_modules')).flatMap((n) => (n.startsWith('@') ? readdirSync(join(dir, out, 'node_modules', n)).map((m) => `${n}/${m}`) : [n]));
      expect(installed.filter((n) => n in (manifest.devDependencies ?? {}))).toStrictEqual([]);
      for (const dep of Object.keys(manifest.dependencies ?? {})) expect(installed).toContain(dep);
    }
  });

  it('holds no test database in the API install: no testkit, mingo or mongodb-memory-server anywhere', () => {
    const testOnly = ['@globeco/testkit', 'mingo', 'mongodb-memory-server', 'mongodb-memory-server-core'];
    const modules = join(dir, 'api', 'node_modules');
    // Every package of the install: top-level links and pnpm's virtual store (.pnpm/<name>@<version>/node_modules/<name>).
    const names = new Set();
    const addDir = (base) => {
      for (const n of readdirSync(base)) {
        if (n === '.pnpm' || n === '.bin' || n.startsWith('.')) continue;
        if (n.startsWith('@')) for (const m of readdirSync(join(base, n))) names.add(`${n}/${m}`);
        else names.add(n);
      }
    };
    addDir(modules);
    const store = join(modules, '.pnpm');
    if (existsSync(store)) for (const entry of readdirSync(store)) if (existsSync(join(store, entry, 'node_modules'))) addDir(join(store, entry, 'node_modules'));
    expect(names.has('@globeco/portfolio-core')).toBe(true);
    expect(testOnly.filter((n) => names.has(n))).toStrictEqual([]);
    // Nor bundled into the API's own code.
    const bundled = readdirSync(join(dir, 'api', 'dist')).filter((f) => f.endsWith('.js') && /mingo|mongodb-memory-server|createWireServer/.test(readFileSync(join(dir, 'api', 'dist', f), 'utf8')));
    expect(bundled).toStrictEqual([]);
  });

  it('stops at start-up with a clear message when the development profile has no MONGODB_URI (no embedded MongoDB here)', async () => {
    const env = { PATH: process.env.PATH, APP_ENV: 'development', HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'warn', OTEL_SDK_DISABLED: 'true' };
    const run = await exec(process.execPath, ['dist/main.js'], { cwd: join(dir, 'api'), env, timeoutMs: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain('MONGODB_URI is not set and this install has no embedded MongoDB');
  });

  it('ships the dropped-connection guard of @globeco/portfolio-core with the registry\'s driver', () => {
    // Without it an operation on a connection dropped during a compressed write hangs forever (mongodb 7.9.1).
    const coreDir = join(dir, 'api', 'node_modules', '@globeco', 'portfolio-core');
    const core = createRequire(join(coreDir, 'package.json'));
    expect(readFileSync(join(coreDir, 'dist', 'index.js'), 'utf8')).toContain('guardDroppedConnections');
    expect(existsSync(join(dirname(core.resolve('mongodb')), 'cmap', 'connection.js'))).toBe(true);
  });

  it('answers the Deployment\'s three probe paths from the pruned install', async () => {
    expect(await askProbes(`http://127.0.0.1:${port}`)).toStrictEqual([
      ['/health/startup', 200, 'startup', 'globeco-portfolio-service'],
      ['/health/live', 200, 'liveness', 'globeco-portfolio-service'],
      ['/health/ready', 200, 'readiness', 'globeco-portfolio-service'],
    ]);
  });

  it('passes the image HEALTHCHECK command, and fails it when nothing listens', async () => {
    const final = readStages(readFileSync(join(infraDir, 'docker', 'Dockerfile'), 'utf8')).at(-1).instructions;
    const [, , script] = JSON.parse(/CMD (\[.*\])$/s.exec(final.find((i) => i.keyword === 'HEALTHCHECK').args)[1]);
    const check = (p) => exec(process.execPath, ['-e', script], { env: { PORT: String(p) }, timeoutMs: 10_000 });
    expect((await check(port)).status).toBe(0);
    expect((await check(await freePort())).status).toBe(1);
  });

  it('runs the loadgen Job\'s arguments shard by shard, then the merge Job\'s command', async () => {
    const c = loadgenJobContainer();
    const reports = join(dir, 'reports');
    mkdirSync(reports);
    const env = { ...Object.fromEntries(c.env.filter((e) => e.value).map((e) => [e.name, e.value])), TARGET_URL: `http://127.0.0.1:${port}`, SHARDS: '2', RATE: '20', DURATION: '2s' };
    const local = (script) => script.replaceAll('/app/dist/bin.js', join(dir, 'loadgen', 'dist', 'bin.js')).replaceAll('/reports/', `${reports}/`);
    const shards = await Promise.all(
      [0, 1].map((index) => exec(c.command[0], [...c.command.slice(1), local(c.args[0])], { env: { PATH: process.env.PATH, ...env, JOB_COMPLETION_INDEX: String(index) }, timeoutMs: 60_000 })),
    );
    expect(shards.map((s) => [s.status, s.status === 0 ? '' : s.stderr])).toStrictEqual([[0, ''], [0, '']]);
    expect(readdirSync(reports).sort()).toStrictEqual(['report-0.json', 'report-1.json']);

    const m = mergeJobContainer();
    const merged = await exec(m.command[0], [...m.command.slice(1), local(m.args[0])], { env: { PATH: process.env.PATH }, timeoutMs: 60_000 });
    expect([merged.status, merged.status === 0 ? '' : merged.stderr]).toStrictEqual([0, '']);
    expect(merged.stderr).toMatch(/merge exit status [034]\b/);
    expect(merged.stdout.trimStart().slice(0, 15).toLowerCase()).toBe('<!doctype html>');
    expect(existsSync(join(reports, 'report.html'))).toBe(true);
  });

  it.each(environments)('starts with the %s overlay\'s ConfigMap and downward-API environment, becomes ready, drains on SIGTERM', async (env) => {
    const mongo = await startMongo({ topology: 'replset' });
    console.log(`[infra] ${formatBackendLine(mongo)}`);
    try {
      const apiPort = await freePort();
      const config = configMapData(env);
      // PORT and HOST: a free loopback port instead of 8000 on all interfaces; SHUTDOWN_GRACE_MS shortened
      // so the test does not wait 20 s. Everything else exactly as the pod gets it.
      const started = await startApi(join(dir, 'api'), {
        ...config, PORT: String(apiPort), HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '500',
        MONGODB_URI: mongo.uri, NODE_IP: '127.0.0.1', MY_NODE_NAME: 'node-0', MY_POD_NAME: 'globeco-portfolio-api-0', MY_POD_IP: '127.0.0.1',
        SERVICE_NAMESPACE: 'globeco', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317',
      });
      try {
        await waitFor(`http://127.0.0.1:${apiPort}/health/ready`, 30_000);
        expect((await fetch(`http://127.0.0.1:${apiPort}/health/live`)).status).toBe(200);
      } finally {
        started.child.kill('SIGTERM');
      }
      const exit = await Promise.race([started.exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
      expect([exit, config.APP_ENV]).toStrictEqual([{ code: 0, signal: null }, env]);
    } finally {
      await mongo.stop();
    }
  });

  it('drains and exits 0 on SIGTERM (node is PID 1 in the image)', async () => {
    api.kill('SIGTERM');
    const exit = await Promise.race([apiExit, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(exit).toStrictEqual({ code: 0, signal: null });
  });
});
