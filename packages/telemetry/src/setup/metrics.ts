import { createNoopMeter, metrics, type Meter, type ObservableResult } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import type { Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';
import type { TelemetryConfig } from '../config.js';
import { protectMetricExporter, type ExportBreaker } from '../export/export-breaker.js';
import { createOtlpMetricExporter } from '../export/otlp-exporters.js';
import { createAppMetrics, type AppMetrics } from '../metrics/app-metrics.js';
import { createHttpMetrics, type HttpMetrics } from '../metrics/http-metrics.js';
import { createPrometheusEndpoint, type PrometheusEndpoint } from '../metrics/prometheus.js';
import { createProcessMetrics, runtimeViews } from '../metrics/runtime-metrics.js';
import { SCOPE } from './tracing.js';
import type { ShutdownSteps } from './shutdown.js';

const RUNTIME_SCOPE = '@opentelemetry/instrumentation-runtime-node';

/** What the metrics builder produced. */
export interface Metrics {
  /** Absent when metric collection is off. */
  readonly provider: MeterProvider | undefined;
  readonly meter: Meter;
  readonly prometheus: PrometheusEndpoint;
  readonly http: HttpMetrics;
  readonly app: AppMetrics;
  /** Instrumentations to register (runtime metrics). */
  readonly instrumentations: Instrumentation[];
}

/**
 * Builds metrics: one meter provider read by the Prometheus endpoint and (when configured) the
 * OTLP push reader, so every family is the same in both; HTTP, application, process and runtime
 * families (the runtime instrumentation's repeated ones dropped by views).
 */
export function buildMetrics(
  config: TelemetryConfig,
  resource: Resource,
  breaker: ExportBreaker,
  steps: ShutdownSteps,
  onError: (err: unknown) => void,
): Metrics {
  // http_request_duration is aggregated by httpMetrics itself and read by both readers.
  let httpDuration: MetricProducer | undefined;
  const producers: MetricProducer[] = [
    { collect: (o) => httpDuration?.collect(o) ?? Promise.resolve({ resourceMetrics: { resource, scopeMetrics: [] }, errors: [] }) },
  ];
  const prometheus = createPrometheusEndpoint(config.enableMetrics, onError, producers);
  if (!config.enableMetrics) {
    const meter = createNoopMeter();
    return { provider: undefined, meter, prometheus, http: createHttpMetrics(meter), app: createAppMetrics(meter, config.entities), instrumentations: [] };
  }
  const readers: IMetricReader[] = [];
  if (prometheus.reader !== undefined) readers.push(prometheus.reader);
  if (config.enableMetricsExport) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: protectMetricExporter(createOtlpMetricExporter(config.metrics), breaker),
        metricProducers: producers,
        exportIntervalMillis: config.metricExportIntervalMillis,
        exportTimeoutMillis: config.metricExportTimeoutMillis,
      }),
    );
  }
  const provider = new MeterProvider({ resource, readers, views: runtimeViews(RUNTIME_SCOPE) });
  metrics.setGlobalMeterProvider(provider);
  steps.flushes.push(() => provider.shutdown());
  steps.releases.push(() => metrics.disable());
  const meter = provider.getMeter(SCOPE, config.serviceVersion);
  const http = createHttpMetrics(meter, { registerProducer: (p) => (httpDuration = p), scope: { name: SCOPE, version: config.serviceVersion } });
  const instrumentations: Instrumentation[] = [];
  if (config.enableRuntimeMetrics) {
    const process = createProcessMetrics(meter);
    steps.stops.push(() => process.stop());
    instrumentations.push(new RuntimeNodeInstrumentation({ monitoringPrecision: 10 }));
  }
  return { provider, meter, prometheus, http, app: createAppMetrics(meter, config.entities), instrumentations };
}

/**
 * Exposes `telemetry_hook_applied{hook}` (1 applied, 0 not): each hook into a private method or
 * prototype, as checked at start-up — the telemetry's own and those the host reports.
 */
export function observeHooks(meter: Meter, hooks: ReadonlyMap<string, boolean>): void {
  meter
    .createObservableGauge('telemetry_hook_applied', { description: 'Whether a start-up hook (of the telemetry or reported by the host) applied (1) or not (0)', unit: '1' })
    .addCallback((r: ObservableResult) => {
      for (const [hook, applied] of hooks) r.observe(applied ? 1 : 0, { hook });
    });
}
