import type { Attributes, Meter } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { emptyResource } from '@opentelemetry/resources';
import { MeterProvider, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestMeter, histogramPoints, points, type TestMeter } from '../../test/support/meter.js';
import { createHttpMetrics, HTTP_DURATION_BUCKETS_MS } from './http-metrics.js';

let tm: TestMeter;
afterEach(async () => {
  await tm.shutdown();
});

describe('createHttpMetrics', () => {
  it('records count, duration (ms, original buckets) and in-flight with method/path/status labels', async () => {
    tm = createTestMeter();
    let clock = 1_000;
    const http = createHttpMetrics(tm.meter, { now: () => clock });
    const a = http.start('get');
    const b = http.start('POST');
    const c = http.start('GET');
    expect(points((await tm.collect()).get('http_requests_in_flight'))).toStrictEqual([
      [{ method: 'GET' }, 2],
      [{ method: 'POST' }, 1],
    ]);
    clock += 12.5;
    http.end(a, 200, '/api/v1/portfolio/:portfolioId');
    http.end(b, 201, '/api/v1/portfolios');
    http.end(c, 404, undefined);

    const m = await tm.collect();
    expect(points(m.get('http_requests_total'))).toStrictEqual([
      [{ method: 'GET', path: '/api/v1/portfolio/{portfolioId}', status: '200' }, 1],
      [{ method: 'POST', path: '/api/v1/portfolios', status: '201' }, 1],
      [{ method: 'GET', path: '/{other}', status: '404' }, 1],
    ]);
    expect(histogramPoints(m.get('http_request_duration'))).toStrictEqual([
      [{ method: 'GET', path: '/api/v1/portfolio/{portfolioId}', status: '200' }, 1, 12.5],
      [{ method: 'POST', path: '/api/v1/portfolios', status: '201' }, 1, 12.5],
      [{ method: 'GET', path: '/{other}', status: '404' }, 1, 12.5],
    ]);
    const duration = m.get('http_request_duration');
    expect(duration?.descriptor.unit).toBe('ms');
    const first = duration?.dataPoints[0]?.value as { buckets: { boundaries: number[] } };
    expect(first.buckets.boundaries).toStrictEqual(HTTP_DURATION_BUCKETS_MS);
    expect(points(m.get('http_requests_in_flight'))).toStrictEqual([
      [{ method: 'GET' }, 0],
      [{ method: 'POST' }, 0],
    ]);
  });

  it('bounds label cardinality: odd methods and statuses, and every unmatched request under /{other} from the first', async () => {
    tm = createTestMeter();
    const http = createHttpMetrics(tm.meter);
    for (let i = 0; i < 5; i += 1) http.end(http.start('GET'), 404, undefined);
    http.end(http.start('BREW'), 999, undefined);
    expect(points((await tm.collect()).get('http_requests_total'))).toStrictEqual([
      [{ method: 'GET', path: '/{other}', status: '404' }, 5],
      [{ method: '_OTHER', path: '/{other}', status: '500' }, 1],
    ]);
  });

  it('hands the SDK the same frozen attribute object for every request with equal labels, and no counter record', () => {
    const seen: Attributes[] = [];
    const record = { record: (_v: number, a: Attributes) => seen.push(a) };
    const observable = { addCallback: () => undefined };
    const meter = {
      createHistogram: () => record,
      createObservableCounter: () => observable,
      createObservableUpDownCounter: () => observable,
    } as unknown as Meter;
    const http = createHttpMetrics(meter);
    for (let i = 0; i < 3; i += 1) http.end(http.start('GET'), 200, '/api/v1/portfolio/:portfolioId');
    http.end(http.start('GET'), 404, '/api/v1/portfolio/:portfolioId');
    expect(seen).toHaveLength(4);
    expect(new Set(seen.slice(0, 3)).size).toBe(1);
    expect(seen[0]).toStrictEqual({ method: 'GET', path: '/api/v1/portfolio/{portfolioId}', status: '200' });
    expect(Object.isFrozen(seen[0])).toBe(true);
    expect(seen[3]).toStrictEqual({ method: 'GET', path: '/api/v1/portfolio/{portfolioId}', status: '404' });
    expect(seen[3]).not.toBe(seen[0]);
  });

  it('aggregates the duration itself for a registered producer, exactly as the SDK histogram does', async () => {
    const durations = [0, 5, 5.000001, 42, 10_000, 20_000, 3.25];
    const run = async (withProducer: boolean): Promise<string> => {
      let producer: MetricProducer | undefined;
      const reader = new PrometheusExporter({
        preventServerStart: true,
        metricProducers: [{ collect: (o) => producer?.collect(o) ?? Promise.reject(new Error('no producer')) }],
      });
      const provider = new MeterProvider({ readers: [reader] });
      let clock = 0;
      const http = createHttpMetrics(provider.getMeter('@globeco/telemetry'), {
        now: () => clock,
        ...(withProducer ? { registerProducer: (p: MetricProducer) => (producer = p) } : {}),
      });
      producer ??= { collect: () => Promise.resolve({ resourceMetrics: { resource: emptyResource(), scopeMetrics: [] }, errors: [] }) };
      for (const [i, d] of durations.entries()) {
        const token = http.start('GET');
        clock += d;
        http.end(token, i % 2 === 0 ? 200 : 404, '/api/v1/portfolio/:portfolioId');
      }
      const { resourceMetrics } = await reader.collect();
      await provider.shutdown();
      return new PrometheusSerializer()
        .serialize(resourceMetrics)
        .split('\n')
        .filter((l) => l.startsWith('http_request_duration'))
        .join('\n');
    };
    const sdk = await run(false);
    expect(sdk).toContain('http_request_duration_bucket{method="GET",path="/api/v1/portfolio/{portfolioId}",status="200",otel_scope_name="@globeco/telemetry",le="5"} 2');
    expect(await run(true)).toBe(sdk);
  });
});
