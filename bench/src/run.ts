/**
 * `pnpm bench`: runs every comparison in one process tree, interleaving the variants round by round
 * so machine drift cancels, and writes results/latest.json and results/latest.md.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectCompressors, type PortfolioDocument } from '@globeco/portfolio-core';
import { summarizeCpuProfile, type CpuProfile } from './cpu-profile.js';
import {
  locatePrograms,
  startBareKoa,
  startMongoProcess,
  startRawDriver,
  startService,
  startSink,
  type HttpVariant,
} from './environment.js';
import { runHttpLoad, type HttpLoadResult, type HttpLoadSpec } from './load.js';
import { DEFAULT_MIX } from '@globeco/loadgen';
import { loadgenNamePrefix, runLoadgen, toLatencyLevel } from './loadgen-step.js';
import { mixCost, type OperationCost } from './mix-profile.js';
import { BenchArgsError, parseBenchArgs, type BenchStep } from './options.js';
import { freePort } from '@globeco/testkit';
import { hasTaskset, pin, readCpuSeconds, readRss, stopChild } from './processes.js';
import { readHeapAfterGc } from './inspector-client.js';
import { renderMarkdown } from './report.js';
import type {
  BenchResults,
  LatencyLevel,
  MemoryRecord,
  MixRecord,
  ReferenceRecord,
  ReferenceRun,
  ReferenceVariant,
  RunRecord,
  Scenario,
  ScenarioRatios,
  SearchRecord,
  StartupRecord,
  Variant,
} from './results.js';
import { bulkLoad, scenarioLoad, SEARCH_TERM } from './scenarios.js';
import { growth, median, pairedRatio, rotate, round } from './stats.js';
import { BENCH_COLLECTION, BENCH_DATABASE, CREATED_PREFIX, SEARCH_LIMIT, SORT_NEWEST, createBenchClient, nameLikeQuery, nameQuery, seedDocuments, seedName } from './workload.js';
import { describePlan } from './explain.js';
import { findReferencePython, REFERENCE_SETUP, referencePythonCandidates, startFastapiReference } from './reference.js';

const distDir = fileURLToPath(new URL('.', import.meta.url));
const benchDir = fileURLToPath(new URL('..', import.meta.url));

let options;
try {
  options = parseBenchArgs(process.argv.slice(2), join(benchDir, 'results'));
} catch (error) {
  if (error instanceof BenchArgsError) {
    (error.exitCode === 0 ? process.stdout : process.stderr).write(`${error.message}\n`);
    process.exit(error.exitCode);
  }
  throw error;
}
const opts = options;
const log = (line: string): void => void process.stdout.write(`[bench] ${line}\n`);

// Client side (this process, autocannon, loadgen, MongoDB, OTLP sink) on CPU 0; servers under test on CPU 1.
const cpuCount = availableParallelism();
const pinned = hasTaskset() && cpuCount >= 2;
const CLIENT_CPU = pinned ? 0 : undefined;
const SERVER_CPU = pinned ? 1 : undefined;
if (pinned) pin(process.pid, 0);

const SEED_COUNT = 1000;
const BULK_SIZE = 100;
/** Bulk requests are long; fewer connections keep every slot full of completed requests. */
const BULK_CONNECTIONS = 10;
const MEMORY_GOAL = 0.1;
/** Goal of every service ÷ baseline ratio (bare Koa, telemetry off). */
const OVERHEAD_GOAL = 0.95;
/** Goal of the service ÷ FastAPI + Motor throughput ratio. */
const REFERENCE_GOAL = 1.3;
const STARTUP_GOAL_MS = 1000;
const STARTS = 5;
const startedAt = new Date().toISOString();
const loadAverageStart = loadavg().map((v) => round(v, 2));
const errors: string[] = [];
const logDir = join(opts.outDir, 'logs');
rmSync(logDir, { recursive: true, force: true });
mkdirSync(logDir, { recursive: true });

const programs = locatePrograms(distDir, benchDir);
const children: { child: ChildProcess }[] = [];

async function step<T>(name: string, body: () => Promise<T>): Promise<T | undefined> {
  log(`${name} …`);
  try {
    return await body();
  } catch (error) {
    const message = `${name}: ${(error as Error).message}`;
    errors.push(message);
    log(`FAILED ${message}`);
    return undefined;
  }
}

const mongo = await startMongoProcess(programs.mongoCli, CLIENT_CPU);
children.push(mongo);
const backendMeaning =
  mongo.backend === 'wire'
    ? "wire-compatible in-process server: figures measure the service's own overhead over the driver, not MongoDB's cost"
    : 'real mongod: figures are end-to-end, including the database';
log(`MongoDB backend: ${mongo.backend} (${mongo.topology}) — ${backendMeaning}`);
log(`placement: ${pinned ? 'servers under test on CPU 1; load generators, MongoDB and OTLP sink on CPU 0 (taskset)' : 'not pinned (taskset unavailable or one CPU)'}`);

