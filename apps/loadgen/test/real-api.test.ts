// End to end against the real service: apps/api's built dist/main.js as a child process, on
// testkit's MongoDB, driven by run() for a 10 s open-model run at a fixed rate. MongoDB runs in
// its own process (testkit's globeco-mongo, i.e. startMongo()): testkit's in-process wire server
// would share this thread's event loop with the generator and make its sends late.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, sumMetric } from '../src/autoscale/prometheus-text.js';
import { parseArgs } from '../src/cli/args.js';
import { run } from '../src/run.js';
import { OPERATION_NAMES } from '../src/scenario/operations.js';
import type { Report } from '../src/report/types.js';

const require = createRequire(import.meta.url);
const API_MAIN = join(dirname(require.resolve('@globeco/portfolio-api/package.json')), 'dist', 'main.js');
const MONGO_CLI = join(dirname(fileURLToPath(import.meta.resolve('@globeco/testkit'))), 'cli.js');
// moderate for a shared 2-core machine that also runs the service and MongoDB: the 5 % target must hold with margin
const RATE = 50;
const MIX = 'get=30,list=2,search=20,create=10,bulk=5,fastBulk=5,update=16,delete=12';

interface Child {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: string[];
}

interface ApiProcess extends Child {
  port: number;
}

interface MongoProcess extends Child {
  uri: string;
}

/** Starts testkit's MongoDB in its own process; resolves with the URI it prints first on stdout. */
function startMongoProcess(): Promise<MongoProcess> {
  const child = spawn(process.execPath, [MONGO_CLI], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr }).on('line', (line) => {
    output.push(line);
    // the backend line, as formatBackendLine() writes it
    if (line.startsWith('[testkit]')) console.log(line);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`MongoDB did not start within 20 s:\n${output.join('\n')}`));
    }, 20_000);
    createInterface({ input: child.stdout }).once('line', (uri) => {
      clearTimeout(timer);
      resolve({ child, exited, output, uri });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`MongoDB exited with ${code} before starting:\n${output.join('\n')}`));
    });
  });
}

/** Spawns the service on 127.0.0.1 and a free port; resolves with the port from its "listening" log line. */
function startApi(env: Record<string, string>): Promise<ApiProcess> {
  const child = spawn(process.execPath, ['--enable-source-maps', API_MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', APP_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the API did not listen within 20 s:\n${output.join('\n')}`));
    }, 20_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      let entry: { msg?: unknown; port?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (typeof entry.port === 'number' && String(entry.msg).startsWith('listening')) {
        clearTimeout(timer);
        resolve({ child, port: entry.port, exited, output });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the API exited with ${code} before listening:\n${output.join('\n')}`));
    });
  });
}

async function waitForReady(base: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < until) {
    try {
      const res = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2000) });
      last = `${res.status} ${await res.text()}`;
      if (res.status === 200) return;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`/health/ready did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

async function requestsServed(base: string): Promise<number> {
  const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) });
  expect(res.status).toBe(200);
  const total = sumMetric(parsePrometheusText(await res.text()), (name) => name === 'http_requests_total');
  if (total === undefined) throw new Error('GET /metrics has no http_requests_total');
  return total;
}

/** Sends SIGTERM, then SIGKILL after 10 s, and waits for the exit. */
async function stopChild(p: Child): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(timer);
}

