export { startTelemetry } from './start-telemetry.js';
export type { Telemetry, TelemetryRuntime } from './start-telemetry.js';
export { resolveTelemetryConfig, DEFAULT_SERVICE_NAME } from './config.js';
export type {
  LogLevel,
  OtlpProtocol,
  OtlpSignalConfig,
  ResolveResult,
  SamplerName,
  TelemetryConfig,
  TelemetryOptions,
  TelemetryProfile,
} from './config.js';
export { parseOtelEnv, parseKeyValueList } from './otel-env.js';
export type { EnvRecord, OtelEnvResult } from './otel-env.js';
export { createExportBreaker, protectMetricExporter, protectSpanExporter } from './export/export-breaker.js';
export type { BreakerState, ExportBreaker, ExportBreakerOptions } from './export/export-breaker.js';
export { createOtlpMetricExporter, createOtlpSpanExporter } from './export/otlp-exporters.js';
export { createRateLimitedDiagLogger } from './diag-log.js';
export type { DiagSink } from './diag-log.js';
export { registerLoaderHook, HOOKED_MODULES } from './loader-hook.js';
export { createLogger } from './logging/logger.js';
export type { LoggerConfig, TelemetryLogger } from './logging/logger.js';
export { ensureContextManager, getRequestContext, runWithRequestContext } from './logging/request-context.js';
export type { RequestContext } from './logging/request-context.js';
export { REDACT_PATHS, redactUri } from './logging/redact.js';
export { createKoaMiddleware } from './koa-middleware.js';
export type { KoaLikeContext, KoaLikeMiddleware, KoaMiddlewareOptions } from './koa-middleware.js';
export { createHttpMetrics, HTTP_DURATION_BUCKETS_MS, OTHER_PATH } from './metrics/http-metrics.js';
export type { HttpMetrics, HttpMetricsOptions, HttpRequestToken } from './metrics/http-metrics.js';
export { sanitizePath, toRoutePattern } from './metrics/route-path.js';
export { createAppMetrics } from './metrics/app-metrics.js';
export type { AppMetrics, CacheStats, CircuitStateName } from './metrics/app-metrics.js';
export { instrumentMongoPool } from './metrics/mongo-pool.js';
export type { MongoPoolMetrics, PoolEventSource, PoolSnapshot } from './metrics/mongo-pool.js';
export { createSaturationMetrics } from './metrics/saturation-metrics.js';
export type { SaturationMetrics } from './metrics/saturation-metrics.js';
export { createMongoStatementSerializer, MAX_STATEMENT_LENGTH, summarizeMongoCommand } from './tracing/mongo-statement.js';
export { instrumentHttpServers } from './tracing/http-server-spans.js';
export type { HttpServerSpanOptions } from './tracing/http-server-spans.js';
export { createKoaInstrumentation } from './tracing/koa-instrumentation.js';
export { createMongoInstrumentation } from './tracing/mongo-instrumentation.js';
export { createIdGenerator } from './tracing/id-generator.js';
export { createPrometheusEndpoint, DISABLED_EXPOSITION, PROMETHEUS_CONTENT_TYPE } from './metrics/prometheus.js';
export type { PrometheusEndpoint } from './metrics/prometheus.js';
