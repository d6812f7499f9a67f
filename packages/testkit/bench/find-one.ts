/**
 * Driver `findOne` by _id against the wire server running in its own process (as the service
 * would see it): 50 concurrent loops for 5 s, bounded in count too. Prints ops/s and latencies.
 * Run after `build`: `pnpm --filter @globeco/testkit bench`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { MongoClient, ObjectId } from 'mongodb';

const LOOPS = 50;
const DURATION_MS = Number(process.env.GLOBECO_TEST_BENCH_MS ?? 5000);
const MAX_OPS = 2_000_000;
const DOCS = 1000;

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const env: NodeJS.ProcessEnv = { ...process.env, GLOBECO_TEST_MONGO_BACKEND: 'wire' };
delete env.MONGODB_URI;
const given = process.env.GLOBECO_TEST_BENCH_URI;
const server = given ? undefined : spawn(process.execPath, [cli, '--topology', 'replset'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
const uri = given ?? await new Promise<string>((resolve, reject) => {
  if (!server) return;
  let out = '';
  server.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    const nl = out.indexOf('\n');
    if (nl >= 0) resolve(out.slice(0, nl));
  });
  server.once('exit', (code) => reject(new Error(`server exited ${String(code)}`)));
});

const client = new MongoClient(uri, { maxPoolSize: LOOPS, minPoolSize: LOOPS });
try {
  const coll = client.db('bench').collection<{ _id: ObjectId; name: string; version: number; dateCreated: Date }>('portfolio');
  const ids = Array.from({ length: DOCS }, () => new ObjectId());
  await coll.insertMany(ids.map((_id, i) => ({ _id, name: `Portfolio ${i}`, version: 1, dateCreated: new Date() })));
  // warm-up: open the pool and let JIT settle
  await Promise.all(Array.from({ length: LOOPS }, (_, i) => coll.findOne({ _id: ids[i % DOCS] })));

  let ops = 0;
  const latencies: number[] = [];
  const serverCpu0 = serverCpuMs();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    Array.from({ length: LOOPS }, async (_, loop) => {
      let i = loop;
      while (performance.now() < deadline && ops < MAX_OPS) {
        const t = performance.now();
        const doc = await coll.findOne({ _id: ids[i % DOCS] });
        if (!doc) throw new Error('missing document');
        latencies.push(performance.now() - t);
        ops++;
        i += LOOPS;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const clientUs = (cpu.user + cpu.system) / ops;
  const serverCpu1 = serverCpuMs();
  const serverUs = serverCpu0 !== undefined && serverCpu1 !== undefined ? ((serverCpu1 - serverCpu0) * 1000) / ops : undefined;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): string => (latencies[Math.floor((latencies.length - 1) * p)] ?? 0).toFixed(2);
  console.log(
    `findOne by _id: ${Math.round(ops / seconds)} ops/s (${ops} ops in ${seconds.toFixed(2)} s, ${LOOPS} loops; ` +
      `latency ms p50 ${pct(0.5)} p99 ${pct(0.99)}); CPU per op: client ${clientUs.toFixed(0)} µs` +
      (serverUs === undefined ? '' : `, server ${serverUs.toFixed(0)} µs`) +
      `; load average ${loadavg()[0]?.toFixed(1) ?? '?'} on ${cpus().length} cores`,
  );
} finally {
  await client.close();
  server?.kill('SIGTERM');
}

/** CPU time (user + system, ms) of the spawned server process, read from /proc where available. */
function serverCpuMs(): number | undefined {
  if (!server?.pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}
