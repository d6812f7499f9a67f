import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, createNoopMeter, type MeterProvider as MeterProviderApi } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { DestinationStream } from 'pino';
import { resolveTelemetryConfig, type TelemetryConfig, type TelemetryOptions } from './config.js';
import { createExportBreaker, type BreakerState, type ExportBreaker } from './export/export-breaker.js';
import { createKoaMiddleware, type KoaLikeMiddleware, type KoaMiddlewareOptions } from './koa-middleware.js';
import type { TelemetryLogger } from './logging/logger.js';
import { ensureContextManager, releaseContextManager } from './logging/request-context.js';
import { createAppMetrics, type AppMetrics } from './metrics/app-metrics.js';
import { createHttpMetrics } from './metrics/http-metrics.js';
import { createCommandRecorder, instrumentMongoCommands, type CommandRecorder } from './metrics/db-metrics.js';
import { instrumentMongoPool, type PoolEventSource, type PoolSnapshot } from './metrics/mongo-pool.js';
import { createPrometheusEndpoint, PROMETHEUS_CONTENT_TYPE } from './metrics/prometheus.js';
import { buildLogger, routeDiagnostics } from './setup/logging.js';
import { buildMetrics, observeHooks, type Metrics } from './setup/metrics.js';
import { abandon, createShutdown, createShutdownSteps, withTimeout, type ShutdownSteps } from './setup/shutdown.js';
import { buildMongoInstrumentation, type MongoInstrumentation } from './setup/mongo.js';
import { buildTracing, type Tracing } from './setup/tracing.js';

/** Process-level hooks of `startTelemetry` that are not configuration. */
export interface TelemetryRuntime {
  /** Log output (tests); defaults to stdout. */
  logDestination?: DestinationStream;
  /** Replaces the MongoDB `db.query.text` summary (default: command, collection, filter/sort keys). */
  mongoStatementSerializer?: (command: Record<string, unknown>) => string;
}

/** Metrics of one MongoClient, returned by `instrumentMongoClient`. */
export interface MongoClientMetrics {
  /** Current connection-pool counters. */
  snapshot(): PoolSnapshot;
  /** Removes the event listeners and metric callbacks. */
  stop(): void;
}

/** A running telemetry setup; every member also works in its no-op form. */
export interface Telemetry {
  /** True when the SDK runs; false for the no-op (disabled or invalid configuration). */
  readonly enabled: boolean;
  /** The resolved configuration, absent when it was invalid. */
  readonly config: TelemetryConfig | undefined;
  /** The process logger: JSON lines carrying request, correlation, trace and span ids. */
  readonly logger: TelemetryLogger;
  /** Application metrics the host records: created items, bulk sizes, failures, breakers, caches, retries. */
  readonly app: AppMetrics;
  /** Koa middleware, mounted first: request id, HTTP metrics, access log (per config). */
  koaMiddleware(options?: KoaMiddlewareOptions): KoaLikeMiddleware;
  /**
   * Instruments a MongoClient, before `connect()`: pool gauges from its connection events and
   * `db.client.operation.duration` of its commands. Commands are timed by the wrapper of the
   * driver's `Connection.command` (which covers every client of a driver loaded after
   * `startTelemetry`); only when that hook did not apply ({@link mongoCommandEvents}) from the
   * client's command monitoring events.
   */
  instrumentMongoClient(client: PoolEventSource): MongoClientMetrics;
  /**
   * True when `instrumentMongoClient` has to time commands from command monitoring events: create
   * the client with `monitorCommands: true` then. False normally — the events cost a second
   * deserialization of every reply.
   */
  readonly mongoCommandEvents: boolean;
  /** Renders the current metrics in Prometheus text format (same meter provider as OTLP push). */
  renderPrometheus(): Promise<string>;
  /** node:http handler answering with `renderPrometheus()`. */
  readonly metricsHandler: (request: IncomingMessage, response: ServerResponse) => void;
  /** Content type to send with `renderPrometheus()`. */
  readonly prometheusContentType: string;
  /** States of the breakers guarding the trace and metric exporters. */
  exportBreakerState(): { traces: BreakerState; metrics: BreakerState };
  /** Exports pending spans and metrics now; never rejects, bounded in time. */
  forceFlush(): Promise<void>;
  /** Flushes and stops everything; never rejects, bounded in time. */
  shutdown(): Promise<void>;
  /**
   * Reports the host's own hooks into private internals of its dependencies, as checked at its
   * start-up: each joins `telemetry_hook_applied{hook}`, and one that did not apply logs one warning
   * line saying `consequence`.
   */
  reportHooks<Hook extends string>(hooks: Readonly<Record<Hook, boolean>>, consequence: string): void;
}

