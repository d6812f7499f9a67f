import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import type { Meter } from '@opentelemetry/api';

/** A real SDK meter with a pull reader, for reading back what was recorded. */
export interface TestMeter {
  meter: Meter;
  reader: PrometheusExporter;
  /** Collects and returns metrics by name. */
  collect(): Promise<Map<string, MetricData>>;
  shutdown(): Promise<void>;
}

/** Creates a meter on its own MeterProvider (no globals touched). */
export function createTestMeter(): TestMeter {
  const reader = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    meter: provider.getMeter('test'),
    reader,
    async collect() {
      const { resourceMetrics } = await reader.collect();
      const out = new Map<string, MetricData>();
      for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) out.set(m.descriptor.name, m);
      return out;
    },
    shutdown: () => provider.shutdown(),
  };
}

/** Data points of a metric as [attributes, value] pairs (sums/gauges). */
export function points(metric: MetricData | undefined): [Record<string, unknown>, number][] {
  return (metric?.dataPoints ?? []).map((p) => [p.attributes, p.value as number]);
}

/** Histogram points as [attributes, count, sum]. */
export function histogramPoints(metric: MetricData | undefined): [Record<string, unknown>, number, number][] {
  return ((metric?.dataPoints ?? []) as DataPoint<Histogram>[]).map((p) => [p.attributes, p.value.count, p.value.sum ?? 0]);
}
