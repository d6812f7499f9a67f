import {
  OTHER_PATH,
  runWithRequestContext,
  startTelemetry,
  type HttpMetrics,
  type PoolEventSource,
  type PoolSnapshot,
  type Telemetry,
  type TelemetryLogger,
  type TelemetryOptions,
} from '@globeco/telemetry';
import type { PortfolioService } from '@globeco/portfolio-core';
import type { Middleware } from 'koa';
import type { AppConfig } from './config.js';
import type { ContextRunner } from './http/request-id.js';
import { routeOf } from './http/route-of.js';
import type { MetricsRenderer } from './routes/root.js';

/** The logger every part of the service writes to (pino, JSON lines with request and trace ids). */
export type Logger = TelemetryLogger;

/** Logging, metrics and tracing as the rest of the service sees them. */
export interface Observability {
  /** The process logger; lines inside a request carry its id. */
  readonly logger: Logger;
  /** Scopes a request's log lines to its id. */
  readonly runInRequestContext: ContextRunner;
  /** HTTP metrics middleware. */
  readonly httpMetrics: Middleware;
  /** Prometheus exposition for GET /metrics. */
  readonly renderMetrics: MetricsRenderer;
  /** Exports pool, breaker, cache and retry metrics of the database stack; returns the pool reader. */
  instrumentDatabase(client: PoolEventSource, service: PortfolioService): () => PoolSnapshot;
  /** Flushes and stops exporters; never rejects. */
  shutdown(): Promise<void>;
}

/** Maps the validated configuration to telemetry options (telemetry reads no environment itself). */
export function toTelemetryOptions(config: AppConfig): TelemetryOptions {
  const t = config.telemetry;
  const exportsOtlp = t.otlpEndpoint !== undefined;
  const options: TelemetryOptions = {
    disabled: t.sdkDisabled,
    profile: config.appEnv,
    serviceName: config.service.name,
    serviceNamespace: config.service.namespace,
    serviceVersion: config.service.version,
    resourceAttributes: { ...t.resourceAttributes },
    enableTracing: exportsOtlp && t.tracesExporter === 'otlp',
    enableMetrics: t.enableMetrics,
    enableMetricsExport: exportsOtlp && t.metricsExporters.includes('otlp'),
    otlp: { protocol: t.otlpProtocol, ...(t.otlpEndpoint === undefined ? {} : { endpoint: t.otlpEndpoint }) },
    samplerRatio: t.traceSampleRatio,
    metricExportIntervalMillis: t.metricExportIntervalMs,
    // Access logging is done by the app (createApp's accessLog), after its own request id.
    log: { level: config.log.level, accessLog: false, pretty: false },
  };
  const pod = config.pod;
  if (pod.podName !== undefined) options.podName = pod.podName;
  if (pod.podIp !== undefined) options.podIp = pod.podIp;
  if (pod.nodeName !== undefined) options.nodeName = pod.nodeName;
  if (pod.nodeIp !== undefined) options.nodeIp = pod.nodeIp;
  return options;
}

/** Koa middleware feeding telemetry's HTTP metrics, labelled by the matched route pattern. */
export function createHttpMetricsMiddleware(metrics: HttpMetrics): Middleware {
  return async (ctx, next) => {
    const token = metrics.start(ctx.method, ctx.path);
    let status = 500;
    try {
      await next();
      status = ctx.status;
    } finally {
      // Unknown paths share one label: a raw path may carry whatever a client put in it.
      metrics.end(token, status, routeOf(ctx), OTHER_PATH);
    }
  };
}

/** Wraps a started telemetry into the service's {@link Observability}. */
export function fromTelemetry(telemetry: Telemetry): Observability {
  return {
    logger: telemetry.logger,
    runInRequestContext: runWithRequestContext,
    httpMetrics: createHttpMetricsMiddleware(telemetry.httpMetrics),
    renderMetrics: async () => ({ contentType: telemetry.prometheusContentType, body: await telemetry.renderPrometheus() }),
    instrumentDatabase(client, service) {
      const pool = telemetry.instrumentMongoPool(client);
      const metrics = telemetry.appMetrics;
      metrics.observeCircuitBreaker('database', () => service.policy.state);
      metrics.observeCache('validation', () => service.cache.stats());
      service.policy.onStateChange((state) => metrics.recordCircuitBreakerTransition('database', state));
      service.policy.onRetry((event) => metrics.recordRetry(event.operation));
      return () => pool.snapshot();
    },
    shutdown: () => telemetry.shutdown(),
  };
}

/**
 * Starts telemetry (OpenTelemetry SDK, Prometheus, logger). Called by main.ts before Koa and the
 * MongoDB driver are imported, so their instrumentation applies. Never throws.
 */
export function startObservability(config: AppConfig): Observability {
  return fromTelemetry(startTelemetry(toTelemetryOptions(config)));
}
