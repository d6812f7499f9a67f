// Smoke tests of the real images, built with podman by infra/images/build-and-test.sh, which runs
// this file with GLOBECO_IMAGE_API and GLOBECO_IMAGE_LOADGEN naming the images (and podman's
// configuration in CONTAINERS_CONF / CONTAINERS_STORAGE_CONF). Without them the suite is skipped;
// images-e2e.test.mjs checks the same programs without a container engine.
//
// The API container runs as the Deployment runs it: its image's user, the production overlay's
// ConfigMap, a read-only root filesystem with only /tmp writable, no capabilities, against a
// MongoDB on the host (testkit's globeco-mongo). Host networking keeps every server on 127.0.0.1.
// Then the loadgen image runs two shards as the Indexed Job does and the merge Job's command, and
// the API is stopped as the kubelet stops it: its STOPSIGNAL under light load, within the grace period.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStages } from './lib/dockerfile.mjs';
import { infraDir, repoDir } from './lib/paths.mjs';
import { exec, freePort, waitFor } from './lib/processes.mjs';
import { apiPod, askProbes, configMapData, loadgenJobContainer, mergeJobContainer } from './lib/workloads.mjs';

const images = { api: process.env.GLOBECO_IMAGE_API, loadgen: process.env.GLOBECO_IMAGE_LOADGEN };
const enabled = Boolean(images.api && images.loadgen);
if (!enabled) console.warn('[infra] skipping the podman image smoke tests: no images named (infra/images/build-and-test.sh builds them and runs this file)');

