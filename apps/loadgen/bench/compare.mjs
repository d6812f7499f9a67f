// Generator throughput against a trivial node:http server, next to wrk and autocannon, in one
// interleaved run (server pinned to CPU 0, each tool to CPU 1 when taskset exists).
// Usage: node bench/compare.mjs [seconds=8] [rounds=2]   (AUTOCANNON=/path/to/autocannon to include it)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const seconds = Number(process.argv[2] ?? 8);
const rounds = Number(process.argv[3] ?? 2);
const here = fileURLToPath(new URL('.', import.meta.url));
const bin = join(here, '../dist/bin.js');
const dir = mkdtempSync(join(tmpdir(), 'loadgen-bench-'));
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const pin = (cpu, argv) => (has('taskset') ? ['taskset', '-c', String(cpu), ...argv] : argv);
const autocannon = process.env.AUTOCANNON ?? (has('autocannon') ? 'autocannon' : undefined);
if (!existsSync(bin)) throw new Error('build first: pnpm --filter @globeco/loadgen build');

const [scmd, ...sargs] = pin(0, [process.execPath, join(here, 'trivial-server.mjs')]);
const server = spawn(scmd, sargs, { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
const url = `http://127.0.0.1:${port}`;

const run = (argv) => {
  const [c, ...a] = pin(1, argv);
  return execFileSync(c, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
};
const tools = {
  wrk: has('wrk') ? () => Number(/Requests\/sec:\s+([\d.]+)/.exec(run(['wrk', '-t1', '-c50', `-d${seconds}s`, `${url}/api/v1/portfolios`]))?.[1]) : undefined,
  autocannon: autocannon ? () => {
    const out = JSON.parse(run([autocannon, '-c', '50', '-d', String(seconds), '--json', `${url}/api/v1/portfolios`]));
    return out.requests.total / (out.duration || seconds);
  } : undefined,
  'loadgen closed (50 loops)': () => {
    const f = join(dir, 'closed.json');
    try { run([process.execPath, bin, url, '--closed', '--concurrency', '50', '--connections', '50', '--duration', `${seconds}s`, '--setup', '0', '--mix', 'list=1', '--progress', 'none', '--json', f]); } catch { /* exit 4 = saturated: still a result */ }
    return JSON.parse(readFileSync(f, 'utf8')).achievedRate;
  },
  'loadgen open (target 30k/s)': () => {
    const f = join(dir, 'open.json');
    try { run([process.execPath, bin, url, '--rate', '30000', '--max-in-flight', '50', '--connections', '50', '--duration', `${seconds}s`, '--setup', '0', '--mix', 'list=1', '--progress', 'none', '--json', f]); } catch { /* exit 4 expected */ }
    const r = JSON.parse(readFileSync(f, 'utf8'));
    return `${r.achievedRate} (saturated: ${r.generator.saturated})`;
  },
};
const results = {};
for (let i = 0; i < rounds; i++) {
  for (const [name, fn] of Object.entries(tools)) {
    if (fn === undefined) continue;
    (results[name] ??= []).push(fn());
  }
}
server.kill('SIGTERM');
console.log(`trivial node:http server on CPU 0, tool on CPU 1, ${seconds}s per run, ${rounds} interleaved rounds (req/s):`);
for (const [name, values] of Object.entries(results)) console.log(`  ${name.padEnd(30)} ${values.map((v) => (typeof v === 'number' ? Math.round(v) : v)).join('  ')}`);
