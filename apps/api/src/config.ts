import type { LogLevel, TelemetryOptions } from '@globeco/telemetry';
import * as v from 'valibot';
import { APP_ENVS, CONFIG_VARIABLES, type AppEnv, type ConfigVariable } from './config-variables.js';

/** The service's whole configuration, parsed and validated once at start. */
export interface AppConfig {
  readonly appEnv: AppEnv;
  readonly service: { readonly name: string; readonly namespace: string; readonly version: string };
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly http2: boolean;
    readonly keepAliveTimeoutMs: number;
    readonly headersTimeoutMs: number;
    readonly requestTimeoutMs: number;
    readonly corsOrigins: readonly string[];
    readonly accessLog: boolean;
    readonly shutdownGraceMs: number;
  };
  readonly log: { readonly level: LogLevel };
  readonly mongo: {
    readonly uri: string | undefined;
    readonly database: string;
    readonly minPoolSize: number;
    readonly maxPoolSize: number;
    readonly writeConcern: number | 'majority';
    readonly journal: boolean;
    readonly compressors: readonly ('zstd' | 'zlib' | 'snappy' | 'none')[];
    readonly serverSelectionTimeoutMs: number;
    readonly connectTimeoutMs: number;
    readonly socketTimeoutMs: number;
    readonly operationTimeoutMs: number;
    readonly breaker: { readonly failures: number; readonly halfOpenAfterMs: number; readonly successes: number };
    readonly indexRetryMs: number;
  };
  readonly validationCacheSize: number;
  readonly telemetry: {
    readonly enableMetrics: boolean;
    readonly sdkDisabled: boolean;
    readonly otlpEndpoint: string | undefined;
    readonly otlpProtocol: 'grpc' | 'http/protobuf' | 'http/json';
    readonly tracesExporter: 'otlp' | 'console' | 'none';
    readonly metricsExporters: readonly ('otlp' | 'prometheus' | 'console' | 'none')[];
    readonly traceSampleRatio: number;
    readonly metricExportIntervalMs: number;
    readonly resourceAttributes: Readonly<Record<string, string>>;
  };
  readonly pod: {
    readonly podName: string | undefined;
    readonly podIp: string | undefined;
    readonly nodeName: string | undefined;
    readonly nodeIp: string | undefined;
  };
}

/** A configuration problem; its message is the single line printed before the process stops. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Exit code for a configuration error (EX_CONFIG from sysexits.h). */
export const CONFIG_ERROR_EXIT_CODE = 78;

const byName = new Map(CONFIG_VARIABLES.map((d) => [d.name, d]));

/** Returns the default of a variable under a profile, or undefined when it has none. */
export function defaultFor(variable: ConfigVariable, appEnv: AppEnv): string | undefined {
  const d = variable.defaults;
  return typeof d === 'object' ? d[appEnv] : d;
}

function describe(raw: string): string {
  return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
}

