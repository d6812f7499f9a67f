import type { LogLevel } from '@globeco/telemetry';
import * as v from 'valibot';

/** Deployment profiles selected by APP_ENV. */
export const APP_ENVS = ['development', 'staging', 'production', 'test'] as const;

/** One deployment profile name. */
export type AppEnv = (typeof APP_ENVS)[number];

/** Default value of a variable: one string for every profile, or one per profile. */
type Defaults = string | undefined | Readonly<Record<AppEnv, string | undefined>>;

/** Description of one environment variable the service reads. */
export interface ConfigVariable {
  /** Variable name, e.g. `PORT`. */
  readonly name: string;
  /** Human-readable list of accepted values, used in start-up errors and the README. */
  readonly accepted: string;
  /** What the variable controls. */
  readonly meaning: string;
  /** Default when the variable is unset (per profile where they differ). */
  readonly defaults: Defaults;
  /** Parses the raw string; failure stops the process. */
  readonly schema: v.GenericSchema<string, unknown>;
}

/** Every level of telemetry's `LogLevel` (the type is defined there; a missing or extra name fails the type check). */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const satisfies readonly LogLevel[];
type MissingLevel = Exclude<LogLevel, (typeof LOG_LEVELS)[number]>;
const everyLevel: [MissingLevel] extends [never] ? true : MissingLevel = true;
void everyLevel;

const intIn = (min: number, max: number): v.GenericSchema<string, number> =>
  v.pipe(v.string(), v.regex(/^\d+$/), v.transform(Number), v.integer(), v.minValue(min), v.maxValue(max));

const bool: v.GenericSchema<string, boolean> = v.pipe(
  v.string(),
  v.toLowerCase(),
  v.picklist(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']),
  v.transform((s) => ['true', '1', 'yes', 'on'].includes(s)),
);

const text: v.GenericSchema<string, string> = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(2048));

const list = (item: v.GenericSchema<string, string>): v.GenericSchema<string, string[]> =>
  v.pipe(
    v.string(),
    v.transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p.length > 0),
    ),
    v.array(item),
  );

const picklistOf = <const T extends readonly [string, ...string[]]>(values: T): v.GenericSchema<string, T[number]> =>
  v.pipe(v.string(), v.trim(), v.toLowerCase(), v.picklist(values));

const ratio: v.GenericSchema<string, number> = v.pipe(
  v.string(),
  v.regex(/^\d+(\.\d+)?$/),
  v.transform(Number),
  v.minValue(0),
  v.maxValue(1),
);

const mongoUri: v.GenericSchema<string, string> = v.pipe(v.string(), v.trim(), v.regex(/^mongodb(\+srv)?:\/\/\S+$/));

const url: v.GenericSchema<string, string> = v.pipe(v.string(), v.trim(), v.url());

const origin: v.GenericSchema<string, string> = v.pipe(v.string(), v.regex(/^(\*|https?:\/\/[^\s/,]+)$/));

const profile = (development: string, staging: string, production: string, test: string): Defaults => ({
  development,
  staging,
  production,
  test,
});

