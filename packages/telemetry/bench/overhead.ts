// Interleaved comparison of bare Koa + driver vs the same app with full telemetry: server CPU time
// per request (robust on a busy machine) and throughput. Bounded in count and time.
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startOtlpReceiver } from '../src/testing.js';

const REQUESTS = Number(process.argv[2] ?? 3000);
const MAX_SECONDS = 60;
const ROUNDS = Number(process.argv[3] ?? 3);
const MODES = (process.argv[5] ?? 'bare,als,sampled,full').split(',');
const LABELS: Record<string, string> = {
  bare: 'bare',
  als: 'AsyncLocalStorage only',
  sampled: 'telemetry (10% sampled)',
  full: 'telemetry (100% sampled)',
  'metrics-only': 'metrics only (no tracing)',
  'tracing-only': 'tracing only (10%)',
  'sampled-before': 'telemetry 10%, library serializer',
  'full-before': 'telemetry 100%, library serializer',
};
const CONNECTIONS = 50;
const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
const MONGO = fileURLToPath(new URL('./mongo.ts', import.meta.url));
const PIN = process.argv[4] ?? '';
// `get` (default): findOne by id; `bulk`: insertMany of 100 documents.
const ROUTE = process.argv[6] ?? 'get';

async function load(port: number, path: string, count: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const started = Date.now();
  const end = started + MAX_SECONDS * 1000;
  let done = 0;
  let issued = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${String(res.statusCode)}`))));
      });
      req.on('error', reject);
      req.end();
    });
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (issued < count && Date.now() < end) {
        issued += 1;
        await one();
        done += 1;
      }
    }),
  );
  agent.destroy();
  return done / ((Date.now() - started) / 1000);
}

interface Sample {
  rps: number;
  cpuMicrosPerRequest: number;
}

async function run(mode: string, mongoUri: string, collector: string): Promise<Sample> {
  const args = ['--import', 'tsx', SERVER, mode, mongoUri, collector];
  const child = PIN === '' ? spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn('taskset', ['-c', PIN, process.execPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ready = await new Promise<{ port: number; id: string }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /READY (.*)\n/.exec(out);
      if (m?.[1] !== undefined) resolve(JSON.parse(m[1]) as { port: number; id: string });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${String(code)}`)));
  });
  const path = ROUTE === 'bulk' ? '/bulk' : `/api/v1/portfolio/${ready.id}`;
  const cpu = (): Promise<number> =>
    new Promise((resolve) => {
      const onData = (c: Buffer): void => {
        const m = /CPU (\d+)/.exec(c.toString('utf8'));
        if (m?.[1] !== undefined) {
          child.stdout.off('data', onData);
          resolve(Number(m[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stdin.write('cpu\n');
    });
  await load(ready.port, path, Math.min(500, REQUESTS)); // warm-up
  const cpu0 = await cpu();
  const rps = await load(ready.port, path, REQUESTS);
  const cpu1 = await cpu();
  child.stdin.write('stop\n');
  await new Promise((r) => child.once('exit', r));
  return { rps, cpuMicrosPerRequest: (cpu1 - cpu0) / REQUESTS };
}

const mongoProc = spawn(process.execPath, ['--import', 'tsx', MONGO], { stdio: ['pipe', 'pipe', 'inherit'] });
const mongoUri = await new Promise<string>((resolve) => {
  let out = '';
  mongoProc.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
    const m = /MONGO (.*)\n/.exec(out);
    if (m?.[1] !== undefined) resolve(m[1]);
  });
});
const mongo = { uri: mongoUri, stop: () => new Promise((r) => (mongoProc.stdin.write('stop\n'), mongoProc.once('exit', r))) };
const rx = await startOtlpReceiver();
const results: Record<string, Sample[]> = Object.fromEntries(MODES.map((m) => [LABELS[m] ?? m, []]));
for (let i = 0; i < ROUNDS; i += 1) {
  for (const mode of MODES) results[LABELS[mode] ?? mode]?.push(await run(mode, mongo.uri, rx.grpcUrl));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const baseline = results[LABELS[MODES[0] ?? 'bare'] ?? 'bare'] ?? [];
const baseCpu = median(baseline.map((s) => s.cpuMicrosPerRequest));
const baseRps = median(baseline.map((s) => s.rps));
for (const [mode, samples] of Object.entries(results)) {
  const c = median(samples.map((s) => s.cpuMicrosPerRequest));
  const r = median(samples.map((s) => s.rps));
  console.log(
    `${mode.padEnd(26)} server CPU ${c.toFixed(0)} µs/req (+${(((c - baseCpu) / baseCpu) * 100).toFixed(1)} %)  ` +
      `throughput ${r.toFixed(0)} req/s (${(((r - baseRps) / baseRps) * 100).toFixed(1)} %)  ` +
      `runs ${samples.map((s) => s.cpuMicrosPerRequest.toFixed(0)).join('/')} µs`,
  );
}
console.log(`spans received: ${rx.spans.length}`);
await rx.close();
await mongo.stop();