/**
 * Parses the environment once into a frozen configuration.
 * @throws ConfigError naming the first bad variable and its accepted values.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const rawAppEnv = env.APP_ENV?.trim().toLowerCase() || 'development';
  if (!(APP_ENVS as readonly string[]).includes(rawAppEnv)) {
    throw new ConfigError(`Invalid APP_ENV=${describe(env.APP_ENV ?? '')}: expected ${APP_ENVS.join(' | ')}`);
  }
  const appEnv = rawAppEnv as AppEnv;

  const read = <T>(name: string): T => {
    const variable = byName.get(name);
    if (!variable) throw new Error(`unknown configuration variable ${name}`);
    const given = env[name];
    const raw = given !== undefined && given.trim() !== '' ? given : defaultFor(variable, appEnv);
    if (raw === undefined) return undefined as T;
    const result = v.safeParse(variable.schema, raw);
    if (!result.success) {
      throw new ConfigError(`Invalid ${name}=${describe(raw)}: expected ${variable.accepted}`);
    }
    return result.output as T;
  };

  const minPoolSize = read<number>('MIN_POOL_SIZE');
  const maxPoolSize = read<number>('MAX_POOL_SIZE');
  if (minPoolSize > maxPoolSize) {
    throw new ConfigError(`Invalid MIN_POOL_SIZE=${minPoolSize}: expected at most MAX_POOL_SIZE (${maxPoolSize})`);
  }
  const keepAliveTimeoutMs = read<number>('KEEP_ALIVE_TIMEOUT_MS');
  const headersTimeoutMs = read<number>('HEADERS_TIMEOUT_MS');
  if (headersTimeoutMs <= keepAliveTimeoutMs) {
    throw new ConfigError(
      `Invalid HEADERS_TIMEOUT_MS=${headersTimeoutMs}: expected more than KEEP_ALIVE_TIMEOUT_MS (${keepAliveTimeoutMs})`,
    );
  }
  const requestTimeoutMs = read<number>('REQUEST_TIMEOUT_MS');
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new ConfigError(
      `Invalid REQUEST_TIMEOUT_MS=${requestTimeoutMs}: expected at least HEADERS_TIMEOUT_MS (${headersTimeoutMs})`,
    );
  }
  const uri = read<string | undefined>('MONGODB_URI');
  if (uri === undefined && (appEnv === 'production' || appEnv === 'staging')) {
    throw new ConfigError(`Missing MONGODB_URI: expected a mongodb:// or mongodb+srv:// URI (required when APP_ENV=${appEnv})`);
  }
  const attributes = read<string[]>('OTEL_RESOURCE_ATTRIBUTES').map((pair) => {
    const at = pair.indexOf('=');
    return [pair.slice(0, at), pair.slice(at + 1)] as const;
  });

  const config: AppConfig = {
    appEnv,
    service: { name: read('OTEL_SERVICE_NAME'), namespace: read('SERVICE_NAMESPACE'), version: '2.0.0' },
    http: {
      host: read('HOST'),
      port: read('PORT'),
      http2: read('HTTP2'),
      keepAliveTimeoutMs,
      headersTimeoutMs,
      requestTimeoutMs,
      corsOrigins: Object.freeze(read<string[]>('CORS_ORIGINS')),
      accessLog: read('ACCESS_LOG'),
      shutdownGraceMs: read('SHUTDOWN_GRACE_MS'),
    },
    log: { level: read('LOG_LEVEL') },
    mongo: {
      uri,
      database: read('MONGODB_DATABASE'),
      minPoolSize,
      maxPoolSize,
      writeConcern: read('MONGODB_WRITE_CONCERN'),
      journal: read('MONGODB_JOURNAL'),
      compressors: Object.freeze(read<('zstd' | 'zlib' | 'snappy' | 'none')[]>('MONGODB_COMPRESSORS')),
      serverSelectionTimeoutMs: read('MONGODB_SERVER_SELECTION_TIMEOUT_MS'),
      connectTimeoutMs: read('MONGODB_CONNECT_TIMEOUT_MS'),
      socketTimeoutMs: read('MONGODB_SOCKET_TIMEOUT_MS'),
      operationTimeoutMs: read('DB_OPERATION_TIMEOUT_MS'),
      breaker: {
        failures: read('DB_BREAKER_FAILURES'),
        halfOpenAfterMs: read('DB_BREAKER_HALF_OPEN_MS'),
        successes: read('DB_BREAKER_SUCCESSES'),
      },
      indexRetryMs: read('DB_INDEX_RETRY_MS'),
    },
    validationCacheSize: read('VALIDATION_CACHE_SIZE'),
    telemetry: {
      enableMetrics: read('ENABLE_METRICS'),
      sdkDisabled: read('OTEL_SDK_DISABLED'),
      otlpEndpoint: read('OTEL_EXPORTER_OTLP_ENDPOINT'),
      otlpProtocol: read('OTEL_EXPORTER_OTLP_PROTOCOL'),
      tracesExporter: read('OTEL_TRACES_EXPORTER'),
      metricsExporters: Object.freeze(read<('otlp' | 'prometheus' | 'console' | 'none')[]>('OTEL_METRICS_EXPORTER')),
      traceSampleRatio: read('OTEL_TRACES_SAMPLER_ARG'),
      metricExportIntervalMs: read('OTEL_METRIC_EXPORT_INTERVAL'),
      resourceAttributes: Object.freeze(Object.fromEntries(attributes)),
    },
    pod: {
      podName: read('MY_POD_NAME'),
      podIp: read('MY_POD_IP'),
      nodeName: read('MY_NODE_NAME'),
      nodeIp: read('NODE_IP'),
    },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Request paths that get no trace: the scrape endpoint and the probes. */
const UNTRACED_PATHS = ['/metrics', '/health', '/health/live', '/health/ready', '/health/startup', '/health/detailed', '/health/metrics'];

/**
 * Maps the configuration to telemetry options: the one place the `OTEL_*` variables read by
 * {@link loadConfig} reach telemetry, which reads no environment itself.
 */
export function telemetryOptions(config: AppConfig): TelemetryOptions {
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
    log: { level: config.log.level, accessLog: config.http.accessLog, pretty: false },
    untracedPaths: UNTRACED_PATHS,
    entities: 'portfolios',
  };
  const pod = config.pod;
  if (pod.podName !== undefined) options.podName = pod.podName;
  if (pod.podIp !== undefined) options.podIp = pod.podIp;
  if (pod.nodeName !== undefined) options.nodeName = pod.nodeName;
  if (pod.nodeIp !== undefined) options.nodeIp = pod.nodeIp;
  return options;
}

/** Renders the configuration table (Markdown) that apps/api/README.md carries. */
export function renderConfigTable(): string {
  const cell = (s: string | undefined): string => (s === undefined ? '—' : s === '' ? '(empty)' : `\`${s}\``);
  const rows = CONFIG_VARIABLES.map((d) => {
    const byEnv = APP_ENVS.map((e) => cell(defaultFor(d, e)));
    return `| \`${d.name}\` | ${byEnv.join(' | ')} | ${d.accepted.replaceAll('|', '\\|')} | ${d.meaning} |`;
  });
  return [
    '| Variable | development | staging | production | test | Accepted | Meaning |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