/** How `instrumentMongoClient` times commands: by the command wrapper (`start`), else from events. */
interface CommandTiming {
  /** Command monitoring events are needed (the wrapper is not installed). */
  readonly events: boolean;
  /** Routes the wrapper's timings to a recorder; returns the stop. Absent: use the events. */
  readonly start: ((record: CommandRecorder) => () => void) | undefined;
}

const NOOP_METER_PROVIDER: MeterProviderApi = { getMeter: () => createNoopMeter() };
const FLUSH_TIMEOUT_MS = 5_000;

/** What the start-up line says runs: each exporter and where it sends, or `none`. */
export function describeExporters(config: TelemetryConfig): { traces: string; metrics: string } {
  const otlp = (signal: TelemetryConfig['traces']): string => `otlp ${signal.protocol} ${signal.url}`;
  const metrics = [...(config.enableMetrics ? ['prometheus (pull)'] : []), ...(config.enableMetrics && config.enableMetricsExport ? [otlp(config.metrics)] : [])];
  return { traces: config.enableTracing ? otlp(config.traces) : 'none', metrics: metrics.length === 0 ? 'none' : metrics.join(', ') };
}

/** Wires the parts into the host's {@link Telemetry}. */
function assemble(
  enabled: boolean,
  config: TelemetryConfig | undefined,
  logger: TelemetryLogger,
  parts: Metrics,
  breakers: { traces: ExportBreaker; metrics: ExportBreaker } | undefined,
  shutdown: () => Promise<void>,
  forceFlush: () => Promise<void>,
  hooks: Map<string, boolean>,
  commands: CommandTiming,
): Telemetry {
  const accessLog = config?.log.accessLog ?? false;
  let recorder: CommandRecorder | undefined;
  return {
    enabled,
    config,
    logger,
    app: parts.app,
    koaMiddleware: (options = {}) => createKoaMiddleware({ accessLog, ...options, httpMetrics: parts.http, logger }),
    mongoCommandEvents: commands.events,
    instrumentMongoClient(client) {
      const pool = instrumentMongoPool(client, parts.meter);
      recorder ??= createCommandRecorder(parts.meter);
      let stopCommands: () => void;
      if (commands.start !== undefined) stopCommands = commands.start(recorder);
      else {
        const events = instrumentMongoCommands(client, recorder);
        stopCommands = () => events.stop();
      }
      return {
        snapshot: () => pool.snapshot(),
        stop() {
          pool.stop();
          stopCommands();
        },
      };
    },
    renderPrometheus: parts.prometheus.render,
    metricsHandler: parts.prometheus.handler,
    prometheusContentType: PROMETHEUS_CONTENT_TYPE,
    exportBreakerState: () => ({ traces: breakers?.traces.state() ?? 'closed', metrics: breakers?.metrics.state() ?? 'closed' }),
    forceFlush,
    shutdown,
    reportHooks: (host, consequence) => reportHooks(hooks, host, logger, consequence),
  };
}

function noopTelemetry(logger: TelemetryLogger, config: TelemetryConfig | undefined): Telemetry {
  const installed = ensureContextManager();
  const meter = createNoopMeter();
  const parts: Metrics = {
    provider: undefined,
    meter,
    prometheus: createPrometheusEndpoint(false),
    http: createHttpMetrics(meter),
    app: createAppMetrics(meter, config?.entities),
    instrumentations: [],
  };
  const shutdown = (): Promise<void> => {
    releaseContextManager();
    if (installed) context.disable();
    return Promise.resolve();
  };
  return assemble(false, config, logger, parts, undefined, shutdown, () => Promise.resolve(), new Map(), { events: false, start: () => () => undefined });
}

/** One line per export breaker change, and the breakers as application metrics. */
function watchBreakers(breakers: { traces: ExportBreaker; metrics: ExportBreaker }, logger: TelemetryLogger, app: AppMetrics): void {
  for (const [signal, breaker] of Object.entries(breakers)) {
    const name = `otlp_${signal}`;
    app.observeCircuitBreaker(name, () => breaker.state());
    let logged: BreakerState = 'closed';
    breaker.onStateChange((state) => {
      app.recordCircuitBreakerTransition(name, state);
      // One line when export stops and one when it recovers; the trial exports in between stay quiet.
      if (state === 'half-open' || state === logged) return;
      logged = state;
      logger.warn({ component: 'opentelemetry', signal, state }, `telemetry ${signal} export circuit ${state}`);
    });
  }
}