describe('end to end against the real API on testkit MongoDB', () => {
  let mongo: MongoProcess | undefined;
  let api: ApiProcess | undefined;
  let report: Report;
  let servedBefore = 0;
  let servedAfter = 0;
  const dir = mkdtempSync(join(tmpdir(), 'loadgen-real-'));
  const file = (name: string): string => join(dir, name);

  beforeAll(async () => {
    expect(existsSync(API_MAIN), `${API_MAIN} (build @globeco/portfolio-api first)`).toBe(true);
    mongo = await startMongoProcess();
    api = await startApi({ MONGODB_URI: mongo.uri, MONGODB_DATABASE: `lg_${randomUUID().replaceAll('-', '').slice(0, 16)}` });
    const base = `http://127.0.0.1:${api.port}`;
    await waitForReady(base, 15_000);
    servedBefore = await requestsServed(base);
    const cmd = parseArgs([
      base, '--rate', String(RATE), '--duration', '10s', '--mix', MIX, '--search-mode', 'mixed', '--bulk-size', '5',
      '--setup', '100', '--seed', '11', '--warmup', '50', '--progress', 'none', '--metrics-url', `${base}/metrics`,
      '--json', file('report.json'), '--html', file('report.html'),
    ]);
    if (cmd.command !== 'run') throw new Error('expected a run command');
    report = await run(cmd.options);
    servedAfter = await requestsServed(base);
    console.log(
      `[real-api] target ${report.targetRate} req/s, achieved ${report.achievedRate.toFixed(2)} req/s, ${report.requests} requests, ` +
        `errors ${report.errors}, conflicts ${report.conflicts}, late ${report.late}, dropped ${report.dropped}, ` +
        `p50 ${report.latency.p50} ms, p99 ${report.latency.p99} ms, service-time p99 ${report.serviceTime.p99} ms, ` +
        `generator saturated: ${report.generator.saturated} (${report.generator.saturatedIntervals} intervals)`,
    );
  }, 60_000);

  afterAll(async () => {
    if (api !== undefined) await stopChild(api);
    if (mongo !== undefined) await stopChild(mongo);
    rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('achieves the fixed target rate within 5 % with zero errors', () => {
    expect(report.targetRate).toBe(RATE);
    expect(report.achievedRate).toBeGreaterThanOrEqual(RATE * 0.95);
    expect(report.achievedRate).toBeLessThanOrEqual(RATE * 1.05);
    // lateness is not asserted: on a shared 2-core machine running the service and MongoDB too,
    // sends more than 10 ms late (and so a "saturated" verdict) depend on the machine's load
    expect({ errors: report.errors, dropped: report.dropped, statusCodes: Object.keys(report.statusCodes).filter((c) => !/^(200|201|204|404|409)$/.test(c)) }).toStrictEqual({
      errors: 0,
      dropped: 0,
      statusCodes: [],
    });
    expect(report.seedPhase.created).toBe(100);
  });

  it('drives every operation, each answered only with its success or conflict statuses', () => {
    expect(Object.keys(report.operations).sort()).toStrictEqual([...OPERATION_NAMES].sort());
    const expected: Record<string, string[]> = {
      get: ['200', '404'],
      list: ['200'],
      search: ['200'],
      create: ['201'],
      bulk: ['201'],
      fastBulk: ['201'],
      update: ['200', '404', '409'],
      delete: ['204', '409'],
    };
    for (const name of OPERATION_NAMES) {
      const op = report.operations[name];
      expect(op?.requests, name).toBeGreaterThan(0);
      expect(op?.errors, name).toBe(0);
      const unexpected = Object.keys(op?.statusCodes ?? {}).filter((code) => !(expected[name] ?? []).includes(code));
      expect(unexpected, name).toStrictEqual([]);
      // a conflict is a 409; a 404 after the generator's own delete is not one
      expect(op?.conflicts, name).toBe(op?.statusCodes['409'] ?? 0);
    }
    expect(Object.values(report.statusCodes).reduce((a, b) => a + b, 0)).toBe(report.requests);
  });

  it("samples the service's event-loop utilisation as a fraction in 0..1 and its in-flight requests", () => {
    const sampled = report.intervals.filter((r) => r.service !== undefined);
    const elu = sampled.flatMap((r) => r.service?.eventLoopUtilization ?? []);
    expect(elu.length, 'intervals with a utilisation sample').toBeGreaterThanOrEqual(5);
    expect(elu.filter((u) => !(u >= 0 && u <= 1))).toStrictEqual([]);
    expect(sampled.every((r) => Number.isInteger(r.service?.inFlight))).toBe(true);
  });

  it('every counted request reached the service (its http_requests_total grew at least as much)', () => {
    expect(servedAfter - servedBefore).toBeGreaterThanOrEqual(report.requests);
  });

  it('writes a JSON report with the documented schema and a self-contained HTML report', () => {
    const json = JSON.parse(readFileSync(file('report.json'), 'utf8')) as Record<string, unknown>;
    expect(json).toStrictEqual(JSON.parse(JSON.stringify(report)));
    expect(json).toMatchObject({ schema: 'globeco-loadgen/report', schemaVersion: 1, model: 'open', targetRate: RATE, errors: 0 });
    for (const key of ['achievedRate', 'sentRate', 'requests', 'latency', 'serviceTime', 'operations', 'intervals', 'generator', 'histograms', 'seedPhase']) {
      expect(json, key).toHaveProperty(key);
    }
    expect(report.intervals.length).toBeGreaterThanOrEqual(10);
    const html = readFileSync(file('report.html'), 'utf8');
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });
});
