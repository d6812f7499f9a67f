import type { IncomingMessage, ServerResponse } from 'node:http';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';

/** Content type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Exposition served when metric collection is switched off: valid, and says so. */
export const DISABLED_EXPOSITION =
  '# HELP telemetry_metrics_enabled Whether metric collection is switched on.\n# TYPE telemetry_metrics_enabled gauge\ntelemetry_metrics_enabled 0\n';

/** Renders the meter provider's metrics as Prometheus text, for a `/metrics` route. */
export interface PrometheusEndpoint {
  /** The metric reader to register on the meter provider (absent when metrics are off). */
  readonly reader: PrometheusExporter | undefined;
  /** Collects and renders the current metrics; never rejects. */
  readonly render: () => Promise<string>;
  /** A node:http request handler answering with the exposition. */
  readonly handler: (request: IncomingMessage, response: ServerResponse) => void;
}

/**
 * Creates the pull endpoint: a PrometheusExporter without its own server, read on demand.
 * @param enabled false serves `DISABLED_EXPOSITION`.
 * @param metricProducers further sources of metrics read with the meter provider's
 */
export function createPrometheusEndpoint(
  enabled: boolean,
  onError: (err: unknown) => void = () => undefined,
  metricProducers: MetricProducer[] = [],
): PrometheusEndpoint {
  const reader = enabled ? new PrometheusExporter({ preventServerStart: true, metricProducers }) : undefined;
  const serializer = new PrometheusSerializer();
  const render = async (): Promise<string> => {
    if (reader === undefined) return DISABLED_EXPOSITION;
    try {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) onError(errors[0]);
      return serializer.serialize(resourceMetrics);
    } catch (err) {
      onError(err);
      return '# metric collection failed\n';
    }
  };
  return {
    reader,
    render,
    handler(_request, response) {
      void render().then((body) => {
        response.statusCode = 200;
        response.setHeader('content-type', PROMETHEUS_CONTENT_TYPE);
        response.end(body);
      });
    },
  };
}