/** Every environment variable the service reads, with defaults per profile; the README table mirrors it. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  {
    name: 'APP_ENV',
    accepted: APP_ENVS.join(' | '),
    meaning: 'Profile that selects the defaults below (unset: development).',
    defaults: profile('development', 'staging', 'production', 'test'),
    schema: picklistOf(APP_ENVS),
  },
  { name: 'HOST', accepted: 'host name or IP', meaning: 'Interface to listen on.', defaults: '0.0.0.0', schema: text },
  { name: 'PORT', accepted: 'integer 0..65535', meaning: 'TCP port to listen on (0 = any free port).', defaults: '8000', schema: intIn(0, 65535) },
  {
    name: 'HTTP2',
    accepted: 'true | false',
    meaning: 'Serve HTTP/2 cleartext with prior knowledge (h2c) instead of HTTP/1.1.',
    defaults: 'false',
    schema: bool,
  },
  {
    name: 'KEEP_ALIVE_TIMEOUT_MS',
    accepted: 'integer 1000..600000',
    meaning: 'Idle keep-alive timeout; above the usual 60 s load-balancer idle timeout.',
    defaults: '65000',
    schema: intIn(1000, 600000),
  },
  {
    name: 'HEADERS_TIMEOUT_MS',
    accepted: 'integer 1000..600000',
    meaning: 'Time allowed to receive request headers; must exceed KEEP_ALIVE_TIMEOUT_MS.',
    defaults: '66000',
    schema: intIn(1000, 600000),
  },
  {
    name: 'REQUEST_TIMEOUT_MS',
    accepted: 'integer 1000..600000',
    meaning: 'Time allowed to receive a whole request; at least HEADERS_TIMEOUT_MS.',
    defaults: '120000',
    schema: intIn(1000, 600000),
  },
  {
    name: 'CORS_ORIGINS',
    accepted: 'comma-separated origins (https://a.example,http://b:3000) or *',
    meaning: 'Origins allowed by CORS; empty disables CORS.',
    defaults: '',
    schema: list(origin),
  },
  {
    name: 'SHUTDOWN_GRACE_MS',
    accepted: 'integer 0..600000',
    meaning: 'Longest wait for in-flight requests after SIGTERM/SIGINT.',
    defaults: '20000',
    schema: intIn(0, 600000),
  },
  {
    name: 'ACCESS_LOG',
    accepted: 'true | false',
    meaning: 'Log one line per request.',
    defaults: profile('true', 'true', 'false', 'false'),
    schema: bool,
  },
  {
    name: 'LOG_LEVEL',
    accepted: LOG_LEVELS.join(' | '),
    meaning: 'Minimum log level.',
    defaults: profile('debug', 'info', 'warn', 'warn'),
    schema: picklistOf(LOG_LEVELS),
  },
  {
    name: 'MONGODB_URI',
    accepted: 'mongodb:// or mongodb+srv:// URI',
    meaning: 'MongoDB to use; unset starts an embedded MongoDB in development and test (a development dependency; refused in staging and production).',
    defaults: undefined,
    schema: mongoUri,
  },
  { name: 'MONGODB_DATABASE', accepted: 'database name', meaning: 'Database name.', defaults: 'portfolio_db', schema: v.pipe(text, v.regex(/^[^/\\. "$*<>:|?]{1,63}$/)) },
  {
    name: 'MIN_POOL_SIZE',
    accepted: 'integer 0..1000',
    meaning: 'Minimum MongoDB connections kept open.',
    defaults: profile('10', '8', '5', '0'),
    schema: intIn(0, 1000),
  },
  {
    name: 'MAX_POOL_SIZE',
    accepted: 'integer 1..1000',
    meaning: 'Maximum MongoDB connections.',
    defaults: profile('50', '30', '20', '10'),
    schema: intIn(1, 1000),
  },
  {
    name: 'MONGODB_WRITE_CONCERN',
    accepted: "integer 0..50 or 'majority'",
    meaning: 'Write concern `w` for every write.',
    defaults: '1',
    schema: v.pipe(v.string(), v.trim(), v.regex(/^(majority|\d{1,2})$/), v.transform((s) => (s === 'majority' ? s : Number(s)))),
  },
  {
    name: 'MONGODB_JOURNAL',
    accepted: 'true | false',
    meaning: 'Ask for journal acknowledgement (`j`) on writes.',
    defaults: 'false',
    schema: bool,
  },
  {
    name: 'MONGODB_COMPRESSORS',
    accepted: 'comma-separated subset of zstd,zlib,snappy,none',
    meaning: 'Wire compressors offered to the server, in order of preference; codecs that are not installed are skipped.',
    defaults: 'zstd,snappy,zlib',
    schema: list(picklistOf(['zstd', 'snappy', 'zlib', 'none'])),
  },
  {
    name: 'MONGODB_SERVER_SELECTION_TIMEOUT_MS',
    accepted: 'integer 100..120000',
    meaning: 'How long the driver waits for a usable server.',
    defaults: '5000',
    schema: intIn(100, 120000),
  },
  {
    name: 'MONGODB_CONNECT_TIMEOUT_MS',
    accepted: 'integer 100..120000',
    meaning: 'TCP connect timeout to MongoDB.',
    defaults: '5000',
    schema: intIn(100, 120000),
  },
  {
    name: 'MONGODB_SOCKET_TIMEOUT_MS',
    accepted: 'integer 0..600000 (0 = none)',
    meaning:
      'Longest silence on a MongoDB connection during an operation before the driver closes it; bounds how long a bulk commit whose reply is delayed is waited for.',
    defaults: '30000',
    schema: intIn(0, 600000),
  },
  {
    name: 'DB_OPERATION_TIMEOUT_MS',
    accepted: 'integer 50..120000',
    meaning: 'Timeout of one database operation (per attempt).',
    defaults: '5000',
    schema: intIn(50, 120000),
  },
  {
    name: 'DB_BREAKER_FAILURES',
    accepted: 'integer 1..1000',
    meaning: 'Consecutive failures that open the database circuit breaker.',
    defaults: '5',
    schema: intIn(1, 1000),
  },
  {
    name: 'DB_BREAKER_HALF_OPEN_MS',
    accepted: 'integer 100..3600000',
    meaning: 'Time an open breaker waits before letting a trial call through.',
    defaults: '30000',
    schema: intIn(100, 3600000),
  },
  {
    name: 'DB_BREAKER_SUCCESSES',
    accepted: 'integer 1..1000',
    meaning: 'Successful trial calls that close a half-open breaker.',
    defaults: '3',
    schema: intIn(1, 1000),
  },
  {
    name: 'DB_INDEX_RETRY_MS',
    accepted: 'integer 100..600000',
    meaning: 'Pause between attempts to ensure indexes while MongoDB is unreachable.',
    defaults: '2000',
    schema: intIn(100, 600000),
  },
  {
    name: 'VALIDATION_CACHE_SIZE',
    accepted: 'integer 1..1000000',
    meaning: 'Entries in the name-validation cache.',
    defaults: profile('1000', '1000', '2000', '1000'),
    schema: intIn(1, 1000000),
  },
  {
    name: 'ENABLE_METRICS',
    accepted: 'true | false',
    meaning: 'Record HTTP and database metrics and serve GET /metrics.',
    defaults: 'true',
    schema: bool,
  },
  {
    name: 'SERVICE_NAMESPACE',
    accepted: 'text',
    meaning: 'service.namespace resource attribute.',
    defaults: 'globeco',
    schema: text,
  },
  {
    name: 'OTEL_SERVICE_NAME',
    accepted: 'text',
    meaning: 'service.name resource attribute.',
    defaults: 'globeco-portfolio-service',
    schema: text,
  },
  {
    name: 'OTEL_SDK_DISABLED',
    accepted: 'true | false',
    meaning: 'Turn the OpenTelemetry SDK off (logs and /metrics keep working).',
    defaults: 'false',
    schema: bool,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    accepted: 'URL',
    meaning: 'OTLP collector endpoint; unset exports nothing.',
    defaults: undefined,
    schema: url,
  },
  {
    name: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    accepted: 'grpc | http/protobuf | http/json',
    meaning: 'OTLP transport.',
    defaults: 'grpc',
    schema: picklistOf(['grpc', 'http/protobuf', 'http/json']),
  },
  {
    name: 'OTEL_TRACES_EXPORTER',
    accepted: 'otlp | console | none',
    meaning: 'Where spans go.',
    defaults: 'otlp',
    schema: picklistOf(['otlp', 'console', 'none']),
  },
  {
    name: 'OTEL_METRICS_EXPORTER',
    accepted: 'comma-separated subset of otlp,prometheus,console,none',
    meaning: 'Where metrics go (prometheus = GET /metrics).',
    defaults: 'otlp,prometheus',
    schema: list(picklistOf(['otlp', 'prometheus', 'console', 'none'])),
  },
  {
    name: 'OTEL_TRACES_SAMPLER_ARG',
    accepted: 'number 0..1',
    meaning: 'Fraction of traces sampled (parent-based ratio sampler).',
    defaults: profile('1.0', '0.5', '0.1', '1.0'),
    schema: ratio,
  },
  {
    name: 'OTEL_METRIC_EXPORT_INTERVAL',
    accepted: 'integer 1000..3600000',
    meaning: 'Milliseconds between OTLP metric exports (the original exported every 5–10 s).',
    defaults: '10000',
    schema: intIn(1000, 3600000),
  },
  {
    name: 'OTEL_RESOURCE_ATTRIBUTES',
    accepted: 'key=value pairs, comma-separated',
    meaning: 'Extra resource attributes.',
    defaults: '',
    schema: list(v.pipe(v.string(), v.regex(/^[^=\s]+=[^,]*$/))),
  },
  { name: 'MY_POD_NAME', accepted: 'text', meaning: 'Kubernetes pod name (downward API), added to logs and telemetry.', defaults: undefined, schema: text },
  { name: 'MY_POD_IP', accepted: 'text', meaning: 'Pod IP (downward API).', defaults: undefined, schema: text },
  { name: 'MY_NODE_NAME', accepted: 'text', meaning: 'Node name (downward API).', defaults: undefined, schema: text },
  { name: 'NODE_IP', accepted: 'text', meaning: 'Node IP (downward API).', defaults: undefined, schema: text },
];
