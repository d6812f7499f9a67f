import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { cpuUsage } from 'node:process';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Options } from './cli/args.js';
import { startEngine } from './engine.js';
import type { EngineConfig, EngineResult } from './engine.js';
import { createHttpClient } from './http/client.js';
import { createProgress } from './progress.js';
import type { ProgressSink } from './progress.js';
import { assembleReport } from './report/assemble.js';
import { renderHtmlReport } from './report/html.js';
import { intervalsToCsv, intervalsToNdjson } from './report/intervals-file.js';
import type { Report } from './report/types.js';
import { cleanupPortfolios, seedPortfolios } from './scenario/seed.js';
import type { Item } from './scenario/pool.js';
import { createRateProfile } from './schedule/stages.js';
import { createAccumulator } from './stats/aggregate.js';
import type { IntervalSnapshot } from './stats/recorder.js';
import { describeSaturation, intervalSaturation } from './stats/saturation.js';
import { createServiceWatcher } from './autoscale/watch.js';
import { EXIT_GENERATOR_SATURATED, EXIT_OK, EXIT_THRESHOLD_FAILED } from './errors.js';
import type { WorkerMessage } from './worker.js';

/** Side channels of a run: progress output and a signal to end it early. */
export interface RunIo {
  progress?: ProgressSink;
  signal?: AbortSignal;
}

function resolveStartAt(startAt: Options['startAt'], lead: number): number {
  const now = Date.now();
  if (startAt === undefined) return now + lead;
  if (typeof startAt === 'number') return Math.max(startAt, now + 20);
  const earliest = now + lead;
  return Math.ceil(earliest / startAt.alignMs) * startAt.alignMs;
}

/** Writes a file, creating its directory. */
export function writeOutput(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Writes the report files an options object asks for. */
export function writeReportFiles(report: Report, out: { json?: string; html?: string; intervals?: string }): void {
  if (out.json !== undefined) writeOutput(out.json, `${JSON.stringify(report, null, 2)}\n`);
  if (out.html !== undefined) writeOutput(out.html, renderHtmlReport(report));
  if (out.intervals !== undefined) writeOutput(out.intervals, /\.csv$/i.test(out.intervals) ? intervalsToCsv(report.intervals) : intervalsToNdjson(report.intervals));
}

/** Maps a report to the process exit code (saturation first: then no figure can be trusted). */
export function exitCodeOf(report: Report): number {
  if (report.generator.saturated) return EXIT_GENERATOR_SATURATED;
  if (!report.thresholdsPassed) return EXIT_THRESHOLD_FAILED;
  return EXIT_OK;
}

interface RunningEngine {
  done: Promise<EngineResult>;
  stop(): void;
}

function spawnWorker(config: EngineConfig, onInterval: (s: IntervalSnapshot) => void): RunningEngine {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const url = new URL(fromSource ? './worker.ts' : './worker.js', here);
  // running from TypeScript sources (tests): load the worker through tsx's loader API
  const worker = fromSource
    ? new Worker(`import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(here)}))`, { eval: true, workerData: config })
    : new Worker(url, { workerData: config });
  const done = new Promise<EngineResult>((resolve, reject) => {
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'interval') onInterval(msg.snapshot);
      else if (msg.type === 'done') {
        resolve({ items: msg.items });
        void worker.terminate();
      } else reject(new Error(`generator worker failed: ${msg.message}`));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`generator worker exited with code ${code}`));
    });
  });
  return { done, stop: () => worker.postMessage('stop') };
}

/**
 * Runs a load test as described by `options` against `options.target` and returns the report
 * (also written to the files the options name). Seeds data first, runs the schedule on one or more
 * threads, then cleans up if asked.
 */
