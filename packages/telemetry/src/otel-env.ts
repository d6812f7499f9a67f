import type { OtlpProtocol, SamplerName, TelemetryOptions } from './config.js';

/** An environment-like record (the caller owns `process.env`). */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/** Options read from the standard `OTEL_*` variables plus every problem found, naming the variable. */
export interface OtelEnvResult {
  readonly options: TelemetryOptions;
  readonly errors: readonly string[];
}

const PROTOCOLS = new Set<string>(['grpc', 'http/protobuf', 'http/json']);
const SAMPLERS = new Set<string>([
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
]);

function read(env: EnvRecord, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/** Parses `key1=value1,key2=value2` (W3C baggage-like, percent-decoded), as used by OTLP headers and resource attributes. */
export function parseKeyValueList(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    try {
      out[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return out;
}

/**
 * Maps the standard `OTEL_*` variables (and the pod/node variables `MY_POD_NAME`, `MY_POD_IP`,
 * `MY_NODE_NAME`, `NODE_IP`) to telemetry options; pure, never reads `process.env` itself.
 * @param env an environment-like record, e.g. `process.env` passed in by the app's config module.
 */
export function parseOtelEnv(env: EnvRecord): OtelEnvResult {
  const errors: string[] = [];
  const options: TelemetryOptions = {};
  const otlp: NonNullable<TelemetryOptions['otlp']> = {};

  const bool = (name: string): boolean | undefined => {
    const v = read(env, name);
    if (v === undefined) return undefined;
    const l = v.toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
    errors.push(`${name} must be true or false, got "${v}"`);
    return undefined;
  };
  const int = (name: string, min: number): number | undefined => {
    const v = read(env, name);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min) {
      errors.push(`${name} must be an integer ≥ ${min}, got "${v}"`);
      return undefined;
    }
    return Number(v);
  };
  const protocol = (name: string): OtlpProtocol | undefined => {
    const v = read(env, name);
    if (v === undefined) return undefined;
    if (!PROTOCOLS.has(v)) {
      errors.push(`${name} must be grpc, http/protobuf or http/json, got "${v}"`);
      return undefined;
    }
    return v as OtlpProtocol;
  };
  const url = (name: string): string | undefined => {
    const v = read(env, name);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (u.protocol === 'http:' || u.protocol === 'https:') return v;
    } catch {
      // reported below
    }
    errors.push(`${name} must be an http(s) URL, got "${v}"`);
    return undefined;
  };
  const kv = (name: string): Record<string, string> | undefined => {
    const v = read(env, name);
    if (v === undefined) return undefined;
    const parsed = parseKeyValueList(v);
    if (parsed === undefined) errors.push(`${name} must be a list of key=value pairs separated by commas`);
    return parsed;
  };
  const set = <K extends keyof typeof otlp>(key: K, value: (typeof otlp)[K] | undefined): void => {
    if (value !== undefined) otlp[key] = value;
  };

  const disabled = bool('OTEL_SDK_DISABLED');
  if (disabled !== undefined) options.disabled = disabled;
  const serviceName = read(env, 'OTEL_SERVICE_NAME');
  if (serviceName !== undefined) options.serviceName = serviceName;
  const attrs = kv('OTEL_RESOURCE_ATTRIBUTES');
  if (attrs !== undefined) options.resourceAttributes = attrs;

  set('protocol', protocol('OTEL_EXPORTER_OTLP_PROTOCOL'));
  set('tracesProtocol', protocol('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'));
  set('metricsProtocol', protocol('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'));
  set('endpoint', url('OTEL_EXPORTER_OTLP_ENDPOINT'));
  set('tracesEndpoint', url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'));
  set('metricsEndpoint', url('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'));
  set('headers', kv('OTEL_EXPORTER_OTLP_HEADERS'));
  set('tracesHeaders', kv('OTEL_EXPORTER_OTLP_TRACES_HEADERS'));
  set('metricsHeaders', kv('OTEL_EXPORTER_OTLP_METRICS_HEADERS'));
  set('timeoutMillis', int('OTEL_EXPORTER_OTLP_TIMEOUT', 1));
  if (Object.keys(otlp).length > 0) options.otlp = otlp;

  const sampler = read(env, 'OTEL_TRACES_SAMPLER');
  if (sampler !== undefined) {
    if (SAMPLERS.has(sampler)) options.sampler = sampler as SamplerName;
    else errors.push(`OTEL_TRACES_SAMPLER must be one of ${[...SAMPLERS].join(', ')}, got "${sampler}"`);
  }
  const arg = read(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (arg !== undefined) {
    const ratio = Number(arg);
    if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) options.samplerRatio = ratio;
    else errors.push(`OTEL_TRACES_SAMPLER_ARG must be a number in [0, 1], got "${arg}"`);
  }

  const tracesExporter = read(env, 'OTEL_TRACES_EXPORTER');
  if (tracesExporter === 'none') options.enableTracing = false;
  else if (tracesExporter !== undefined && tracesExporter !== 'otlp') {
    errors.push(`OTEL_TRACES_EXPORTER must be otlp or none, got "${tracesExporter}"`);
  }
  const metricsExporter = read(env, 'OTEL_METRICS_EXPORTER');
  if (metricsExporter !== undefined) {
    const names = metricsExporter.split(',').map((s) => s.trim());
    const unknown = names.filter((n) => n !== 'otlp' && n !== 'prometheus' && n !== 'none');
    if (unknown.length > 0) errors.push(`OTEL_METRICS_EXPORTER must list otlp, prometheus or none, got "${metricsExporter}"`);
    else options.enableMetricsExport = names.includes('otlp');
  }

  const interval = int('OTEL_METRIC_EXPORT_INTERVAL', 1);
  if (interval !== undefined) options.metricExportIntervalMillis = interval;
  const metricTimeout = int('OTEL_METRIC_EXPORT_TIMEOUT', 1);
  if (metricTimeout !== undefined) options.metricExportTimeoutMillis = metricTimeout;

  const bsp: { -readonly [K in keyof NonNullable<TelemetryOptions['bsp']>]: number } = {};
  const bspFields: [keyof typeof bsp, string][] = [
    ['scheduleDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY'],
    ['maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE'],
    ['maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'],
    ['exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT'],
  ];
  for (const [key, name] of bspFields) {
    const v = int(name, 1);
    if (v !== undefined) bsp[key] = v;
  }
  if (Object.keys(bsp).length > 0) options.bsp = bsp;

  const pod: [keyof TelemetryOptions & ('podName' | 'podIp' | 'nodeName' | 'nodeIp'), string][] = [
    ['podName', 'MY_POD_NAME'],
    ['podIp', 'MY_POD_IP'],
    ['nodeName', 'MY_NODE_NAME'],
    ['nodeIp', 'NODE_IP'],
  ];
  for (const [key, name] of pod) {
    const v = read(env, name);
    if (v !== undefined) options[key] = v;
  }
  return { options, errors };
}
