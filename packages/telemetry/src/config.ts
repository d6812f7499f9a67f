/** Deployment profile; picks defaults for sampling and log level. */
export type TelemetryProfile = 'development' | 'staging' | 'production' | 'test';

/** OTLP wire protocol, as in `OTEL_EXPORTER_OTLP_PROTOCOL`. */
export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';

/** Trace sampler name, as in `OTEL_TRACES_SAMPLER`. */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/** Log level names understood by the logger. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Where and how one signal (traces or metrics) is exported over OTLP. */
export interface OtlpSignalConfig {
  readonly protocol: OtlpProtocol;
  /** Full URL the exporter posts to (HTTP: including `/v1/traces` or `/v1/metrics`). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
}

/** Fully resolved telemetry configuration: every value filled in. */
export interface TelemetryConfig {
  readonly disabled: boolean;
  readonly profile: TelemetryProfile;
  readonly serviceName: string;
  readonly serviceNamespace: string;
  readonly serviceVersion: string;
  /** Extra resource attributes (pod, node, `OTEL_RESOURCE_ATTRIBUTES`). */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly enableTracing: boolean;
  /** Metric collection on/off; `/metrics` still answers when off. */
  readonly enableMetrics: boolean;
  /** OTLP push of metrics (the Prometheus pull endpoint is independent of it). */
  readonly enableMetricsExport: boolean;
  readonly enableRuntimeMetrics: boolean;
  readonly traces: OtlpSignalConfig;
  readonly metrics: OtlpSignalConfig;
  readonly sampler: SamplerName;
  readonly samplerRatio: number;
  readonly metricExportIntervalMillis: number;
  readonly metricExportTimeoutMillis: number;
  readonly bsp: {
    readonly scheduleDelayMillis: number;
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
    readonly exportTimeoutMillis: number;
  };
  readonly exportBreaker: {
    readonly consecutiveFailures: number;
    readonly halfOpenAfterMillis: number;
  };
  readonly log: {
    readonly level: LogLevel;
    readonly accessLog: boolean;
    /** Share of debug lines kept (1 = all). */
    readonly debugSampleRate: number;
    readonly pretty: boolean;
  };
  /** Minimum interval between two repeated export-error log lines. */
  readonly diagLogIntervalMillis: number;
  /** Request paths (query removed) that get no trace, e.g. the host's health probes. */
  readonly untracedPaths: readonly string[];
  /** Plural noun naming `<entities>_created_total`. */
  readonly entities: string;
}

/** Options accepted by `startTelemetry`; anything left out gets the profile default. */
export interface TelemetryOptions {
  disabled?: boolean;
  profile?: TelemetryProfile;
  serviceName?: string;
  serviceNamespace?: string;
  serviceVersion?: string;
  resourceAttributes?: Record<string, string>;
  podName?: string;
  podIp?: string;
  nodeName?: string;
  nodeIp?: string;
  enableTracing?: boolean;
  enableMetrics?: boolean;
  enableMetricsExport?: boolean;
  enableRuntimeMetrics?: boolean;
  otlp?: {
    protocol?: OtlpProtocol;
    /** Base endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`); HTTP signal paths are appended. */
    endpoint?: string;
    tracesProtocol?: OtlpProtocol;
    metricsProtocol?: OtlpProtocol;
    /** Per-signal endpoint, used as is. */
    tracesEndpoint?: string;
    metricsEndpoint?: string;
    headers?: Record<string, string>;
    tracesHeaders?: Record<string, string>;
    metricsHeaders?: Record<string, string>;
    timeoutMillis?: number;
  };
  sampler?: SamplerName;
  samplerRatio?: number;
  metricExportIntervalMillis?: number;
  metricExportTimeoutMillis?: number;
  bsp?: Partial<TelemetryConfig['bsp']>;
  exportBreaker?: Partial<TelemetryConfig['exportBreaker']>;
  log?: Partial<TelemetryConfig['log']>;
  diagLogIntervalMillis?: number;
  /** Request paths (query removed) that get no trace, e.g. the host's health probes (default none). */
  untracedPaths?: readonly string[];
  /** Plural noun naming `<entities>_created_total` (default `items`). */
  entities?: string;
}

/** Result of resolving options: a config, or the list of problems found. */
export type ResolveResult =
  | { readonly ok: true; readonly config: TelemetryConfig }
  | { readonly ok: false; readonly errors: readonly string[] };

const PROFILES: readonly TelemetryProfile[] = ['development', 'staging', 'production', 'test'];
const PROTOCOLS: readonly OtlpProtocol[] = ['grpc', 'http/protobuf', 'http/json'];
const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];
const LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const PROFILE_DEFAULTS: Readonly<
  Record<TelemetryProfile, { ratio: number; level: LogLevel; debugSampleRate: number; pretty: boolean }>