export async function run(options: Options, io: RunIo = {}): Promise<Report> {
  const setupClient = createHttpClient(options.target, { connections: 8, timeoutMs: options.timeoutMs });
  const shardTag = options.shard.count > 1 ? `s${options.shard.index}` : '';
  const prefix = `lg-${options.tag}${shardTag}`;
  const seedStart = Date.now();
  let seeded: Item[] = [];
  try {
    if (options.setup.portfolios > 0) seeded = await seedPortfolios(setupClient, options.setup.portfolios, options.setup.bulkSize, `${prefix}-seed-`);
  } catch (err) {
    await setupClient.close();
    throw err;
  }
  const seedPhase = { created: seeded.length, durationMs: Date.now() - seedStart };

  const profile = createRateProfile(options.stages, options.rate);
  const startAt = resolveStartAt(options.startAt, (options.workers > 1 ? 500 : 50) + (options.warmup > 0 ? 400 : 0));
  const slots = options.workers * options.shard.count;
  const acc = createAccumulator(options.workers, options.intervalMs);
  const totalSec = profile.durationMs / 1000;
  const stageLabel = (tSec: number): string => {
    const i = profile.stageAt(tSec * 1000);
    const m = profile.marks[i];
    return m === undefined ? '' : `${options.stages.length > 1 ? `stage ${i + 1}/${options.stages.length} ` : ''}${m.label}`;
  };
  const progress = createProgress(options.progress, io.progress, totalSec, options.intervalMs);
  const watcher = createServiceWatcher(options, startAt);

  // expected arrivals per interval (this shard's share), for target-vs-achieved
  let targetArrivals = 0;
  if (options.model === 'open') {
    const share = 1 / options.shard.count;
    const end = Number.isFinite(options.maxRequests) ? Math.min(profile.durationMs, profile.timeOfArrival(options.maxRequests) + 1e-6) : profile.durationMs;
    for (let i = 0; i * options.intervalMs < end; i++) {
      const a = profile.arrivalsUntil(i * options.intervalMs);
      const b = profile.arrivalsUntil(Math.min(end, (i + 1) * options.intervalMs));
      acc.addTarget(i, (b - a) * share);
    }
    targetArrivals = Math.min(profile.arrivalsUntil(end), Number.isFinite(options.maxRequests) ? options.maxRequests : Infinity) * share;
  }

  // the first interval of each reason is announced live; the report's warning sums them all up
  const warned = new Set<string>();
  const onInterval = (s: IntervalSnapshot): void => {
    const row = acc.addSnapshot(s);
    if (row === undefined) return;
    progress.update(row, stageLabel(row.t));
    const why = row.index > 0 ? intervalSaturation(row, options.intervalMs) : undefined;
    if (why !== undefined && !warned.has(why.kind)) {
      warned.add(why.kind);
      progress.warn(`generator is falling behind at ${row.t}s: ${describeSaturation(why)}`);
    }
  };

  const cpuStart = cpuUsage();
  const wallStart = Date.now();
  const engines: RunningEngine[] = [];
  for (let w = 0; w < options.workers; w++) {
    const config: EngineConfig = {
      target: options.target,
      model: options.model,
      stages: options.stages,
      initialRate: options.rate,
      maxRequests: options.maxRequests,
      slot: options.shard.index + options.shard.count * w,
      slots,
      startAt,
      intervalMs: options.intervalMs,
      maxInFlight: Math.max(1, Math.ceil(options.maxInFlight / options.workers)),
      concurrency: Math.floor(options.concurrency / options.workers) + (w < options.concurrency % options.workers ? 1 : 0),
      connections: options.connections,
      connectionTtlMs: options.connectionTtlMs,
      timeoutMs: options.timeoutMs,
      lateMs: options.lateMs,
      maxLagMs: options.maxLagMs,
      mix: options.mix,
      seed: options.seed,
      items: seeded.filter((_, i) => i % options.workers === w),
      namePrefix: `${prefix}w${w}-`,
      warmupRequests: Math.ceil(options.warmup / options.workers),
    };
    engines.push(options.workers === 1 ? startEngine(config, onInterval) : spawnWorker(config, onInterval));
  }
  const onAbort = (): void => engines.forEach((e) => e.stop());
  io.signal?.addEventListener('abort', onAbort, { once: true });
  if (io.signal?.aborted === true) onAbort();
  watcher?.start((index, sample) => acc.addServiceSample(index, sample));

  let results: EngineResult[];
  try {
    results = await Promise.all(engines.map((e) => e.done));
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    await watcher?.stop();
    progress.done();
  }
  const endAt = Date.now();
  const cpu = cpuUsage(cpuStart);
  const wallMs = Math.max(1, endAt - wallStart);
  const cpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10;

  let cleanup: Report['cleanup'] = null;
  if (options.cleanup) cleanup = await cleanupPortfolios(setupClient, results.flatMap((r) => r.items));
  await setupClient.close();

  const extraWarnings: string[] = [];
  const cores = availableParallelism();
  if (cpuPercent / 100 > Math.min(options.workers + 0.5, cores) * 0.95) extraWarnings.push(`generator process used ${cpuPercent}% CPU (${cores} cores)`);
  const sentTotal = acc.result(() => 0).sent;
  if (options.model === 'open' && targetArrivals > 0 && sentTotal < targetArrivals * 0.95) {
    extraWarnings.push(`sent ${sentTotal} of ${Math.round(targetArrivals)} scheduled requests (${Math.round((sentTotal / targetArrivals) * 100)}%): see late and dropped`);
  }
  const elapsedMs = Math.max(0, endAt - startAt);
  const activeMs = Math.min(profile.durationMs, elapsedMs);
  const report = assembleReport(acc.result((t) => profile.stageAt(t * 1000)), {
    target: options.target,
    model: options.model,
    startAt,
    endAt,
    durationSec: activeMs / 1000,
    intervalMs: options.intervalMs,
    seed: options.seed,
    shard: options.shard,
    shardsMerged: 1,
    targetArrivals,
    stages: [...profile.marks],
    workers: options.workers,
    cpuPercent,
    extraWarnings,
    thresholds: options.thresholds,
    seedPhase,
    cleanup,
    autoscalingSources: watcher?.sources ?? [],
  });
  if (report.generator.saturated) for (const w of report.generator.warnings) progress.warn(w);
  writeReportFiles(report, options);
  return report;
}
