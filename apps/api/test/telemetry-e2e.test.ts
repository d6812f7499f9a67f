// Telemetry of the real service process (dist/main.js, as `npm start` runs it): spans and metrics
// exported over OTLP to an in-process receiver, log lines correlated with the exported trace, and a
// /metrics exposition that promtool accepts.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedMetric, type ReceivedSpan } from '@globeco/telemetry/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** The route pattern as Koa matches it (span attribute http.route). */
const ROUTE = '/api/v1/portfolio/:id';
/** The same route as the HTTP metrics label it. */
const ROUTE_LABEL = '/api/v1/portfolio/{id}';
const BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const SPAN_KIND_SERVER = 2;

interface RunningApi {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** Every stdout line, parsed as JSON. */
  readonly lines: Record<string, unknown>[];
  /** Lines of stdout that were not JSON (must stay empty). */
  readonly garbage: string[];
  readonly exited: Promise<number | null>;
}

/** Spawns dist/main.js on 127.0.0.1 with a free port; resolves once it logs that it listens (20 s bound). */
function startApi(env: Record<string, string>): Promise<RunningApi> {
  const child = spawn(process.execPath, ['--enable-source-maps', MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  const garbage: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the API did not start listening within 20 s')), 20_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        garbage.push(line);
        return;
      }
      lines.push(entry);
      if (typeof entry.port === 'number' && String(entry.msg).startsWith('listening')) {
        clearTimeout(timer);
        resolve({ child, baseUrl: `http://127.0.0.1:${entry.port}`, lines, garbage, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the API exited early with ${code}`));
    });
  });
}

/** Stops the child: SIGTERM, then SIGKILL after 10 s; resolves with its exit code. */
async function stopApi(api: RunningApi): Promise<number | null> {
  if (api.child.exitCode !== null || api.child.signalCode !== null) return api.child.exitCode;
  api.child.kill('SIGTERM');
  const timer = setTimeout(() => api.child.kill('SIGKILL'), 10_000);
  try {
    return await api.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Whether promtool runs here; missing is an error under CI=true, a printed skip otherwise. */
function hasPromtool(): boolean {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    const reason = 'promtool not found (Debian package "prometheus": apt-get install -y prometheus)';
    if (process.env.CI === 'true') throw new Error(`${reason}; CI must install it`);
    console.warn(`skipping: ${reason}`);
    return false;
  }
}

/** The newest export of a metric: the receiver keeps one entry per metric per export. */
function lastMetric(rx: OtlpReceiver, name: string): ReceivedMetric | undefined {
  return rx.metrics.filter((m) => m.name === name).at(-1);
}

describe.each(['grpc', 'http/protobuf'] as const)('the real API exporting over OTLP %s', (protocol) => {
  const label = protocol.replace('/', '-');
  const requestId = `e2e-${label}-${randomUUID()}`;
  let rx: OtlpReceiver | undefined;
  let api: RunningApi | undefined;
  let portfolioId = '';

  beforeAll(async () => {
    rx = await startOtlpReceiver({ protocol });
    api = await startApi({
      APP_ENV: 'test',
      MONGODB_URI: inject('mongoUri'),
      MONGODB_DATABASE: `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: rx.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_TRACES_SAMPLER_ARG: '1.0',
      ENABLE_METRICS: 'true',
      LOG_LEVEL: 'debug',
      ACCESS_LOG: 'true',
    });
    const created = await fetch(`${api.baseUrl}/api/v1/portfolios`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Telemetry ${label}` }),
    });
    expect(created.status).toBe(201);
    portfolioId = ((await created.json()) as { portfolioId: string }).portfolioId;
    expect(portfolioId).toMatch(/^[0-9a-f]{24}$/);
  });

  afterAll(async () => {
    try {
      if (api !== undefined) {
        const code = await stopApi(api);
        // A failed stop says why: the service's last log lines (its stdout is captured, not shown).
        expect(code, api.lines.slice(-8).map((line) => JSON.stringify(line)).join('\n')).toBe(0);
      }
    } finally {
      await rx?.close();
    }
  });

  it('exports a SERVER span with the route, a MongoDB child span in its trace, and logs correlated to both ids', async () => {
    const receiver = rx!;
    const running = api!;
    const res = await fetch(`${running.baseUrl}/api/v1/portfolio/${portfolioId}`, { headers: { 'X-Request-ID': requestId } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    expect(await res.json()).toMatchObject({ portfolioId, name: `Telemetry ${label}`, version: 1 });

    const isServer = (s: ReceivedSpan): boolean => s.kind === SPAN_KIND_SERVER && s.attributes['http.route'] === ROUTE;
    const server = (): ReceivedSpan | undefined => receiver.spans.find(isServer);
    const mongoSpans = (traceId: string): ReceivedSpan[] => receiver.spans.filter((s) => s.traceId === traceId && s.attributes['db.system.name'] === 'mongodb');
    await receiver.waitFor(() => {
      const s = server();
      return s !== undefined && mongoSpans(s.traceId).length > 0;
    }, 20_000);

    const span = server()!;
    expect(receiver.spans.filter(isServer)).toHaveLength(1);
    expect(span.parentSpanId).toBe('');
    expect(span.attributes['http.request.method']).toBe('GET');
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(span.resource).toMatchObject({
      'service.name': 'globeco-portfolio-service',
      'service.namespace': 'globeco',
      'deployment.environment': 'test',
    });
    // Every MongoDB span of the request descends from its server span.
    const byId = new Map(receiver.spans.map((s) => [s.spanId, s]));
    const reachesServer = (start: ReceivedSpan): boolean => {
      let cursor: ReceivedSpan | undefined = start;
      for (let hops = 0; cursor !== undefined && hops < 32; hops++) {
        if (cursor.spanId === span.spanId) return true;
        cursor = byId.get(cursor.parentSpanId);
      }
      return false;
    };
    const dbSpans = mongoSpans(span.traceId);
    expect(dbSpans.map((s) => s.name)).toContain('find portfolio');
    for (const s of dbSpans) expect(reachesServer(s), `${s.name} reaches the server span`).toBe(true);
    expect(receiver.requests.get(`${protocol}:traces`)).toBeGreaterThan(0);

    // Log lines: every line of this request carries its id and the exported trace id.
    const ofRequest = running.lines.filter((l) => l.request_id === requestId);
    expect(ofRequest.map((l) => l.msg)).toContain('request completed');
    for (const line of ofRequest) {
      expect({ msg: line.msg, trace_id: line.trace_id }).toStrictEqual({ msg: line.msg, trace_id: span.traceId });
      expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
    }
    // The logged span id names a span exported in that trace.
    const loggedSpanIds = ofRequest.map((l) => l.span_id);
    await receiver.waitFor(() => loggedSpanIds.every((id) => receiver.spans.some((s) => s.spanId === id && s.traceId === span.traceId)), 10_000);
    // ...and no line of that trace lacks the request id.
    expect(running.lines.filter((l) => l.trace_id === span.traceId && l.request_id !== requestId)).toStrictEqual([]);
    const access = ofRequest.find((l) => l.msg === 'request completed');
    // The route pattern, never the raw path (README, "Logging").
    expect(access).toMatchObject({ method: 'GET', route: '/api/v1/portfolio/:id', status: 200 });
    expect(JSON.stringify(access)).not.toContain(portfolioId);
    // Every access line of the run (the POST too) is correlated.
    const accessLines = running.lines.filter((l) => l.msg === 'request completed');
    expect(accessLines.length).toBeGreaterThanOrEqual(2);
    for (const line of accessLines) {
      expect(line.request_id).toEqual(expect.any(String));
      expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(running.garbage).toStrictEqual([]);
  });

  it('exports the three HTTP metrics with units, buckets, route-pattern labels and the service resource', async () => {
    const receiver = rx!;
    const hasGet = (): boolean =>
      (lastMetric(receiver, 'http_requests_total')?.points ?? []).some((p) => p.attributes.path === ROUTE_LABEL && p.value === 1);
    await receiver.waitFor(hasGet, 20_000);

    const total = lastMetric(receiver, 'http_requests_total');
    expect(total?.type).toBe('sum');
    expect(total?.monotonic).toBe(true);
    expect(total?.resource).toMatchObject({ 'service.name': 'globeco-portfolio-service', 'service.namespace': 'globeco' });
    const byLabels = (total?.points ?? []).map((p) => [p.attributes, p.value]);
    expect(byLabels).toContainEqual([{ method: 'GET', path: ROUTE_LABEL, status: '200' }, 1]);
    expect(byLabels).toContainEqual([{ method: 'POST', path: '/api/v1/portfolios', status: '201' }, 1]);
    // No label carries a concrete id.
    for (const p of total?.points ?? []) expect(String(p.attributes.path)).not.toContain(portfolioId);

    const duration = lastMetric(receiver, 'http_request_duration');
    expect(duration?.type).toBe('histogram');
    expect(duration?.unit).toBe('ms');
    const point = duration?.points.find((p) => p.attributes.path === ROUTE_LABEL);
    expect(point?.attributes).toStrictEqual({ method: 'GET', path: ROUTE_LABEL, status: '200' });
    expect(point?.explicitBounds).toStrictEqual(BUCKETS);
    expect(point?.count).toBe(1);
    expect(point?.bucketCounts?.reduce((a, b) => a + b, 0)).toBe(1);

    const inFlight = lastMetric(receiver, 'http_requests_in_flight');
    expect(inFlight?.type).toBe('sum');
    expect(inFlight?.monotonic).toBe(false);
    expect(inFlight?.points.find((p) => p.attributes.method === 'GET')).toStrictEqual({ attributes: { method: 'GET' }, value: 0 });
    expect(receiver.requests.get(`${protocol}:metrics`)).toBeGreaterThan(0);
  });

  it('shows a request of each kind in /metrics under every family, with bounded label sets', async () => {
    const running = api!;
    const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(`${running.baseUrl}${path}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
    };
    // One of each: v1 get (the test above), create (beforeAll), update, delete; v2 search and bulk;
    // fast bulk; errors (not found, version conflict); a path no route matches, chosen by the client.
    const created = await call('POST', '/api/v1/portfolios', { name: `Each ${label}` });
    const id = (created.json as { portfolioId: string }).portfolioId;
    expect((await call('PUT', `/api/v1/portfolio/${id}`, { portfolioId: id, name: `Each ${label} II`, version: 1 })).status).toBe(200);
    expect((await call('PUT', `/api/v1/portfolio/${id}`, { portfolioId: id, name: `Each ${label} III`, version: 1 })).status).toBe(409);
    expect((await call('DELETE', `/api/v1/portfolio/${id}?version=2`)).status).toBe(204);
    expect((await call('GET', `/api/v1/portfolio/${id}`)).status).toBe(404);
    expect((await call('GET', `/api/v2/portfolios?name_like=each&limit=5`)).status).toBe(200);
    expect((await call('POST', '/api/v2/portfolios', [{ name: `V2 A ${label}` }, { name: `V2 B ${label}` }])).status).toBe(201);
    expect((await call('POST', '/api/fast/portfolios/bulk', [{ name: `Fast A ${label}` }, { name: `Fast B ${label}` }, { name: `Fast C ${label}` }])).status).toBe(201);
    const chosen = `/client-chosen-${randomUUID()}`;
    expect((await call('GET', chosen)).status).toBe(404);

    const text = await (await fetch(`${running.baseUrl}/metrics`)).text();
    expect(text).not.toContain(chosen.slice(1));
    /** Every series of a family: its labels (otel_scope_* left out) and value, in exposition order. */
    const series = (name: string): [Record<string, string>, number][] =>
      [...text.matchAll(new RegExp(`^${name}\\{(.*)\\} (\\S+)$`, 'gm'))].map(([, labels = '', value]) => [
        Object.fromEntries([...labels.matchAll(/([a-z_]+)="([^"]*)"/g)].filter(([, k]) => !k!.startsWith('otel_scope_')).map(([, k, v]) => [k!, v!])),
        Number(value),
      ]);
    const value = (name: string, labels: Record<string, string>): number | undefined =>
      series(name).find(([l]) => JSON.stringify(l) === JSON.stringify(labels))?.[1];

    expect(value('http_requests_total', { method: 'PUT', path: ROUTE_LABEL, status: '200' })).toBe(1);
    expect(value('http_requests_total', { method: 'PUT', path: ROUTE_LABEL, status: '409' })).toBe(1);
    expect(value('http_requests_total', { method: 'DELETE', path: ROUTE_LABEL, status: '204' })).toBe(1);
    expect(value('http_requests_total', { method: 'GET', path: ROUTE_LABEL, status: '404' })).toBe(1);
    expect(value('http_requests_total', { method: 'GET', path: '/api/v2/portfolios', status: '200' })).toBe(1);
    expect(value('http_requests_total', { method: 'POST', path: '/api/v2/portfolios', status: '201' })).toBe(1);
    expect(value('http_requests_total', { method: 'POST', path: '/api/fast/portfolios/bulk', status: '201' })).toBe(1);
    expect(value('http_requests_total', { method: 'GET', path: '/{other}', status: '404' })).toBe(1);
    expect(series('http_request_duration_count').map(([l]) => l.path).sort()).toStrictEqual(series('http_requests_total').map(([l]) => l.path).sort());
    for (const [labels] of series('http_requests_total')) expect(labels.path, 'a route pattern or /{other}').toMatch(/^(\/\{other\}|\/[a-z0-9/{}_]*)$/);

    const db = { db_system_name: 'mongodb', db_namespace: expect.stringMatching(/^t_/) as unknown as string, db_collection_name: 'portfolio' };
    const dbOperations = series('db_client_operation_duration_count').filter(([l]) => l.db_collection_name === 'portfolio' && l.error_type === undefined);
    expect(new Set(dbOperations.map(([l]) => l.db_operation_name))).toStrictEqual(new Set(['aggregate', 'createIndexes', 'delete', 'distinct', 'find', 'findAndModify', 'insert']));
    for (const [labels] of dbOperations) expect(labels).toStrictEqual({ ...db, db_operation_name: labels.db_operation_name });
    expect(series('db_client_operation_duration_bucket').some(([l]) => l.le === '0.001')).toBe(true);

    expect(value('portfolios_created_total', { surface: 'v1' })).toBe(2);
    expect(value('portfolios_created_total', { surface: 'v2' })).toBe(2);
    expect(value('portfolios_created_total', { surface: 'fast' })).toBe(3);
    expect(value('bulk_batch_size_count', { surface: 'v2' })).toBe(1);
    expect(value('bulk_batch_size_sum', { surface: 'fast' })).toBe(3);
    expect(series('operation_failures_total')).toStrictEqual([
      [{ code: 'VERSION_CONFLICT' }, 1],
      [{ code: 'NOT_FOUND' }, 1],
    ]);
    expect(series('circuit_breaker_state')).toStrictEqual([
      [{ breaker: 'otlp_traces' }, 0],
      [{ breaker: 'otlp_metrics' }, 0],
      [{ breaker: 'database' }, 0],
    ]);
    expect(series('telemetry_hook_applied').map(([l, v]) => [l.hook, v])).toStrictEqual([
      ['http.Server.emit', 1],
      ['mongodb._checkSkipInstrumentation', 1],
      ['mongodb._getV4PatchCommandPromise', 1],
      // portfolio-core's run-time fixes of the driver, reported by the API at start-up
      ['mongodb.Connection.writeCommand', 1],
      ['mongodb.compression.zlib', 1],
    ]);
    expect(series('mongodb_pool_connections_open')[0]?.[1]).toBeGreaterThan(0);
    expect(value('validation_cache_size', {})).toBeGreaterThan(0);
    // Runtime: one family per concern, and the process families.
    const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name!);
    expect(new Set(families).size).toBe(families.length);
    expect(families.filter((f) => /event_?loop/.test(f)).sort()).toStrictEqual(['nodejs_eventloop_delay_p99', 'nodejs_eventloop_utilization']);
    for (const family of ['v8js_memory_heap_used', 'process_resident_memory_bytes', 'process_cpu_seconds_total']) expect(families).toContain(family);
    expect(value('process_cpu_seconds_total', {})).toBeGreaterThan(0);

    // The same families arrive over OTLP.
    await rx!.waitFor(() => ['db.client.operation.duration', 'portfolios_created_total', 'operation_failures_total', 'process_cpu_seconds_total'].every((n) => lastMetric(rx!, n) !== undefined), 20_000);
    // The start-up line named the exporters that run.
    expect(running.lines.find((l) => l.msg === 'telemetry started')?.exporters).toStrictEqual({
      traces: `otlp ${protocol} ${protocol === 'grpc' ? rx!.endpoint : `${rx!.endpoint}/v1/traces`}`,
      metrics: `prometheus (pull), otlp ${protocol} ${protocol === 'grpc' ? rx!.endpoint : `${rx!.endpoint}/v1/metrics`}`,
    });
  });

  it.runIf(hasPromtool())('serves a /metrics exposition that promtool check metrics accepts', async () => {
    const res = await fetch(`${api!.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/^http_requests_total\{.*path="\/api\/v1\/portfolio\/\{id\}".*\} 1/m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8', timeout: 15_000 });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });
});