/** Registers the instrumentations; the HTTP client and MongoDB ones get a no-op meter (their metrics repeat ours). */
function register(tracing: Tracing | undefined, mongo: MongoInstrumentation | undefined, metricParts: Metrics, steps: ShutdownSteps): void {
  const instrumentations = [...(tracing?.instrumentations ?? []), ...(mongo === undefined ? [] : [mongo.instrumentation]), ...metricParts.instrumentations];
  if (instrumentations.length === 0) return;
  steps.stops.push(
    registerInstrumentations({
      instrumentations,
      ...(tracing === undefined ? {} : { tracerProvider: tracing.provider }),
      ...(metricParts.provider === undefined ? {} : { meterProvider: metricParts.provider }),
    }),
  );
  for (const instrumentation of instrumentations) {
    if (instrumentation instanceof HttpInstrumentation || instrumentation instanceof MongoDBInstrumentation) instrumentation.setMeterProvider(NOOP_METER_PROVIDER);
  }
}

/** Records the hooks for the `telemetry_hook_applied` gauge; one warning line for each that did not apply. */
function reportHooks(states: Map<string, boolean>, hooks: Readonly<Record<string, boolean>>, logger: TelemetryLogger, consequence: string): void {
  for (const [hook, applied] of Object.entries<boolean>(hooks)) {
    states.set(hook, applied);
    if (!applied) logger.warn({ component: 'opentelemetry', hook }, `hook ${hook} did not apply on the installed version; ${consequence}`);
  }
}

/**
 * Starts OpenTelemetry (traces and metrics over OTLP, Prometheus pull, Koa/HTTP/MongoDB/runtime
 * instrumentation) and the logger. Call it before koa and mongodb are imported (dynamic import
 * afterwards). Never throws: bad configuration or a setup failure is logged and gives a no-op.
 */
export function startTelemetry(options: TelemetryOptions = {}, runtime: TelemetryRuntime = {}): Telemetry {
  const resolved = resolveTelemetryConfig(options);
  const logger = buildLogger(resolved.ok ? resolved.config : undefined, options, runtime.logDestination);
  if (!resolved.ok) {
    logger.error({ errors: resolved.errors }, `telemetry disabled: invalid configuration: ${resolved.errors.join('; ')}`);
    return noopTelemetry(logger, undefined);
  }
  const cfg = resolved.config;
  if (cfg.disabled) {
    logger.info('telemetry disabled by configuration');
    return noopTelemetry(logger, cfg);
  }
  const steps = createShutdownSteps();
  try {
    const onMetricError = routeDiagnostics(cfg, logger, steps);
    const resource = resourceFromAttributes({
      'service.instance.id': cfg.resourceAttributes['k8s.pod.name'] ?? randomUUID(),
      ...cfg.resourceAttributes,
      'service.name': cfg.serviceName,
      'service.namespace': cfg.serviceNamespace,
      'service.version': cfg.serviceVersion,
      'deployment.environment': cfg.profile,
      'deployment.environment.name': cfg.profile,
    });
    const breakers = { traces: createExportBreaker(cfg.exportBreaker), metrics: createExportBreaker(cfg.exportBreaker) };
    const tracing = cfg.enableTracing ? buildTracing(cfg, resource, breakers.traces, steps) : undefined;
    const timing: { record?: CommandRecorder } = {};
    const mongo = cfg.enableTracing || cfg.enableMetrics ? buildMongoInstrumentation(cfg, runtime.mongoStatementSerializer, () => timing.record) : undefined;
    if (ensureContextManager()) steps.releases.push(() => context.disable());
    steps.releases.push(releaseContextManager);
    const metricParts = buildMetrics(cfg, resource, breakers.metrics, steps, onMetricError);
    register(tracing, mongo, metricParts, steps);
    watchBreakers(breakers, logger, metricParts.app);
    const hooks = new Map<string, boolean>();
    observeHooks(metricParts.meter, hooks);
    if (tracing !== undefined) reportHooks(hooks, tracing.hooks, logger, 'unsampled requests pay for its spans');
    if (mongo !== undefined) {
      reportHooks(hooks, mongo.hooks, logger, 'unsampled requests pay for their MongoDB spans, and commands are timed from command monitoring events (create the client with monitorCommands: true)');
    }
    logger.info({ exporters: describeExporters(cfg) }, 'telemetry started');
    const forceFlush = (): Promise<void> => withTimeout(Promise.all([tracing?.provider.forceFlush(), metricParts.provider?.forceFlush()]), FLUSH_TIMEOUT_MS);
    const commands: CommandTiming = {
      events: mongo?.timesCommands !== true,
      start: cfg.enableMetrics && mongo?.timesCommands === true ? (record) => ((timing.record = record), () => (timing.record = undefined)) : undefined,
    };
    return assemble(true, cfg, logger, metricParts, breakers, createShutdown(steps, () => logger.flush()), forceFlush, hooks, commands);
  } catch (err) {
    logger.error({ err }, 'telemetry disabled: setup failed');
    abandon(steps);
    return noopTelemetry(logger, cfg);
  }
}