const podman = async (args, timeoutMs = 60_000) => {
  const result = await exec('podman', args, { timeoutMs });
  if (result.status !== 0) throw new Error(`podman ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return result.stdout;
};
/** What `podman image|container inspect` says of one image or container. */
const inspect = async (kind, name) => JSON.parse(await podman([kind, 'inspect', name]))[0];

/** podman options matching a container securityContext: read-only root with an emptyDir /tmp, no capabilities. */
const lockedDown = ['--read-only', '--read-only-tmpfs=false', '--tmpfs', '/tmp:rw,size=64m,mode=1777', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
const envArgs = (env) => Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);

/** Starts testkit's globeco-mongo; resolves with its URI (first line on stdout) and a stop function. */
async function startMongoCli() {
  const child = spawn(process.execPath, [join(repoDir, 'packages', 'testkit', 'bin', 'globeco-mongo.js'), '--topology', 'replset'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // The URI comes first on stdout, then the backend line on stderr.
  const uri = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`globeco-mongo printed no URI within 30 s: ${stderr}`)), 30_000);
    const check = () => {
      if (!out.includes('\n') || !stderr.includes('\n')) return;
      clearTimeout(timer);
      resolve(out.split('\n')[0]);
    };
    child.stdout.on('data', (d) => {
      out += d;
      check();
    });
    child.stderr.on('data', check);
    exited.then((code) => reject(new Error(`globeco-mongo exited ${code}: ${stderr}`)));
  });
  console.log(`[infra] ${stderr.trim()}`);
  const stop = async () => {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    child.kill('SIGKILL');
  };
  return { uri, stop };
}

describe.skipIf(!enabled)('images, built and run with podman', () => {
  const name = `globeco-smoke-api-${process.pid}`;
  const pod = apiPod();
  let mongo;
  let port;
  let base;
  let readyMs;
  let reports;

  beforeAll(async () => {
    mongo = await startMongoCli();
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The pod's environment: the production ConfigMap, the Secret's MONGODB_URI, the downward API
    // (loopback stand-ins). HOST and PORT: loopback and a free port, since the container shares the
    // host's network.
    const env = {
      ...configMapData('production'), HOST: '127.0.0.1', PORT: String(port), MONGODB_URI: mongo.uri,
      NODE_IP: '127.0.0.1', MY_NODE_NAME: 'node-0', MY_POD_NAME: 'globeco-portfolio-api-0', MY_POD_IP: '127.0.0.1', SERVICE_NAMESPACE: 'globeco',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317',
    };
    const started = Date.now();
    await podman(['run', '--detach', '--name', name, '--network', 'host', ...lockedDown, ...envArgs(env), images.api]);
    await waitFor(`${base}/health/ready`, 60_000, 50).catch(async (error) => {
      const logs = await exec('podman', ['logs', name]);
      throw new Error(`${error.message}\n${logs.stdout}${logs.stderr}`);
    });
    readyMs = Date.now() - started;
    console.log(`[infra] ${images.api}: podman run to /health/ready in ${readyMs} ms`);
    reports = mkdtempSync(join(tmpdir(), 'globeco-reports-'));
    chmodSync(reports, 0o777); // written by the image's uid 1000, as fsGroup lets a pod write its volume
  });

  afterAll(async () => {
    await exec('podman', ['rm', '--force', '--time', '0', name], { timeoutMs: 30_000 });
    await mongo?.stop();
    if (reports) rmSync(reports, { recursive: true, force: true });
  });

  it('declares a numeric non-root user, the HEALTHCHECK and the start command of the Dockerfile', async () => {
    const final = readStages(readFileSync(join(infraDir, 'docker', 'Dockerfile'), 'utf8')).at(-1).instructions;
    const healthcheck = JSON.parse(/CMD (\[.*\])$/s.exec(final.find((i) => i.keyword === 'HEALTHCHECK').args)[1]);
    const api = await inspect('image', images.api);
    expect([api.Config.User, api.Config.Cmd, Object.keys(api.Config.ExposedPorts ?? {}), api.Healthcheck?.Test]).toStrictEqual([
      '1000:1000', ['node', '--enable-source-maps', 'dist/main.js'], ['8000/tcp'], ['CMD', ...healthcheck],
    ]);
    const { Config: loadgen } = await inspect('image', images.loadgen);
    expect([loadgen.User, loadgen.Entrypoint, loadgen.Cmd]).toStrictEqual(['1000:1000', ['node', '--enable-source-maps', 'dist/bin.js'], ['--help']]);
  });

  it('became ready within the startup probe\'s budget, runs node as PID 1 with uid 1000 and no capabilities', async () => {
    const { periodSeconds, failureThreshold } = pod.container.startupProbe;
    expect(readyMs).toBeLessThan(periodSeconds * failureThreshold * 1000);
    const status = await podman(['exec', name, 'cat', '/proc/1/status']);
    const cmdline = (await podman(['exec', name, 'cat', '/proc/1/cmdline'])).split('\0').filter(Boolean);
    const field = (f) => new RegExp(`^${f}:\\s*(.*)$`, 'm').exec(status)[1].split(/\s+/);
    expect([cmdline, field('Uid'), field('Gid'), field('CapEff')]).toStrictEqual([
      ['node', '--enable-source-maps', 'dist/main.js'], ['1000', '1000', '1000', '1000'], ['1000', '1000', '1000', '1000'], ['0000000000000000'],
    ]);
  });

  it('answers the Deployment\'s three probe paths and passes its own HEALTHCHECK', async () => {
    expect(await askProbes(base)).toStrictEqual([
      ['/health/startup', 200, 'startup', 'globeco-portfolio-service'],
      ['/health/live', 200, 'liveness', 'globeco-portfolio-service'],
      ['/health/ready', 200, 'readiness', 'globeco-portfolio-service'],
    ]);
    const check = await exec('podman', ['healthcheck', 'run', name], { timeoutMs: 30_000 });
    expect([check.status, (await inspect('container', name)).State.Health?.Status]).toStrictEqual([0, 'healthy']);
  });

  it('serves a create, get and search round trip against the host\'s MongoDB', async () => {
    const nameValue = `Smoke Image ${process.pid}`;
    const created = await fetch(`${base}/api/v1/portfolios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: nameValue }) });
    const portfolio = await created.json();
    expect([created.status, portfolio.name, portfolio.version, /^[0-9a-f]{24}$/.test(portfolio.portfolioId)]).toStrictEqual([201, nameValue, 1, true]);
    const got = await fetch(`${base}/api/v1/portfolio/${portfolio.portfolioId}`);
    expect([got.status, await got.json()]).toStrictEqual([200, portfolio]);
    const found = await fetch(`${base}/api/v2/portfolios?name=${encodeURIComponent(nameValue.toLowerCase())}`);
    const page = await found.json();
    expect([found.status, page.portfolios, page.pagination.totalElements]).toStrictEqual([200, [portfolio], 1]);
  });

  it('exposes Prometheus metrics on /metrics, the round trip counted by route', async () => {
    const response = await fetch(`${base}/metrics`);
    const text = await response.text();
    expect([response.status, response.headers.get('content-type')?.split(';')[0]]).toStrictEqual([200, 'text/plain']);
    const line = text.split('\n').find((l) => l.startsWith('http_requests_total{') && l.includes('method="GET"') && l.includes('path="/api/v1/portfolio/{id}"') && l.includes('status="200"'));
    expect(line).toMatch(/ 1$/);
  });

  it('runs on a read-only root filesystem: only the /tmp emptyDir is writable', async () => {
    expect([(await inspect('container', name)).HostConfig.ReadonlyRootfs, pod.container.securityContext.readOnlyRootFilesystem, pod.container.volumeMounts.map((m) => m.mountPath)]).toStrictEqual([true, true, ['/tmp']]);
    const writes = [];
    for (const dir of ['/', '/app', '/app/node_modules', '/home/node', '/var/tmp', '/run', '/tmp']) {
      const result = await exec('podman', ['exec', name, 'sh', '-c', `touch ${dir}/.probe && rm ${dir}/.probe`], { timeoutMs: 30_000 });
      writes.push([dir, result.status === 0 ? 'writable' : /Read-only file system/.test(result.stderr) ? 'read-only' : result.stderr]);
    }
    expect(writes).toStrictEqual([['/', 'read-only'], ['/app', 'read-only'], ['/app/node_modules', 'read-only'], ['/home/node', 'read-only'], ['/var/tmp', 'read-only'], ['/run', 'read-only'], ['/tmp', 'writable']]);
  });

  it('ships no type declarations and no source maps but the service\'s own (the CMD enables source maps)', async () => {
    const list = async (image) => {
      const out = await podman(['run', '--rm', '--network', 'none', '--entrypoint', 'find', image, '/app', '-name', '*.map', '-o', '-name', '*.d.ts', '-o', '-name', '*.d.mts', '-o', '-name', '*.d.cts']);
      return out.split('\n').filter(Boolean);
    };
    const own = (file) => file.endsWith('.js.map') && (file.startsWith('/app/dist/') || /^\/app\/node_modules\/\.pnpm\/@globeco\+[^/]+\/node_modules\/@globeco\/[^/]+\/dist\//.test(file));
    const [api, loadgen] = [await list(images.api), await list(images.loadgen)];
    const extra = (files) => files.filter((f) => !own(f));
    expect([extra(api).length, extra(api).slice(0, 5), extra(loadgen).length, extra(loadgen).slice(0, 5)]).toStrictEqual([0, [], 0, []]);
    expect(api.filter((f) => f.startsWith('/app/dist/'))).toContain('/app/dist/main.js.map');
  });

  it('runs two shards as the loadgen Indexed Job runs them, then the merge Job\'s command on their reports', async () => {
    const c = loadgenJobContainer();
    const env = { ...Object.fromEntries(c.env.filter((e) => e.value).map((e) => [e.name, e.value])), TARGET_URL: base, SHARDS: '2', RATE: '20', DURATION: '2s' };
    const job = (container, extraEnv) => [
      'run', '--rm', '--network', 'host', ...lockedDown, '--volume', `${reports}:/reports`, ...envArgs(extraEnv),
      '--entrypoint', JSON.stringify(container.command), images.loadgen, ...container.args,
    ];
    const shards = await Promise.all([0, 1].map((index) => exec('podman', job(c, { ...env, JOB_COMPLETION_INDEX: String(index) }), { timeoutMs: 90_000 })));
    expect(shards.map((s) => [s.status, s.status === 0 ? '' : s.stderr])).toStrictEqual([[0, ''], [0, '']]);
    expect(readdirSync(reports).sort()).toStrictEqual(['report-0.json', 'report-1.json']);

    const merged = await exec('podman', job(mergeJobContainer(), {}), { timeoutMs: 90_000 });
    expect([merged.status, merged.stderr]).toStrictEqual([0, expect.stringMatching(/merge exit status [034]\b/)]);
    expect(merged.stdout.trimStart().slice(0, 15).toLowerCase()).toBe('<!doctype html>');
    expect(existsSync(join(reports, 'report.html'))).toBe(true);
  });

  it('drains on its STOPSIGNAL under light load and exits 0 within the grace period', async () => {
    expect((await inspect('image', images.api)).Config.StopSignal).toBe('SIGTERM');
    const { terminationGracePeriodSeconds } = pod.spec;
    const preStopSeconds = Number(pod.container.lifecycle.preStop.exec.command.at(-1));
    const id = (await (await fetch(`${base}/api/v1/portfolios`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Drain Target"}' })).json()).portfolioId;
    let stopSentAt = Infinity;
    const outcomes = [];
    // Four clients in a loop (each at most 2000 requests or 20 s), until the listener is gone.
    const client = async () => {
      const deadline = Date.now() + 20_000;
      for (let i = 0; i < 2000 && Date.now() < deadline; i++) {
        const sentAt = Date.now();
        try {
          const response = await fetch(`${base}/api/v1/portfolio/${id}`);
          await response.arrayBuffer();
          outcomes.push({ sentAt, status: response.status, connection: response.headers.get('connection') });
        } catch (error) {
          outcomes.push({ sentAt, error: error.cause?.code ?? error.message });
          if (sentAt > stopSentAt) return;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const load = Promise.all([client(), client(), client(), client()]);
    await new Promise((r) => setTimeout(r, 1_000));
    stopSentAt = Date.now();
    // `podman stop` is the kubelet's part after preStop: the image's STOPSIGNAL, SIGKILL after the rest of the grace period.
    await podman(['stop', '--time', String(terminationGracePeriodSeconds - preStopSeconds), name], 60_000);
    const stopMs = Date.now() - stopSentAt;
    await load;
    const { State: state } = await inspect('container', name);
    console.log(`[infra] ${images.api}: stopped in ${stopMs} ms, exit ${state.ExitCode}, ${outcomes.length} requests`);

    const kinds = (list) => [...new Set(list.map((o) => o.status ?? o.error))].sort();
    const before = outcomes.filter((o) => o.sentAt < stopSentAt);
    const after = outcomes.filter((o) => o.sentAt >= stopSentAt);
    expect([state.ExitCode, state.OOMKilled, stopMs < (terminationGracePeriodSeconds - preStopSeconds) * 1000]).toStrictEqual([0, false, true]);
    // Before the signal every request is answered; after it, requests on open connections are
    // still answered (with Connection: close while draining), then new connections are refused.
    expect([kinds(before), kinds(after)]).toStrictEqual([[200], [200, 'ECONNREFUSED']]);
    expect(after.some((o) => o.connection === 'close')).toBe(true);
  });
});