> = {
  development: { ratio: 1, level: 'debug', debugSampleRate: 1, pretty: true },
  test: { ratio: 1, level: 'info', debugSampleRate: 1, pretty: false },
  staging: { ratio: 0.5, level: 'info', debugSampleRate: 1, pretty: false },
  production: { ratio: 0.1, level: 'warn', debugSampleRate: 0.1, pretty: false },
};

/** Default service name of the portfolio service deployment. */
export const DEFAULT_SERVICE_NAME = 'globeco-portfolio-service';

function signalUrl(protocol: OtlpProtocol, base: string | undefined, own: string | undefined, path: string): string {
  if (own !== undefined) return own;
  if (protocol === 'grpc') return base ?? 'http://localhost:4317';
  const root = (base ?? 'http://localhost:4318').replace(/\/+$/, '');
  return `${root}/${path}`;
}

function checkUrl(name: string, url: string, errors: string[]): void {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') errors.push(`${name} must be an http(s) URL, got "${url}"`);
  } catch {
    errors.push(`${name} is not a valid URL: "${url}"`);
  }
}

function checkOneOf<T>(name: string, value: T, allowed: readonly T[], errors: string[]): void {
  if (!allowed.includes(value)) errors.push(`${name} must be one of ${allowed.join(', ')}, got "${String(value)}"`);
}

