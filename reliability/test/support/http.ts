import { performance } from 'node:perf_hooks';
import { Agent, request, type Dispatcher } from 'undici';

/** One HTTP call to make. */
export interface CallSpec {
  readonly method: Dispatcher.HttpMethod;
  /** Path and query, e.g. `/api/v1/portfolio/abc`. */
  readonly path: string;
  /** JSON value (serialised) or raw text/bytes sent as-is with content-type application/json. */
  readonly body?: unknown;
  readonly raw?: string | Buffer;
  readonly headers?: Record<string, string>;
}

/** Outcome of one call: a status or a transport error, plus timing relative to `origin`. */
export interface CallResult {
  readonly status?: number;
  readonly error?: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** Start time in ms (performance.now()). */
  readonly startedAt: number;
  readonly ms: number;
}

/** A keep-alive HTTP client to one API process. */
export interface HttpClient {
  call(spec: CallSpec, timeoutMs?: number): Promise<CallResult>;
  json<T>(spec: CallSpec, timeoutMs?: number): Promise<{ status: number; body: T; headers: CallResult['headers'] }>;
  close(): Promise<void>;
}

/** Creates a client on an undici Agent with `connections` sockets per origin. */
export function createHttpClient(baseUrl: string, connections = 16): HttpClient {
  const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const call = async (spec: CallSpec, timeoutMs = 10_000): Promise<CallResult> => {
    const startedAt = performance.now();
    const hasBody = spec.raw !== undefined || spec.body !== undefined;
    const body = spec.raw ?? (spec.body === undefined ? undefined : JSON.stringify(spec.body));
    try {
      const res = await request(`${baseUrl}${spec.path}`, {
        dispatcher: agent,
        method: spec.method,
        headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...spec.headers },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text, startedAt, ms: performance.now() - startedAt };
    } catch (error) {
      const e = error as { code?: string; name?: string; message?: string };
      return { error: e.code ?? e.name ?? String(error), headers: {}, text: e.message ?? '', startedAt, ms: performance.now() - startedAt };
    }
  };
  return {
    call,
    async json<T>(spec: CallSpec, timeoutMs?: number) {
      const r = await call(spec, timeoutMs);
      if (r.status === undefined) throw new Error(`${spec.method} ${spec.path} failed: ${r.error} ${r.text}`);
      return { status: r.status, body: (r.text === '' ? undefined : JSON.parse(r.text)) as T, headers: r.headers };
    },
    close: () => agent.close(),
  };
}

/** One sample of a load run. */
export interface Sample extends CallResult {
  readonly worker: number;
  readonly kind: string;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  readonly workers: number;
  /** Stop issuing new requests after this long (ms). */
  readonly durationMs: number;
  /** Stop after this many requests in total (a hard bound besides the duration). */
  readonly maxRequests: number;
  /** Per-request timeout (ms). */
  readonly timeoutMs?: number;
  /** Pause between a worker's requests (ms), to hold a rate rather than saturate. */
  readonly pauseMs?: number;
  /** Picks the next request of worker `w`, call `i`; `kind` labels the sample. */
  readonly next: (w: number, i: number) => CallSpec & { kind: string };
  /** Set to true to stop early. */
  readonly stop?: () => boolean;
  /** Called with every sample as it completes. */
  readonly onSample?: (s: Sample) => void;
}

/** Runs closed-loop workers against `client`, bounded in time and count; resolves with every sample. */
export async function runLoad(client: HttpClient, options: LoadOptions): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = performance.now() + options.durationMs;
  let issued = 0;
  await Promise.all(
    Array.from({ length: options.workers }, async (_, w) => {
      for (let i = 0; performance.now() < deadline && issued < options.maxRequests && !(options.stop?.() ?? false); i++) {
        issued++;
        const spec = options.next(w, i);
        const r = await client.call(spec, options.timeoutMs ?? 10_000);
        const sample: Sample = { ...r, worker: w, kind: spec.kind };
        samples.push(sample);
        options.onSample?.(sample);
        if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
      }
    }),
  );
  return samples;
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return false;
}

/** Resolves after `ms`. */
/** Polls GET /health/ready until it answers 200; false when `timeoutMs` passes first. */
export function waitForReady(client: HttpClient, timeoutMs: number): Promise<boolean> {
  return waitUntil(async () => (await client.call({ method: 'GET', path: '/health/ready' })).status === 200, timeoutMs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Parses Prometheus text into name → summed value over all label sets. */
export function parsePrometheus(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{.*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = Number(m[2]);
    values.set(m[1] as string, (values.get(m[1] as string) ?? 0) + value);
  }
  return values;
}

/** GET /metrics parsed; throws on a non-200. */
export async function readMetrics(client: HttpClient): Promise<Map<string, number>> {
  const r = await client.call({ method: 'GET', path: '/metrics' }, 5000);
  if (r.status !== 200) throw new Error(`GET /metrics answered ${r.status ?? r.error}`);
  return parsePrometheus(r.text);
}

/** Connection-pool figures from GET /health/detailed. */
export interface PoolFigures {
  readonly open: number;
  readonly inUse: number;
  readonly available: number;
  readonly waitQueue: number;
  readonly breaker: string;
}

/** Reads pool and breaker figures from GET /health/detailed (any status). */
export async function readPool(client: HttpClient): Promise<PoolFigures> {
  const r = await client.json<{
    checks: { connection_pool: { open_connections: number; in_use: number; available: number; wait_queue: number }; circuit_breakers: { database: { state: string } } };
  }>({ method: 'GET', path: '/health/detailed' }, 5000);
  const p = r.body.checks.connection_pool;
  return { open: p.open_connections, inUse: p.in_use, available: p.available, waitQueue: p.wait_queue, breaker: r.body.checks.circuit_breakers.database.state };
}
