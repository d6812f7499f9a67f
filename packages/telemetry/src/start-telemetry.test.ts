import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createServer, Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { freePort, requireTool } from '../test/support/tools.js';
import { DISABLED_EXPOSITION } from './metrics/prometheus.js';
import { startTelemetry } from './start-telemetry.js';

function sink() {
  const lines: Record<string, unknown>[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logDestination };
}

describe('startTelemetry', () => {
  it('logs one line and returns a working no-op on bad configuration, never throwing', async () => {
    const { lines, logDestination } = sink();
    const telemetry = startTelemetry({ otlp: { protocol: 'smoke-signals' as 'grpc' }, samplerRatio: -1 }, { logDestination });
    expect(telemetry.enabled).toBe(false);
    expect(telemetry.config).toBeUndefined();
    expect(lines.map((l) => [l.level, l.msg])).toStrictEqual([
      [
        'error',
        'telemetry disabled: invalid configuration: otlp.protocol must be one of grpc, http/protobuf, http/json, got "smoke-signals"; otlp.tracesProtocol must be one of grpc, http/protobuf, http/json, got "smoke-signals"; otlp.metricsProtocol must be one of grpc, http/protobuf, http/json, got "smoke-signals"; samplerRatio must be a number in [0, 1], got -1',
      ],
    ]);
    telemetry.app.recordRetry('x');
    telemetry.instrumentMongoClient(new EventEmitter()).stop();
    expect(await telemetry.renderPrometheus()).toBe(DISABLED_EXPOSITION);
    expect(telemetry.exportBreakerState()).toStrictEqual({ traces: 'closed', metrics: 'closed' });
    await telemetry.forceFlush();
    await telemetry.shutdown();
  });

  it('is a no-op when disabled (OTEL_SDK_DISABLED)', async () => {
    const { lines, logDestination } = sink();
    const telemetry = startTelemetry({ disabled: true, profile: 'test' }, { logDestination });
    expect([telemetry.enabled, telemetry.config?.disabled, lines.map((l) => l.msg)]).toStrictEqual([false, true, ['telemetry disabled by configuration']]);
    await telemetry.shutdown();
  });

  it('names in its start-up line exactly the exporters that run and where', async () => {
    const started = (options: Parameters<typeof startTelemetry>[0]) => {
      const { lines, logDestination } = sink();
      const telemetry = startTelemetry({ profile: 'test', ...options }, { logDestination });
      return { telemetry, line: lines.find((l) => l.msg === 'telemetry started') };
    };
    const none = started({ enableTracing: false, enableMetrics: false, enableMetricsExport: false });
    expect(none.line?.exporters).toStrictEqual({ traces: 'none', metrics: 'none' });
    await none.telemetry.shutdown();
    const pull = started({ enableTracing: false, enableMetricsExport: false });
    expect(pull.line?.exporters).toStrictEqual({ traces: 'none', metrics: 'prometheus (pull)' });
    await pull.telemetry.shutdown();
    const all = started({ otlp: { protocol: 'http/protobuf', endpoint: 'http://127.0.0.1:9' } });
    expect(all.line?.exporters).toStrictEqual({
      traces: 'otlp http/protobuf http://127.0.0.1:9/v1/traces',
      metrics: 'prometheus (pull), otlp http/protobuf http://127.0.0.1:9/v1/metrics',
    });
    // Every private hook applied on the installed versions; a version that breaks one fails here.
    const text = await all.telemetry.renderPrometheus();
    expect([...text.matchAll(/^telemetry_hook_applied\{hook="([^"]+)",[^}]*\} (\d)$/gm)].map(([, hook, v]) => [hook, v])).toStrictEqual([
      ['http.Server.emit', '1'],
      ['mongodb._checkSkipInstrumentation', '1'],
      ['mongodb._getV4PatchCommandPromise', '1'],
    ]);
    await all.telemetry.shutdown();
  });

  it("reports the host's hooks beside its own: each in the gauge, a warning line for one that did not apply", async () => {
    const { lines, logDestination } = sink();
    const telemetry = startTelemetry({ profile: 'test', enableTracing: false, enableMetricsExport: false }, { logDestination });
    telemetry.reportHooks({ 'lib.fast': true, 'lib.fix': false }, 'the service runs without that fix');
    const text = await telemetry.renderPrometheus();
    // metrics without tracing still wrap the driver's commands (db.client.operation.duration)
    expect([...text.matchAll(/^telemetry_hook_applied\{hook="([^"]+)",[^}]*\} (\d)$/gm)].map(([, hook, v]) => [hook, v])).toStrictEqual([
      ['mongodb._checkSkipInstrumentation', '1'],
      ['mongodb._getV4PatchCommandPromise', '1'],
      ['lib.fast', '1'],
      ['lib.fix', '0'],
    ]);
    expect(lines.filter((l) => l.level === 'warn').map((l) => [l.hook, l.msg])).toStrictEqual([
      ['lib.fix', 'hook lib.fix did not apply on the installed version; the service runs without that fix'],
    ]);
    await telemetry.shutdown();
    // the no-op says so too
    const off = sink();
    const disabled = startTelemetry({ disabled: true, profile: 'test' }, { logDestination: off.logDestination });
    disabled.reportHooks({ 'lib.fix': false }, 'no fix');
    expect(off.lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toStrictEqual(['hook lib.fix did not apply on the installed version; no fix']);
    await disabled.shutdown();
  });

  it('with enableMetrics=false still answers /metrics with a valid minimal exposition', async () => {
    const telemetry = startTelemetry({ profile: 'test', enableMetrics: false, enableTracing: false }, sink());
    expect(telemetry.enabled).toBe(true);
    telemetry.app.recordCreated('v1', 1);
    const server = createServer(telemetry.metricsHandler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    const res = await fetch(`http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/metrics`);
    expect([res.status, res.headers.get('content-type'), await res.text()]).toStrictEqual([200, 'text/plain; version=0.0.4; charset=utf-8', DISABLED_EXPOSITION]);
    await new Promise((r) => server.close(r));
    await telemetry.shutdown();
  });

  it('renders every metric family it defines as an exposition promtool accepts, with a dead collector, and shuts down in bounded time', async () => {
    const port = await freePort();
    const { lines, logDestination } = sink();
    const telemetry = startTelemetry(
      // The export breaker stays closed however long the MongoDB part takes (it opens after 3 failed
      // exports by default, 300 ms at this interval); its opening is tested in export-breaker.test.ts.
      {
        profile: 'test',
        enableTracing: false,
        otlp: { protocol: 'http/protobuf', endpoint: `http://127.0.0.1:${port}` },
        metricExportIntervalMillis: 100,
        exportBreaker: { consecutiveFailures: 1000 },
      },
      { logDestination },
    );
    telemetry.app.recordCreated('v1', 1);
    telemetry.app.recordBulkBatchSize('v2', 10);
    telemetry.app.recordFailure('NOT_FOUND');
    telemetry.app.recordRetry('insert_many');
    telemetry.app.recordCircuitBreakerTransition('database', 'open');
    telemetry.app.observeCache('validation', () => ({ hits: 3, misses: 1, size: 4 }));
    telemetry.app.observeCircuitBreaker('database', () => 'closed');
    // Real commands through the driver (loaded after startTelemetry, as a host does): a find, an
    // insert the server answers with a duplicate-key write error, and a command it rejects.
    const { MongoClient, ObjectId } = await import('mongodb');
    const { startMongo } = await import('@globeco/testkit');
    const server = await startMongo();
    const client = new MongoClient(server.uri, { monitorCommands: telemetry.mongoCommandEvents });
    const mongo = telemetry.instrumentMongoClient(client);
    expect(telemetry.mongoCommandEvents).toBe(false);
    const collection = client.db('db').collection('portfolio');
    await collection.find({}).toArray();
    const _id = new ObjectId();
    await collection.insertOne({ _id });
    await collection.insertOne({ _id }).catch(() => undefined);
    await client.db('admin').command({ noSuchCommand: 1 }).catch(() => undefined);
    await client.close();
    await server.stop();
    // The event-loop delay is reported once its monitor has at least 5 samples (10 ms apart).
    await new Promise((r) => setTimeout(r, 120));
    const text = await telemetry.renderPrometheus();
    const series = (name: string): string[] =>
      [...text.matchAll(new RegExp(`^${name}\\{(.*?),?otel_scope_name="[^"]*",otel_scope_version="[^"]*"\\} (\\S+)$`, 'gm'))].map(([, labels, value]) => `${labels ?? ''} ${value ?? ''}`);
    expect(series('db_client_operation_duration_count').filter((s) => !s.includes('db_namespace="admin",db_operation_name="ping"'))).toStrictEqual([
      'db_system_name="mongodb",db_namespace="db",db_operation_name="find",db_collection_name="portfolio" 1',
      'db_system_name="mongodb",db_namespace="db",db_operation_name="insert",db_collection_name="portfolio" 1',
      'db_system_name="mongodb",db_namespace="db",db_operation_name="insert",db_collection_name="portfolio",error_type="DuplicateKey" 1',
      'db_system_name="mongodb",db_namespace="admin",db_operation_name="noSuchCommand",error_type="CommandNotFound" 1',
    ]);
    const findSeconds = Number(series('db_client_operation_duration_sum')[0]?.split(' ').at(-1));
    expect(findSeconds).toBeGreaterThan(0);
    expect(findSeconds).toBeLessThan(5);
    expect(series('circuit_breaker_state')).toStrictEqual(['breaker="otlp_traces" 0', 'breaker="otlp_metrics" 0', 'breaker="database" 0']);
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => `${name ?? ''} ${type ?? ''}`);
    // Each family once; the runtime ones one per concern (no event_loop_* beside nodejs_eventloop_*).
    expect(new Set(families).size).toBe(families.length);
    // (v8js_gc_duration appears once a collection has run.)
    const runtime = families.filter((f) => /event_?loop|heap|resident|cpu|v8js|nodejs|process_/.test(f) && f !== 'v8js_gc_duration histogram');
    expect(runtime.sort()).toStrictEqual([
      'nodejs_eventloop_delay_p99 gauge',
      'nodejs_eventloop_utilization gauge',
      'process_cpu_seconds_total counter',
      'process_resident_memory_bytes gauge',
      'v8js_memory_heap_used gauge',
    ]);
    for (const family of [
      'items_created_total counter',
      'bulk_batch_size histogram',
      'operation_failures_total counter',
      'retries_total counter',
      'circuit_breaker_transitions_total counter',
      'circuit_breaker_state gauge',
      'validation_cache_hits_total counter',
      'validation_cache_misses_total counter',
      'validation_cache_size gauge',
      'mongodb_pool_connections_in_use gauge',
      'mongodb_pool_wait_queue_length gauge',
      'db_client_operation_duration histogram',
      'nodejs_eventloop_utilization gauge',
      'nodejs_eventloop_delay_p99 gauge',
      'v8js_memory_heap_used gauge',
      'process_cpu_seconds_total counter',
      'process_resident_memory_bytes gauge',
    ]) {
      expect(text, family).toContain(`# TYPE ${family}`);
    }
    if (requireTool('promtool', 'prometheus')) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
      expect(`${check.stdout}${check.stderr}`).toBe('');
      expect(check.status).toBe(0);
    }
    mongo.stop();
    const t0 = Date.now();
    await telemetry.shutdown();
    expect(Date.now() - t0).toBeLessThan(12_000);
    expect(lines.every((l) => l.level !== 'fatal')).toBe(true);
  });

  it('shuts down within its 1.5 s budget when the collector accepts connections and never answers', async () => {
    const sockets: Socket[] = [];
    const blackhole = createTcpServer((socket) => void sockets.push(socket));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const address = blackhole.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const telemetry = startTelemetry(
      { profile: 'test', otlp: { protocol: 'http/protobuf', endpoint: `http://127.0.0.1:${port}` }, metricExportIntervalMillis: 60_000 },
      sink(),
    );
    expect(Object.hasOwn(Server.prototype, 'emit')).toBe(true);
    telemetry.app.recordRetry('find_one');
    const t0 = performance.now();
    await telemetry.shutdown();
    const elapsed = performance.now() - t0;
    // The final exports did reach the collector (and hang there); shutdown stopped waiting for them.
    expect(sockets.length).toBeGreaterThan(0);
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    // Slack for a loaded machine; without the budget each step waited its own 5 s export timeout.
    expect(elapsed).toBeLessThan(4_000);
    expect(Object.hasOwn(Server.prototype, 'emit')).toBe(false);
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => blackhole.close(r));
  });
});