function checkNumber(name: string, value: number, min: number, max: number, errors: string[]): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    errors.push(`${name} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
}

/**
 * Fills every option with its profile default and validates the result.
 * @returns the frozen config, or every problem found (each naming the option).
 */
export function resolveTelemetryConfig(options: TelemetryOptions = {}): ResolveResult {
  const errors: string[] = [];
  const profile = options.profile ?? 'development';
  checkOneOf('profile', profile, PROFILES, errors);
  const defaults = PROFILE_DEFAULTS[profile] ?? PROFILE_DEFAULTS.development;
  const otlp = options.otlp ?? {};
  const protocol = otlp.protocol ?? 'grpc';
  const tracesProtocol = otlp.tracesProtocol ?? protocol;
  const metricsProtocol = otlp.metricsProtocol ?? protocol;
  checkOneOf('otlp.protocol', protocol, PROTOCOLS, errors);
  checkOneOf('otlp.tracesProtocol', tracesProtocol, PROTOCOLS, errors);
  checkOneOf('otlp.metricsProtocol', metricsProtocol, PROTOCOLS, errors);
  const timeoutMillis = otlp.timeoutMillis ?? 10_000;
  checkNumber('otlp.timeoutMillis', timeoutMillis, 1, 600_000, errors);

  const traces: OtlpSignalConfig = {
    protocol: tracesProtocol,
    url: signalUrl(tracesProtocol, otlp.endpoint, otlp.tracesEndpoint, 'v1/traces'),
    headers: { ...otlp.headers, ...otlp.tracesHeaders },
    timeoutMillis,
  };
  const metrics: OtlpSignalConfig = {
    protocol: metricsProtocol,
    url: signalUrl(metricsProtocol, otlp.endpoint, otlp.metricsEndpoint, 'v1/metrics'),
    headers: { ...otlp.headers, ...otlp.metricsHeaders },
    timeoutMillis,
  };
  checkUrl('otlp traces endpoint', traces.url, errors);
  checkUrl('otlp metrics endpoint', metrics.url, errors);

  const sampler = options.sampler ?? 'parentbased_traceidratio';
  checkOneOf('sampler', sampler, SAMPLERS, errors);
  const samplerRatio = options.samplerRatio ?? defaults.ratio;
  checkNumber('samplerRatio', samplerRatio, 0, 1, errors);

  const metricExportIntervalMillis = options.metricExportIntervalMillis ?? 10_000;
  checkNumber('metricExportIntervalMillis', metricExportIntervalMillis, 100, 3_600_000, errors);
  const metricExportTimeoutMillis = options.metricExportTimeoutMillis ?? Math.min(5_000, metricExportIntervalMillis);
  checkNumber('metricExportTimeoutMillis', metricExportTimeoutMillis, 1, metricExportIntervalMillis, errors);

  const bsp = {
    scheduleDelayMillis: options.bsp?.scheduleDelayMillis ?? 5_000,
    maxQueueSize: options.bsp?.maxQueueSize ?? 2_048,
    maxExportBatchSize: options.bsp?.maxExportBatchSize ?? 512,
    exportTimeoutMillis: options.bsp?.exportTimeoutMillis ?? 30_000,
  };
  checkNumber('bsp.scheduleDelayMillis', bsp.scheduleDelayMillis, 1, 3_600_000, errors);
  checkNumber('bsp.maxQueueSize', bsp.maxQueueSize, 1, 1_000_000, errors);
  checkNumber('bsp.maxExportBatchSize', bsp.maxExportBatchSize, 1, bsp.maxQueueSize, errors);
  checkNumber('bsp.exportTimeoutMillis', bsp.exportTimeoutMillis, 1, 600_000, errors);

  const exportBreaker = {
    consecutiveFailures: options.exportBreaker?.consecutiveFailures ?? 3,
    halfOpenAfterMillis: options.exportBreaker?.halfOpenAfterMillis ?? 60_000,
  };
  checkNumber('exportBreaker.consecutiveFailures', exportBreaker.consecutiveFailures, 1, 1_000, errors);
  checkNumber('exportBreaker.halfOpenAfterMillis', exportBreaker.halfOpenAfterMillis, 1, 86_400_000, errors);

  const log = {
    level: options.log?.level ?? defaults.level,
    accessLog: options.log?.accessLog ?? true,
    debugSampleRate: options.log?.debugSampleRate ?? defaults.debugSampleRate,
    pretty: options.log?.pretty ?? defaults.pretty,
  };
  checkOneOf('log.level', log.level, LEVELS, errors);
  checkNumber('log.debugSampleRate', log.debugSampleRate, 0, 1, errors);

  const diagLogIntervalMillis = options.diagLogIntervalMillis ?? 60_000;
  checkNumber('diagLogIntervalMillis', diagLogIntervalMillis, 0, 86_400_000, errors);

  const untracedPaths: readonly string[] = options.untracedPaths ?? [];
  if (!untracedPaths.every((p) => typeof p === 'string' && p.startsWith('/'))) {
    errors.push('untracedPaths must be a list of paths starting with /');
  }
  const entities = options.entities ?? 'items';
  if (typeof entities !== 'string' || !/^[a-z][a-z0-9_]{0,62}$/.test(entities)) errors.push(`entities must match [a-z][a-z0-9_]*, got "${String(entities)}"`);

  const serviceName = options.serviceName ?? DEFAULT_SERVICE_NAME;
  if (typeof serviceName !== 'string' || serviceName.trim() === '') errors.push('serviceName must be a non-empty string');

  const resourceAttributes: Record<string, string> = { ...options.resourceAttributes };
  const pod: [string, string | undefined][] = [
    ['k8s.pod.name', options.podName],
    ['k8s.pod.ip', options.podIp],
    ['k8s.node.name', options.nodeName],
    ['k8s.node.ip', options.nodeIp],
  ];
  for (const [key, value] of pod) if (value !== undefined && value !== '') resourceAttributes[key] = value;

  if (errors.length > 0) return { ok: false, errors };
  const config: TelemetryConfig = {
    disabled: options.disabled ?? false,
    profile,
    serviceName,
    serviceNamespace: options.serviceNamespace ?? 'globeco',
    serviceVersion: options.serviceVersion ?? '0.0.0',
    resourceAttributes,
    enableTracing: options.enableTracing ?? true,
    enableMetrics: options.enableMetrics ?? true,
    enableMetricsExport: options.enableMetricsExport ?? true,
    enableRuntimeMetrics: options.enableRuntimeMetrics ?? true,
    traces,
    metrics,
    sampler,
    samplerRatio,
    metricExportIntervalMillis,
    metricExportTimeoutMillis,
    bsp,
    exportBreaker,
    log,
    diagLogIntervalMillis,
    untracedPaths: Object.freeze([...untracedPaths]),
    entities,
  };
  return { ok: true, config: Object.freeze(config) };
}
