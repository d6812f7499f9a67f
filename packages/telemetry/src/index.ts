export { startTelemetry } from './start-telemetry.js';
export type { MongoClientMetrics, Telemetry, TelemetryRuntime } from './start-telemetry.js';
export type { LogLevel, OtlpProtocol, OtlpSignalConfig, SamplerName, TelemetryConfig, TelemetryOptions, TelemetryProfile } from './config.js';
export type { BreakerState } from './export/export-breaker.js';
export type { KoaLikeContext, KoaLikeMiddleware, KoaMiddlewareOptions } from './koa-middleware.js';
export type { TelemetryLogger } from './logging/logger.js';
export type { AppMetrics, CacheStats, CircuitStateName } from './metrics/app-metrics.js';
export type { PoolEventSource, PoolSnapshot } from './metrics/mongo-pool.js';
