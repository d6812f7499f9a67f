// The metric families the API exposes on /metrics, produced by the telemetry package's own
// recorders and Prometheus serializer (the same code the API runs), with one sample each.
import { EventEmitter } from 'node:events';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  createAppMetrics, createHttpMetrics, createPrometheusEndpoint, createSaturationMetrics, instrumentMongoPool,
} from '@globeco/telemetry';

/**
 * Renders the exposition and returns each family's type and label names (Prometheus' own
 * target_info and the otel_scope_* labels left out).
 * @returns {Promise<Map<string, { type: string, labels: string[] }>>}
 */
export async function exposedFamilies() {
  const endpoint = createPrometheusEndpoint(true);
  const provider = new MeterProvider({ readers: [endpoint.reader] });
  const meter = provider.getMeter('globeco-infra-check');
  const http = createHttpMetrics(meter);
  const pending = http.start('GET', '/api/v1/portfolios');
  http.end(http.start('GET', '/api/v1/portfolio/65a1b2c3d4e5f6a7b8c9d0e1'), 200, '/api/v1/portfolio/:portfolioId', '/api/v1/portfolio/65a1b2c3d4e5f6a7b8c9d0e1');
  createAppMetrics(meter).observeCircuitBreaker('mongodb', () => 'open');
  instrumentMongoPool(new EventEmitter(), meter);
  const saturation = createSaturationMetrics(meter);
  try {
    const text = await endpoint.render();
    const families = new Map();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(name, { type, labels: new Set() });
    for (const [, series, labelText = ''] of text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /gm)) {
      const family = families.get(series) ?? families.get(series.replace(/_(bucket|sum|count)$/, ''));
      for (const [, label] of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) family?.labels.add(label);
    }
    families.delete('target_info');
    return new Map([...families].map(([name, f]) => [name, { type: f.type, labels: [...f.labels].filter((l) => !l.startsWith('otel_scope_') && l !== 'le').sort() }]));
  } finally {
    http.end(pending, 200, '/api/v1/portfolios', '/api/v1/portfolios');
    saturation.stop();
    await provider.shutdown();
  }
}