const client = createBenchClient(mongo.uri);
const collection = client.db(BENCH_DATABASE).collection<PortfolioDocument>(BENCH_COLLECTION);
const cleanCreated = async (): Promise<void> => {
  await collection.deleteMany({ name: { $regex: `^${CREATED_PREFIX}`, $options: 'i' } });
};

const runs: RunRecord[] = [];
let search: SearchRecord[] = [];
let latency: BenchResults['latency'] = null;
let memory: MemoryRecord | null = null;
let driverCompression: BenchResults['driverCompression'] = null;
const profiles: BenchResults['profiles'] = {};
let telemetrySink: BenchResults['telemetrySink'] = {};
let reference: ReferenceRecord | null = null;
let startup: StartupRecord | null = null;
let mix: MixRecord | null = null;
let sink: HttpVariant | undefined;

try {
  await client.connect();
  await client.db(BENCH_DATABASE).dropDatabase();
  sink = await startSink(programs.otlpSink, CLIENT_CPU);
  children.push(sink);
  const service = await startService({ main: programs.apiMain, mongoUri: mongo.uri, otlpEndpoint: sink.url, cpu: SERVER_CPU, logFile: join(logDir, 'service.log') });
  children.push(service);
  const serviceOff = await startService({ main: programs.apiMain, mongoUri: mongo.uri, otlpEndpoint: undefined, cpu: SERVER_CPU, logFile: join(logDir, 'service-telemetry-off.log') });
  children.push(serviceOff);
  // --baseline: another build's service, on and off, measured in the same rounds (before/after in one run).
  const baseline =
    opts.baselineMain === undefined
      ? undefined
      : {
          baselineService: await startService({ main: opts.baselineMain, mongoUri: mongo.uri, otlpEndpoint: sink.url, cpu: SERVER_CPU, logFile: join(logDir, 'baseline-service.log') }),
          baselineTelemetryOff: await startService({ main: opts.baselineMain, mongoUri: mongo.uri, otlpEndpoint: undefined, cpu: SERVER_CPU, logFile: join(logDir, 'baseline-telemetry-off.log') }),
        };
  if (baseline !== undefined) children.push(baseline.baselineService, baseline.baselineTelemetryOff);
  const bareKoa = await startBareKoa(programs.bareKoa, mongo.uri, SERVER_CPU);
  children.push(bareKoa);
  const raw = await startRawDriver(programs.rawDriver, mongo.uri, SERVER_CPU);
  children.push(raw);

  const seeded = seedDocuments(0, SEED_COUNT);
  await collection.insertMany(seeded);
  const ids = seeded.map((d) => d._id.toHexString());
  log(`seeded ${SEED_COUNT} portfolios; service ${service.url}, telemetry off ${serviceOff.url}, bare Koa ${bareKoa.url}`);

  const http: Partial<Record<Exclude<Variant, 'rawDriver'>, HttpVariant>> = { service, serviceTelemetryOff: serviceOff, bareKoa, ...baseline };
  const variants: Variant[] = ['service', 'serviceTelemetryOff', 'bareKoa', 'rawDriver', ...(baseline === undefined ? [] : (['baselineService', 'baselineTelemetryOff'] as const))];
  const scenarios: Scenario[] = ['getById', 'search', 'create'];

  /** The running HTTP server of a variant (the baseline variants only run with --baseline). */
  const target = (variant: Exclude<Variant, 'rawDriver'>): HttpVariant => {
    const server = http[variant];
    if (server === undefined) throw new Error(`variant ${variant} is not running`);
    return server;
  };

  /** Runs one slot and reports the CPU the process `pid` and the client side (this process and MongoDB) used in it. */
  const cpuOfSlot = async <T extends { readonly rate: number }>(pid: number, body: () => Promise<T>) => {
    const serverCpu0 = readCpuSeconds(pid);
    const clientCpu0 = process.cpuUsage();
    const mongoCpu0 = readCpuSeconds(mongo.child.pid!);
    const wall0 = performance.now();
    const result = await body();
    const wallSeconds = (performance.now() - wall0) / 1000;
    const serverCpuSeconds = readCpuSeconds(pid) - serverCpu0;
    const clientCpu = process.cpuUsage(clientCpu0);
    const clientCpuSeconds = (clientCpu.user + clientCpu.system) / 1e6 + (readCpuSeconds(mongo.child.pid!) - mongoCpu0);
    const ops = result.rate * wallSeconds;
    return {
      result,
      serverCpuShare: round(serverCpuSeconds / wallSeconds, 2),
      clientCpuShare: round(clientCpuSeconds / wallSeconds, 2),
      cpuUsPerOp: ops > 0 ? round((serverCpuSeconds * 1e6) / ops, 0) : Number.NaN,
    };
  };

  /** Runs `body` and reports the CPU seconds the service and MongoDB processes used meanwhile. */
  const cpuOfSides = async <T,>(body: () => Promise<T>) => {
    const service0 = readCpuSeconds(service.child.pid!);
    const mongo0 = readCpuSeconds(mongo.child.pid!);
    const result = await body();
    return { result, cpu: { service: readCpuSeconds(service.child.pid!) - service0, mongo: readCpuSeconds(mongo.child.pid!) - mongo0 } };
  };

  const measure = async (scenario: Scenario, variant: Variant, roundIndex: number, durationMs: number): Promise<RunRecord> => {
    const tag = `${scenario} ${variant} ${roundIndex}`;
    const pid = (variant === 'rawDriver' ? raw.child : target(variant).child).pid!;
    const { result, ...cpu } = await cpuOfSlot(pid, () => runScenario(scenario, variant, tag, durationMs));
    if (scenario === 'create') await cleanCreated();
    return { round: roundIndex, scenario, variant, ...result, ...(scenario === 'create' ? { docsPerSecond: result.rate } : {}), ...cpu };
  };

  const runScenario = async (
    scenario: Scenario,
    variant: Variant,
    tag: string,
    durationMs: number,
  ): Promise<Pick<HttpLoadResult, 'rate' | 'p50' | 'p99' | 'non2xx' | 'errors'>> => {
    let result: Pick<HttpLoadResult, 'rate' | 'p50' | 'p99' | 'non2xx' | 'errors'>;
    if (variant === 'rawDriver') {
      const base = { durationMs, loops: opts.connections };
      const r =
        scenario === 'getById'
          ? await raw.measure({ op: 'getById', ...base, ids })
          : scenario === 'create'
            ? await raw.measure({ op: 'create', ...base, tag })
            : await raw.measure({ op: 'search', ...base, term: SEARCH_TERM });
      result = { rate: round(r.rate, 1), p50: round(r.p50, 2), p99: round(r.p99, 2), non2xx: 0, errors: r.errors };
    } else {
      const { rate, p50, p99, non2xx, errors: failed } = await runHttpLoad(scenarioLoad(scenario, target(variant).url, ids, tag, opts.connections, durationMs));
      result = { rate, p50, p99, non2xx, errors: failed };
    }
    return result;
  };

  const wants = (name: BenchStep): boolean => opts.steps.includes(name);
  if (wants('overhead')) await step('warm-up', async () => {
    for (const scenario of scenarios) for (const variant of variants) await measure(scenario, variant, -1, opts.warmupMs);
  });

  if (wants('overhead')) await step(`interleaved overhead rounds (${opts.rounds} × ${scenarios.length} scenarios × ${variants.length} variants, ${opts.slotMs / 1000} s slots)`, async () => {
    for (let r = 0; r < opts.rounds; r++) {
      for (const scenario of scenarios) {
        for (const variant of rotate(variants, r)) {
          const record = await measure(scenario, variant, r, opts.slotMs);
          runs.push(record);
          log(`round ${r} ${scenario.padEnd(7)} ${variant.padEnd(19)} ${String(record.rate).padStart(8)} /s  p50 ${record.p50} ms  p99 ${record.p99} ms  server CPU ${record.serverCpuShare} (${record.cpuUsPerOp} µs/op), client CPU ${record.clientCpuShare}${record.non2xx + record.errors > 0 ? `  non2xx ${record.non2xx} errors ${record.errors}` : ''}`);
        }
      }
    }
  });

  if (wants('reference')) reference = (await step(`the original's stack: FastAPI + Motor vs the service vs bare Koa, GET by id, zlib for every client (${opts.rounds} interleaved rounds)`, async (): Promise<ReferenceRecord> => {
    const found = findReferencePython(referencePythonCandidates(benchDir));
    if (found === undefined) {
      const reason = `no Python with FastAPI, uvicorn, uvloop, httptools and Motor (set BENCH_PYTHON, or: ${REFERENCE_SETUP})`;
      log(`reference skipped: ${reason}`);
      return { ran: false, reason };
    }
    log(`reference server: ${found.versions}`);
    const started: HttpVariant[] = [];
    try {
      const servers: Record<ReferenceVariant, HttpVariant> = {
        service: await startService({ main: programs.apiMain, mongoUri: mongo.uri, otlpEndpoint: sink!.url, cpu: SERVER_CPU, logFile: join(logDir, 'service-zlib.log'), compressors: 'zlib' }),
        bareKoa: await startBareKoa(programs.bareKoa, mongo.uri, SERVER_CPU, [], 'zlib'),
        fastapiMotor: await startFastapiReference(found.python, benchDir, mongo.uri, { database: BENCH_DATABASE, name: BENCH_COLLECTION }, SERVER_CPU),
      };
      started.push(...Object.values(servers));
      const order: ReferenceVariant[] = ['service', 'bareKoa', 'fastapiMotor'];
      const slot = async (variant: ReferenceVariant, roundIndex: number, durationMs: number): Promise<ReferenceRun> => {
        const { result, serverCpuShare, cpuUsPerOp } = await cpuOfSlot(servers[variant].child.pid!, () =>
          runHttpLoad(scenarioLoad('getById', servers[variant].url, ids, `reference ${variant}`, opts.connections, durationMs)),
        );
        return { round: roundIndex, variant, rate: result.rate, p50: result.p50, p99: result.p99, non2xx: result.non2xx, errors: result.errors, serverCpuShare, cpuUsPerOp };
      };
      for (const variant of order) await slot(variant, -1, opts.warmupMs);
      const referenceRuns: ReferenceRun[] = [];
      for (let r = 0; r < opts.rounds; r++) {
        for (const variant of rotate(order, r)) {
          const record = await slot(variant, r, opts.slotMs);
          referenceRuns.push(record);
          log(`round ${r} reference ${variant.padEnd(12)} ${String(record.rate).padStart(8)} /s  p50 ${record.p50} ms  p99 ${record.p99} ms  server CPU ${record.serverCpuShare} (${record.cpuUsPerOp} µs/op)${record.non2xx + record.errors > 0 ? `  non2xx ${record.non2xx} errors ${record.errors}` : ''}`);
        }
      }
      const of = (variant: ReferenceVariant, field: 'rate' | 'p99' | 'cpuUsPerOp'): (number | undefined)[] =>
        Array.from({ length: opts.rounds }, (_, r) => referenceRuns.find((x) => x.round === r && x.variant === variant)?.[field]);
      const mid = (variant: ReferenceVariant) => ({
        rate: round(median(of(variant, 'rate').filter((x) => x !== undefined)), 1),
        p99: round(median(of(variant, 'p99').filter((x) => x !== undefined)), 2),
        cpuUsPerOp: round(median(of(variant, 'cpuUsPerOp').filter((x) => x !== undefined)), 0),
      });
      return {
        ran: true,
        python: found.versions,
        compressor: 'zlib',
        runs: referenceRuns,
        medians: { service: mid('service'), bareKoa: mid('bareKoa'), fastapiMotor: mid('fastapiMotor') },
        serviceVsFastapi: pairedRatio(of('service', 'rate'), of('fastapiMotor', 'rate'), REFERENCE_GOAL),
        cpuServiceVsFastapi: pairedRatio(of('fastapiMotor', 'cpuUsPerOp'), of('service', 'cpuUsPerOp')),
        p99FastapiVsService: pairedRatio(of('fastapiMotor', 'p99'), of('service', 'p99'), 1),
        bareKoaVsFastapi: pairedRatio(of('bareKoa', 'rate'), of('fastapiMotor', 'rate')),
      };
    } finally {
      for (const server of started) await stopChild(server.child, 20_000);
    }
  })) ?? null;

  if (wants('bulk')) await step(`bulk vs single create (${BULK_SIZE} per bulk on ${BULK_CONNECTIONS} connections, single on ${opts.connections}; interleaved)`, async () => {
    const kinds = ['single', 'bulk', 'fastBulk'] as const;
    for (let r = 0; r < opts.rounds; r++) {
      for (const kind of rotate(kinds, r)) {
        const tag = `${kind} ${r}`;
        const spec =
          kind === 'single'
            ? scenarioLoad('create', service.url, ids, tag, opts.connections, opts.slotMs)
            : bulkLoad(kind === 'bulk' ? 'v2' : 'fast', service.url, BULK_SIZE, tag, BULK_CONNECTIONS, opts.slotMs);
        const result = await runHttpLoad(spec);
        await cleanCreated();
        const docsPerSecond = round(result.rate * (kind === 'single' ? 1 : BULK_SIZE), 1);
        runs.push({ round: r, scenario: kind, variant: 'service', rate: result.rate, docsPerSecond, p50: result.p50, p99: result.p99, non2xx: result.non2xx, errors: result.errors });
        log(`round ${r} ${kind.padEnd(8)} ${String(docsPerSecond).padStart(9)} docs/s  p50 ${result.p50} ms  p99 ${result.p99} ms${result.non2xx + result.errors > 0 ? `  non2xx ${result.non2xx} errors ${result.errors}` : ''}`);
      }
    }
  });

  if (wants('compression')) {
    driverCompression =
      (await step('raw driver findOne with and without wire compression (interleaved)', async () => {
        const compressed: number[] = [];
        const plain: number[] = [];
        for (let r = 0; r < opts.rounds; r++) {
          for (const on of rotate([true, false], r)) {
            const result = await raw.measure({ op: 'getById', durationMs: opts.slotMs, loops: opts.connections, ids, compressed: on });
            (on ? compressed : plain).push(result.rate);
            log(`round ${r} findOne ${on ? 'compressed  ' : 'uncompressed'} ${round(result.rate, 1)} ops/s p50 ${round(result.p50, 2)} ms`);
          }
        }
        return {
          compressors: detectCompressors().enabled.join(',') || 'none',
          compressedRate: round(median(compressed), 1),
          uncompressedRate: round(median(plain), 1),
          uncompressedVsCompressed: pairedRatio(plain, compressed),
        };
      })) ?? null;
  }

  if (wants('profile')) {
    await step('CPU profiles of the full service and bare Koa (node --cpu-prof, load phase only)', async () => {
      const profileDir = join(opts.outDir, 'profiles');
      rmSync(profileDir, { recursive: true, force: true });
      type Target = 'service' | 'serviceTelemetryOff' | 'bareKoa';
      const targets: [Scenario | 'bulk' | 'fastBulk', Target][] = [
        ...scenarios.flatMap((scenario) => (['service', 'bareKoa'] as const).map((target): [Scenario, Target] => [scenario, target])),
        ['getById', 'serviceTelemetryOff'],
        ['bulk', 'service'],
        ['fastBulk', 'service'],
      ];
      for (const [scenario, target] of targets) {
        {
          const key = `${scenario}.${target}`;
          const spec = (tag: string, durationMs: number): HttpLoadSpec =>
            scenario === 'bulk' || scenario === 'fastBulk'
              ? bulkLoad(scenario === 'bulk' ? 'v2' : 'fast', profiled.url, BULK_SIZE, tag, BULK_CONNECTIONS, durationMs)
              : scenarioLoad(scenario, profiled.url, ids, tag, opts.connections, durationMs);
          const dir = join(profileDir, key);
          mkdirSync(dir, { recursive: true });
          const execArgv = ['--cpu-prof', '--cpu-prof-dir', dir];
          const profiled =
            target === 'bareKoa'
              ? await startBareKoa(programs.bareKoa, mongo.uri, SERVER_CPU, execArgv)
              : await startService({
                  main: programs.apiMain,
                  mongoUri: mongo.uri,
                  otlpEndpoint: target === 'service' ? sink!.url : undefined,
                  cpu: SERVER_CPU,
                  logFile: join(logDir, `profile-${key}.log`),
                  execArgv,
                });
          await runHttpLoad(spec(`warm ${key}`, Math.min(2000, opts.profileMs / 2)));
          const startUs = Number(process.hrtime.bigint() / 1000n);
          const load = await runHttpLoad(spec(`profile ${key}`, opts.profileMs));
          const endUs = Number(process.hrtime.bigint() / 1000n);
          if (load.non2xx + load.errors > 0) errors.push(`profile ${key}: ${load.non2xx} non-2xx answers and ${load.errors} errors during the profiled load`);
          await cleanCreated();
          await stopChild(profiled.child, 20_000);
          // One file per thread (the ESM loader-hooks thread writes one too): the main thread's is the largest.
          const file = readdirSync(dir)
            .filter((f) => f.endsWith('.cpuprofile'))
            .sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
          if (file === undefined) throw new Error(`no .cpuprofile written for ${key}`);
          const summary = summarizeCpuProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, 20, { startUs, endUs });
          profiles[key] = { ...summary, requests: load.ok * (scenario === 'bulk' || scenario === 'fastBulk' ? BULK_SIZE : 1), cpuUsPerRequest: round((summary.busyMs * 1000) / Math.max(1, load.ok), 0), file: join('profiles', key, file) };
          log(`profile ${key}: ${load.ok} requests, ${profiles[key].cpuUsPerRequest} µs CPU per request; ${summary.byArea.slice(0, 8).map((a) => `${a.name} ${a.selfPct}%`).join(', ')}`);
        }
      }
    });
  }

  const maxRate = !wants('latency') ? undefined : await step('open-loop latency (loadgen mixed scenario)', async () => {
    if (programs.loadgenBin === undefined) throw new Error('@globeco/loadgen has no bin; step skipped');
    const seconds = `${opts.loadgenMs / 1000}s`;
    const dir = join(opts.outDir, 'loadgen');
    const probe = await runLoadgen(programs.loadgenBin, service.url, ['--closed', '--concurrency', String(opts.connections), '--duration', seconds], dir, 'max', CLIENT_CPU);
    const max = probe.achievedRate;
    const levels: LatencyLevel[] = [];
    for (const share of [0.5, 0.9]) {
      const rate = Math.max(1, Math.round(max * share));
      const report = await runLoadgen(programs.loadgenBin, service.url, ['--rate', String(rate), '--duration', seconds], dir, `${share * 100}pct`, CLIENT_CPU);
      levels.push(toLatencyLevel(share, report));
      log(`open loop ${share * 100} % of ${round(max, 0)}/s: achieved ${round(report.achievedRate, 1)}/s p50 ${report.latency.p50} p99 ${report.latency.p99} p99.9 ${report.latency.p999} ms`);
    }
    latency = {
      maxRate: round(max, 1),
      levels,
      note: 'loadgen default mix (get 50, search 15, update 10, create 8, bulk 5, fastBulk 5, delete 5, list 2); maximum from a closed-loop probe; response time measured from the scheduled send',
    };
    await cleanCreated();
    return max;
  });

  if (wants('mix')) mix = (await step('mixed scenario by operation: each operation of the mix alone, closed loop, CPU per request of the service and of MongoDB', async (): Promise<MixRecord> => {
    const bin = programs.loadgenBin;
    if (bin === undefined) throw new Error('@globeco/loadgen has no bin; step skipped');
    const dir = join(opts.outDir, 'loadgen');
    const operations: OperationCost[] = [];
    for (const [operation, spec] of Object.entries(DEFAULT_MIX)) {
      const label = `mix${operation}`;
      const stored = await collection.countDocuments({});
      // Created portfolios are removed by name afterwards, so the loadgen's clean-up is not measured.
      const { result: report, cpu } = await cpuOfSides(() =>
        runLoadgen(bin, service.url, ['--closed', '--concurrency', '20', '--duration', `${opts.mixMs / 1000}s`, '--mix', `${operation}=1`], dir, label, CLIENT_CPU, { cleanup: false }),
      );
      await collection.deleteMany({ name: { $regex: `^${loadgenNamePrefix(label)}` } });
      const requests = report.requests;
      const cost: OperationCost = {
        operation,
        weight: spec?.weight ?? 0,
        requests,
        rate: round(report.achievedRate, 1),
        serviceUs: requests > 0 ? round((cpu.service * 1e6) / requests, 0) : Number.NaN,
        mongoUs: requests > 0 ? round((cpu.mongo * 1e6) / requests, 0) : Number.NaN,
        loadgenUs: requests > 0 ? round((report.generator.cpuPercent / 100) * report.durationSec * 1e6 / requests, 0) : Number.NaN,
        stored,
      };
      operations.push(cost);
      log(`mix ${operation.padEnd(8)} alone: ${cost.rate}/s, service ${cost.serviceUs} µs/req, MongoDB ${cost.mongoUs} µs/req, loadgen ${cost.loadgenUs} µs/req (${stored} stored)`);
    }
    const cost = mixCost(operations);
    log(`mix: service ${cost.serviceUs} µs/req (ceiling ${cost.serviceCeiling}/s), MongoDB ${cost.mongoUs} µs/req (ceiling ${cost.mongoCeiling}/s); bottleneck ${cost.bottleneck}; service by operation ${cost.serviceShares.slice(0, 3).map((x) => `${x.operation} ${pct(x.share)}`).join(', ')}`);
    return {
      ...cost,
      operations,
      how: `each operation of the loadgen's default mix alone: closed loop, 20 loops, ${opts.mixMs / 1000} s, after the loadgen's 200-portfolio seed (counted); CPU of the service and MongoDB processes over the run, per request; weighted by the mix`,
    };
  })) ?? null;

  if (wants('memory')) memory = (await step('memory under sustained load (dedicated service instance, heap read after a forced GC)', async () => {
    const inspectPort = await freePort();
    const instance = await startService({
      main: programs.apiMain,
      mongoUri: mongo.uri,
      otlpEndpoint: sink!.url,
      cpu: SERVER_CPU,
      logFile: join(logDir, 'service-memory.log'),
      execArgv: [`--inspect=127.0.0.1:${inspectPort}`],
    });
    try {
      const pid = instance.child.pid!;
      const getByIdMax = median(runs.filter((x) => x.scenario === 'getById' && x.variant === 'service').map((x) => x.rate));
      const useLoadgen = maxRate !== undefined && programs.loadgenBin !== undefined;
      const rate = Math.max(1, Math.round((useLoadgen ? maxRate : Number.isFinite(getByIdMax) ? getByIdMax : 200) * 0.5));
      const how = useLoadgen ? 'loadgen mixed scenario, open loop' : 'autocannon GET by id at a fixed overall rate';
      const sustain = async (label: string, durationMs: number): Promise<void> => {
        if (useLoadgen) {
          await runLoadgen(programs.loadgenBin, instance.url, ['--rate', String(rate), '--duration', `${durationMs / 1000}s`], join(opts.outDir, 'loadgen'), label, CLIENT_CPU);
        } else {
          await runHttpLoad({ ...scenarioLoad('getById', instance.url, ids, label, opts.connections, durationMs), overallRate: rate });
        }
        await cleanCreated();
      };
      const sample = async (): Promise<{ rssBytes: number; heapUsedBytes: number }> => {
        const heap = await readHeapAfterGc(inspectPort);
        await new Promise((r) => setTimeout(r, 500));
        return { rssBytes: readRss(pid), heapUsedBytes: heap.usedBytes };
      };
      await sustain('memorywarmup', opts.warmupMs * 4);
      const before = await sample();
      await sustain('memory', opts.memoryMs);
      const after = await sample();
      const rssGrowth = round(growth(before.rssBytes, after.rssBytes), 3);
      const heapGrowth = round(growth(before.heapUsedBytes, after.heapUsedBytes), 3);
      log(`memory: RSS ${mb(before.rssBytes)} → ${mb(after.rssBytes)} MB (${pct(rssGrowth)}), heap after GC ${mb(before.heapUsedBytes)} → ${mb(after.heapUsedBytes)} MB (${pct(heapGrowth)})`);
      return {
        sustainedRate: rate,
        sustainedSeconds: opts.memoryMs / 1000,
        how,
        before,
        after,
        rssGrowth,
        heapGrowth,
        goal: MEMORY_GOAL,
        met: rssGrowth < MEMORY_GOAL && heapGrowth < MEMORY_GOAL,
      };
    } finally {
      await stopChild(instance.child, 20_000);
    }
  })) ?? null;

  if (wants('search')) search = (await step(`search scaling (${opts.searchSizes.join(', ')} stored)`, async () => {
    const records: SearchRecord[] = [];
    let stored = await collection.countDocuments({});
    for (const size of opts.searchSizes) {
      for (let from = stored; from < size; from += 10_000) await collection.insertMany(seedDocuments(from, Math.min(size, from + 10_000)));
      stored = Math.max(stored, size);
      const probe = Math.min(size - 1, 4242);
      const queries = [
        { query: 'name_like' as const, term: `fund ${probe}`, search: nameLikeQuery(`fund ${probe}`) },
        { query: 'name' as const, term: seedName(probe), search: nameQuery(seedName(probe)) },
      ];
      for (const q of queries) {
        const path = `/api/v2/portfolios?${q.query}=${encodeURIComponent(q.term)}&limit=${SEARCH_LIMIT}`;
        const result = await runHttpLoad({ url: service.url, method: 'GET', path: () => path, connections: 10, durationMs: opts.searchMs });
        const { filter, collation } = q.search;
        const explain = await collection.find(filter, collation ? { collation } : {}).sort(SORT_NEWEST).limit(SEARCH_LIMIT).explain('executionStats');
        const plan = describePlan(explain);
        records.push({ stored: size, query: q.query, url: path, rate: result.rate, p50: result.p50, p99: result.p99, non2xx: result.non2xx, ...plan });
        log(`search ${q.query.padEnd(9)} at ${size}: ${result.rate}/s p50 ${result.p50} ms p99 ${result.p99} ms; plan ${plan.plan}`);
      }
    }
    return records;
  })) ?? [];

  if (wants('startup')) startup = (await step(`start-up: process start to /health/ready with MongoDB up (${STARTS} starts)`, async (): Promise<StartupRecord> => {
    const readyMs: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const instance = await startService({
        main: programs.apiMain,
        mongoUri: mongo.uri,
        otlpEndpoint: sink!.url,
        cpu: SERVER_CPU,
        logFile: join(logDir, 'service-startup.log'),
        readyPath: '/health/ready',
        pollMs: 5,
      });
      readyMs.push(round(instance.readyMs, 0));
      await stopChild(instance.child, 20_000);
      log(`start ${i + 1}: ready after ${round(instance.readyMs, 0)} ms`);
    }
    const medianMs = round(median(readyMs), 0);
    return {
      starts: STARTS,
      readyMs,
      medianMs,
      maxMs: Math.max(...readyMs),
      goalMs: STARTUP_GOAL_MS,
      met: medianMs < STARTUP_GOAL_MS,
      how: 'spawn of `node apps/api/dist/main.js` (production profile, telemetry on, pinned to the server CPU) to the first 200 of /health/ready, polled every 5 ms',
    };
  })) ?? null;

  telemetrySink = (await step('telemetry sink counts', async () => (await (await fetch(`${sink!.url}/stats`)).json()) as BenchResults['telemetrySink'])) ?? {};
} catch (error) {
  errors.push(`run aborted: ${(error as Error).stack ?? String(error)}`);
  log(`ABORTED ${(error as Error).message}`);
} finally {
  await client.close().catch(() => undefined);
  for (const c of children.reverse()) await stopChild(c.child).catch(() => undefined);
}

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)} %`;
}

const series = (scenario: RunRecord['scenario'], variant: Variant, field: 'rate' | 'docsPerSecond' | 'cpuUsPerOp' = 'rate'): (number | undefined)[] =>
  Array.from({ length: opts.rounds }, (_, r) => runs.find((x) => x.round === r && x.scenario === scenario && x.variant === variant)?.[field]);

// CPU efficiency ratios: reference µs per op ÷ service µs per op, so that (like the throughput ratios)
// 1.0 means "as cheap as the reference" whichever side of the machine saturated.
const scenarioRatios = (scenario: Scenario): ScenarioRatios => ({
  vsBareKoa: pairedRatio(series(scenario, 'service'), series(scenario, 'bareKoa'), OVERHEAD_GOAL),
  vsRawDriver: pairedRatio(series(scenario, 'service'), series(scenario, 'rawDriver')),
  telemetryOnVsOff: pairedRatio(series(scenario, 'service'), series(scenario, 'serviceTelemetryOff'), OVERHEAD_GOAL),
  cpu: {
    vsBareKoa: pairedRatio(series(scenario, 'bareKoa', 'cpuUsPerOp'), series(scenario, 'service', 'cpuUsPerOp'), OVERHEAD_GOAL),
    vsRawDriver: pairedRatio(series(scenario, 'rawDriver', 'cpuUsPerOp'), series(scenario, 'service', 'cpuUsPerOp')),
    telemetryOnVsOff: pairedRatio(series(scenario, 'serviceTelemetryOff', 'cpuUsPerOp'), series(scenario, 'service', 'cpuUsPerOp'), OVERHEAD_GOAL),
  },
  ...(opts.baselineMain === undefined
    ? {}
    : { baselineCpuTelemetryOnVsOff: pairedRatio(series(scenario, 'baselineTelemetryOff', 'cpuUsPerOp'), series(scenario, 'baselineService', 'cpuUsPerOp'), OVERHEAD_GOAL) }),
});

const medians: Record<string, Record<string, number>> = {};
for (const record of runs) {
  const key = record.scenario;
  medians[key] ??= {};
  medians[key][record.variant] = round(median(runs.filter((x) => x.scenario === key && x.variant === record.variant).map((x) => x.docsPerSecond ?? x.rate)), 1);
}

const results: BenchResults = {
  schema: 'globeco-bench/results',
  schemaVersion: 1,
  mode: opts.quick ? 'quick' : 'full',
  startedAt,
  finishedAt: new Date().toISOString(),
  machine: {
    cpus: cpuCount,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryBytes: totalmem(),
    loadAverageStart,
    loadAverageEnd: loadavg().map((v) => round(v, 2)),
    pinned,
    placement: pinned ? 'servers under test: CPU 1; load generators, MongoDB, OTLP sink, orchestrator: CPU 0' : 'unpinned',
  },
  backend: { name: mongo.backend, topology: mongo.topology, line: mongo.line, meaning: backendMeaning },
  node: process.version,
  settings: {
    rounds: opts.rounds,
    slotSeconds: opts.slotMs / 1000,
    warmupSeconds: opts.warmupMs / 1000,
    connections: opts.connections,
    seeded: SEED_COUNT,
    bulkSize: BULK_SIZE,
    searchTerm: SEARCH_TERM,
    searchLimit: SEARCH_LIMIT,
    serviceProfile: 'APP_ENV=production (pool 5/20, sampling 0.1, log level warn, access log off), OTLP http/protobuf to a local sink',
    telemetryOff: 'OTEL_SDK_DISABLED=true ENABLE_METRICS=false',
    ...(opts.baselineMain === undefined ? {} : { baselineMain: opts.baselineMain }),
    loadDriver: 'autocannon 9 closed loop (keep-alive, no pipelining); raw driver: N concurrent findOne/insertOne/find+count loops in one process',
    bulkConnections: BULK_CONNECTIONS,
    steps: opts.steps,
  },
  runs,
  medians,
  ratios: {
    getById: scenarioRatios('getById'),
    create: scenarioRatios('create'),
    search: scenarioRatios('search'),
    bulkVsSingle: pairedRatio(series('bulk', 'service', 'docsPerSecond'), series('single', 'service', 'docsPerSecond'), 50),
    fastBulkVsSingle: pairedRatio(series('fastBulk', 'service', 'docsPerSecond'), series('single', 'service', 'docsPerSecond'), 50),
  },
  driverCompression,
  search,
  latency,
  memory,
  profiles,
  telemetrySink,
  reference,
  mix,
  startup,
  errors,
};

mkdirSync(opts.outDir, { recursive: true });
writeFileSync(join(opts.outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
const markdown = renderMarkdown(results);
writeFileSync(join(opts.outDir, 'latest.md'), markdown);
process.stdout.write(`\n${markdown}\n`);
log(`wrote ${join(opts.outDir, 'latest.json')} and latest.md`);
process.exit(errors.some((e) => e.startsWith('run aborted')) ? 1 : 0);
