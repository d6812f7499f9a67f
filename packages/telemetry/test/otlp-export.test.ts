import { formatBackendLine, startMongo, type StartedMongo } from '@globeco/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpProtocol } from '../src/index.js';
import { startChildApp, type ChildApp } from './support/child-app.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedMetric } from '../src/testing.js';

const ROUTE_LABEL = '/api/v1/portfolio/{portfolioId}';
const BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

let mongo: StartedMongo;
beforeAll(async () => {
  mongo = await startMongo();
  console.log(formatBackendLine(mongo));
});
afterAll(async () => {
  await mongo.stop();
});

function lastMetric(rx: OtlpReceiver, name: string): ReceivedMetric | undefined {
  return rx.metrics.filter((m) => m.name === name).at(-1);
}

describe.each<[OtlpProtocol, 'grpcUrl' | 'httpUrl']>([
  ['grpc', 'grpcUrl'],
  ['http/protobuf', 'httpUrl'],
  ['http/json', 'httpUrl'],
])('export over OTLP %s', (protocol, urlKey) => {
  let rx: OtlpReceiver;
  let app: ChildApp;
  beforeAll(async () => {
    rx = await startOtlpReceiver();
    app = await startChildApp({
      mongoUri: mongo.uri,
      options: {
        profile: 'test',
        serviceVersion: '1.2.3',
        podName: 'pod-1',
        nodeName: 'node-a',
        otlp: { protocol, endpoint: rx[urlKey] },
        metricExportIntervalMillis: 300,
        bsp: { scheduleDelayMillis: 100 },
      },
    });
  });
  afterAll(async () => {
    expect(await app?.stop()).toBe(0);
    await rx.close();
  });

  it('exports a server span with http.route and a child MongoDB span in the same trace', async () => {
    const res = await fetch(`${app.baseUrl}/api/v1/portfolio/${app.portfolioId}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({ name: 'Traced' });

    await rx.waitFor(() => rx.spans.some((s) => s.name === 'find portfolio'));
    const server = rx.spans.find((s) => s.kind === 2 && s.attributes['http.route'] === '/api/v1/portfolio/:portfolioId');
    expect(server).toBeDefined();
    expect(server?.attributes['http.response.status_code']).toBe(200);
    expect(server?.parentSpanId).toBe('');
    const mongoSpan = rx.spans.find((s) => s.name === 'find portfolio' && s.traceId === server?.traceId);
    expect(mongoSpan?.attributes['db.system.name']).toBe('mongodb');
    // The statement is a summary: command, collection and filter keys, never the values.
    expect(mongoSpan?.attributes['db.query.text']).toBe('{"find":"portfolio","filter":{"_id":"?"}}');
    // Walk up from the MongoDB span: it must descend from the request's server span.
    const byId = new Map(rx.spans.map((s) => [s.spanId, s]));
    let cursor = mongoSpan;
    while (cursor !== undefined && cursor.parentSpanId !== '' && cursor.spanId !== server?.spanId) cursor = byId.get(cursor.parentSpanId);
    expect(cursor?.spanId).toBe(server?.spanId);
    expect(server?.resource).toMatchObject({
      'service.name': 'globeco-portfolio-service',
      'service.namespace': 'globeco',
      'service.version': '1.2.3',
      'deployment.environment': 'test',
      'k8s.pod.name': 'pod-1',
      'k8s.node.name': 'node-a',
    });
    expect(rx.requests.get(`${protocol}:traces`)).toBeGreaterThan(0);

    // Log lines of the request carry its request id and the trace id of its server span.
    const lines = app.stdout.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.trace_id === server?.traceId);
    expect(lines.map((l) => l.msg)).toStrictEqual(['fetching portfolio', 'portfolio fetched', 'request completed']);
    const requestIds = new Set(lines.map((l) => l.request_id));
    expect(requestIds.size).toBe(1);
    expect([...requestIds][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-request-id')).toBe([...requestIds][0]);
  });

  it('exports the three HTTP metrics with names, units and labels, counting a throwing request as 500', async () => {
    const boom = await fetch(`${app.baseUrl}/boom`);
    expect(boom.status).toBe(500);
    await rx.waitFor(() => (lastMetric(rx, 'http_requests_total')?.points.length ?? 0) >= 2);

    const total = lastMetric(rx, 'http_requests_total');
    expect(total?.type).toBe('sum');
    expect(total?.monotonic).toBe(true);
    expect(total?.points.map((p) => [p.attributes, p.value]).sort()).toStrictEqual(
      [
        [{ method: 'GET', path: ROUTE_LABEL, status: '200' }, 1],
        [{ method: 'GET', path: '/boom', status: '500' }, 1],
      ].sort(),
    );

    const duration = lastMetric(rx, 'http_request_duration');
    expect(duration?.type).toBe('histogram');
    expect(duration?.unit).toBe('ms');
    const point = duration?.points.find((p) => p.attributes.path === ROUTE_LABEL);
    expect(point?.attributes).toStrictEqual({ method: 'GET', path: ROUTE_LABEL, status: '200' });
    expect(point?.explicitBounds).toStrictEqual(BUCKETS);
    expect(point?.count).toBe(1);

    const inFlight = lastMetric(rx, 'http_requests_in_flight');
    expect(inFlight?.type).toBe('sum');
    expect(inFlight?.monotonic).toBe(false);
    expect(inFlight?.points.find((p) => p.attributes.method === 'GET')).toStrictEqual({ attributes: { method: 'GET' }, value: 0 });
    expect(rx.requests.get(`${protocol}:metrics`)).toBeGreaterThan(0);
  });

  it('exports pool, database, process and runtime metrics, each family once', async () => {
    await rx.waitFor(() => lastMetric(rx, 'mongodb_pool_connections_open') !== undefined && lastMetric(rx, 'nodejs.eventloop.delay.p99') !== undefined);
    const names = new Set(rx.metrics.map((m) => m.name));
    for (const name of [
      'mongodb_pool_connections_in_use',
      'mongodb_pool_connections_available',
      'mongodb_pool_wait_queue_length',
      'db.client.operation.duration',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs.eventloop.utilization',
      'nodejs.eventloop.delay.p99',
      'v8js.memory.heap.used',
    ]) {
      expect(names.has(name), name).toBe(true);
    }
    for (const repeated of ['event_loop_utilization', 'event_loop_delay_p99', 'nodejs.eventloop.delay.p50', 'nodejs.eventloop.time', 'v8js.memory.heap.space.size']) {
      expect(names.has(repeated), repeated).toBe(false);
    }
    expect(lastMetric(rx, 'mongodb_pool_connections_open')?.points[0]?.value).toBeGreaterThan(0);
  });
});
