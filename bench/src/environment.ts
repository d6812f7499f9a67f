import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawRequest, RawResult } from './raw-protocol.js';
import { freePort } from '@globeco/testkit';
import { startChild, stopChild, waitForHttp, waitForLine } from './processes.js';
import { PRODUCTION_POOL } from './workload.js';

/** Paths of the programs the benchmark starts. */
export interface Programs {
  readonly mongoCli: string;
  readonly apiMain: string;
  readonly loadgenBin: string | undefined;
  readonly bareKoa: string;
  readonly rawDriver: string;
  readonly otlpSink: string;
}

/** Finds the service, testkit CLI and loadgen through their package names, and this package's entries. */
export function locatePrograms(distDir: string, benchDir: string): Programs {
  const testkit = fileURLToPath(import.meta.resolve('@globeco/testkit'));
  let loadgenBin: string | undefined;
  try {
    const pkgPath = fileURLToPath(import.meta.resolve('@globeco/loadgen/package.json'));
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin?: Record<string, string> };
    const bin = pkg.bin?.['globeco-loadgen'];
    if (bin !== undefined) loadgenBin = join(dirname(pkgPath), bin);
  } catch {
    loadgenBin = undefined;
  }
  return {
    mongoCli: join(dirname(testkit), 'cli.js'),
    apiMain: join(benchDir, 'node_modules', '@globeco', 'portfolio-api', 'dist', 'main.js'),
    loadgenBin,
    bareKoa: join(distDir, 'bare-koa.js'),
    rawDriver: join(distDir, 'raw-driver.js'),
    otlpSink: join(distDir, 'otlp-sink.js'),
  };
}

/** The MongoDB the run uses, started by testkit's CLI in its own process. */
export interface MongoProcess {
  readonly uri: string;
  readonly backend: string;
  readonly topology: string;
  readonly line: string;
  readonly child: ChildProcess;
}

/** Starts `globeco-mongo --topology replset` (MONGODB_URI in the environment makes it use that server). */
export async function startMongoProcess(cli: string, cpu: number | undefined): Promise<MongoProcess> {
  const child = startChild({ name: 'mongo', script: cli, args: ['--topology', 'replset'], env: process.env, ...(cpu === undefined ? {} : { cpu }) });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [uri] = await waitForLine(child, /^mongodb(\+srv)?:\/\/\S+$/, 30_000, 'globeco-mongo');
  const deadline = Date.now() + 5000;
  while (!stderr.includes('backend:') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const line = stderr.split('\n').find((l) => l.includes('backend:'))?.trim() ?? '';
  const match = /backend: (\S+) \((\S+)\)/.exec(line);
  return { uri: uri, backend: match?.[1] ?? 'unknown', topology: match?.[2] ?? 'replset', line, child };
}

/** An HTTP server under test. */
export interface HttpVariant {
  readonly url: string;
  readonly child: ChildProcess;
}

/** Starts the OTLP sink and returns its base URL. */
export async function startSink(script: string, cpu: number | undefined): Promise<HttpVariant> {
  const child = startChild({ name: 'otlp-sink', script, env: { PATH: process.env.PATH }, ...(cpu === undefined ? {} : { cpu }) });
  child.stderr?.resume();
  const [, port] = await waitForLine(child, /^listening (\d+)/, 10_000, 'otlp-sink');
  return { url: `http://127.0.0.1:${port!}`, child };
}

/** Options of one service instance. */
export interface ServiceSpec {
  readonly main: string;
  readonly mongoUri: string;
  /** OTLP sink URL, or undefined for telemetry off (OTEL_SDK_DISABLED=true, ENABLE_METRICS=false). */
  readonly otlpEndpoint: string | undefined;
  readonly cpu: number | undefined;
  readonly logFile: string;
  readonly execArgv?: readonly string[];
  /** MONGODB_COMPRESSORS of the service (its profile's default when absent). */
  readonly compressors?: string;
  /** Probe that must answer 200 before the service counts as up (`/health/startup`). */
  readonly readyPath?: string;
  /** Interval between probes in ms (100). */
  readonly pollMs?: number;
}

/** A started service and how long it took from spawn to its probe's first 200. */
export interface ServiceVariant extends HttpVariant {
  readonly readyMs: number;
}

/** Starts apps/api dist/main.js with the production profile; resolves when its probe (`/health/startup`) is 200. */
export async function startService(spec: ServiceSpec): Promise<ServiceVariant> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    APP_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    MONGODB_URI: spec.mongoUri,
    MIN_POOL_SIZE: String(PRODUCTION_POOL.minPoolSize),
    MAX_POOL_SIZE: String(PRODUCTION_POOL.maxPoolSize),
    ...(spec.compressors === undefined ? {} : { MONGODB_COMPRESSORS: spec.compressors }),
  };
  if (spec.otlpEndpoint === undefined) {
    env.OTEL_SDK_DISABLED = 'true';
    env.ENABLE_METRICS = 'false';
  } else {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = spec.otlpEndpoint;
    env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';
  }
  const spawnedAt = performance.now();
  const child = startChild({
    name: 'service',
    script: spec.main,
    env,
    logFile: spec.logFile,
    ...(spec.execArgv === undefined ? {} : { execArgv: spec.execArgv }),
    ...(spec.cpu === undefined ? {} : { cpu: spec.cpu }),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}${spec.readyPath ?? '/health/startup'}`, 30_000, child, spec.pollMs);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url, child, readyMs: performance.now() - spawnedAt };
}

/** Starts the bare Koa baseline (`compressors`: the wire compressors its client offers, the service's default when absent). */
export async function startBareKoa(
  script: string,
  mongoUri: string,
  cpu: number | undefined,
  execArgv: readonly string[] = [],
  compressors?: string,
): Promise<HttpVariant> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, MONGODB_URI: mongoUri, ...(compressors === undefined ? {} : { BENCH_COMPRESSORS: compressors }) };
  const child = startChild({ name: 'bare-koa', script, execArgv, env, ...(cpu === undefined ? {} : { cpu }) });
  child.stderr?.resume();
  const [, port] = await waitForLine(child, /^listening (\d+)/, 20_000, 'bare-koa');
  return { url: `http://127.0.0.1:${port!}`, child };
}

/** The raw-driver process and a way to ask it for one measurement. */
export interface RawDriverProcess {
  readonly child: ChildProcess;
  measure(request: RawRequest): Promise<RawResult>;
}

/** Starts the raw-driver loop process (IPC-controlled). */
export async function startRawDriver(script: string, mongoUri: string, cpu: number | undefined): Promise<RawDriverProcess> {
  const child = startChild({ name: 'raw-driver', script, env: { PATH: process.env.PATH, MONGODB_URI: mongoUri }, ipc: true, ...(cpu === undefined ? {} : { cpu }) });
  child.stdout?.resume();
  child.stderr?.resume();
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`raw-driver exited (${String(code)}) before it was ready`)));
  });
  return {
    child,
    measure: (request) =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null): void => reject(new Error(`raw-driver exited (${String(code)})`));
        child.once('exit', onExit);
        child.once('message', (result: RawResult) => {
          child.off('exit', onExit);
          resolve(result);
        });
        child.send(request);
      }),
  };
}
