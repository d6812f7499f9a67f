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
    telemetry.httpMetrics.end(telemetry.httpMetrics.start('GET', '/'), 200, undefined, '/');
    telemetry.appMetrics.recordRetry('x');
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

  it('with enableMetrics=false still answers /metrics with a valid minimal exposition', async () => {
    const telemetry = startTelemetry({ profile: 'test', enableMetrics: false, enableTracing: false }, sink());
    expect(telemetry.enabled).toBe(true);
    telemetry.httpMetrics.end(telemetry.httpMetrics.start('GET', '/x'), 200, undefined, '/x');
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
      { profile: 'test', enableTracing: false, otlp: { protocol: 'http/protobuf', endpoint: `http://127.0.0.1:${port}` }, metricExportIntervalMillis: 100 },
      { logDestination },
    );
    const http = telemetry.httpMetrics;
    http.end(http.start('GET', '/api/v1/portfolio/1'), 200, '/api/v1/portfolio/:portfolioId', '/api/v1/portfolio/1');
    http.end(http.start('POST', '/api/v2/portfolios'), 201, '/api/v2/portfolios', '/api/v2/portfolios');
    telemetry.appMetrics.recordDbOperation('find_one', 2.5);
    telemetry.appMetrics.recordBulkBatchSize(10);
    telemetry.appMetrics.recordRetry('insert_many');
    telemetry.appMetrics.recordCircuitBreakerTransition('database', 'open');
    telemetry.appMetrics.observeCache('validation', () => ({ hits: 3, misses: 1, size: 4 }));
    telemetry.appMetrics.observeCircuitBreaker('database', () => 'closed');
    const pool = telemetry.instrumentMongoPool(new EventEmitter());
    const text = await telemetry.renderPrometheus();
    for (const family of [
      'http_requests_total counter',
      'http_request_duration histogram',
      'http_requests_in_flight gauge',
      'db_operation_duration histogram',
      'bulk_batch_size histogram',
      'retries_total counter',
      'circuit_breaker_transitions_total counter',
      'circuit_breaker_state gauge',
      'validation_cache_hits_total counter',
      'validation_cache_misses_total counter',
      'validation_cache_size gauge',
      'mongodb_pool_connections_in_use gauge',
      'mongodb_pool_wait_queue_length gauge',
      'event_loop_utilization gauge',
      'event_loop_delay_p99 gauge',
      'process_resident_memory gauge',
      'nodejs_eventloop_utilization gauge',
      'v8js_memory_heap_used gauge',
    ]) {
      expect(text, family).toContain(`# TYPE ${family}`);
    }
    if (requireTool('promtool', 'prometheus')) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
      expect(`${check.stdout}${check.stderr}`).toBe('');
      expect(check.status).toBe(0);
    }
    pool.stop();
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
    telemetry.tracer.startSpan('pending').end();
    telemetry.appMetrics.recordRetry('find_one');
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
