import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  createNoopMeter,
  diag,
  DiagLogLevel,
  metrics,
  propagation,
  trace,
  type Meter,
  type MeterProvider as MeterProviderApi,
  type Tracer,
} from '@opentelemetry/api';
import { CompositePropagator, setGlobalErrorHandler, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { isBrokenCircuitError } from 'cockatiel';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { DestinationStream } from 'pino';
import { resolveTelemetryConfig, DEFAULT_SERVICE_NAME, type TelemetryConfig, type TelemetryOptions } from './config.js';
import { createRateLimitedDiagLogger } from './diag-log.js';
import { createExportBreaker, protectMetricExporter, protectSpanExporter, type BreakerState, type ExportBreaker } from './export/export-breaker.js';
import { createOtlpMetricExporter, createOtlpSpanExporter } from './export/otlp-exporters.js';
import { createKoaMiddleware, type KoaLikeMiddleware, type KoaMiddlewareOptions } from './koa-middleware.js';
import { registerLoaderHook } from './loader-hook.js';
import { createLogger, type TelemetryLogger } from './logging/logger.js';
import { ensureContextManager, releaseContextManager } from './logging/request-context.js';
import { createAppMetrics, type AppMetrics } from './metrics/app-metrics.js';
import { createHttpMetrics, type HttpMetrics } from './metrics/http-metrics.js';
import { instrumentMongoPool, type MongoPoolMetrics, type PoolEventSource } from './metrics/mongo-pool.js';
import { createPrometheusEndpoint, DISABLED_EXPOSITION, PROMETHEUS_CONTENT_TYPE } from './metrics/prometheus.js';
import { createSaturationMetrics } from './metrics/saturation-metrics.js';
import { instrumentHttpServers } from './tracing/http-server-spans.js';
import { createIdGenerator } from './tracing/id-generator.js';
import { createKoaInstrumentation } from './tracing/koa-instrumentation.js';
import { createMongoInstrumentation } from './tracing/mongo-instrumentation.js';
import { createMongoStatementSerializer } from './tracing/mongo-statement.js';

/** Process-level hooks of `startTelemetry` that are not configuration. */
export interface TelemetryRuntime {
  /** Log output (tests); defaults to stdout. */
  logDestination?: DestinationStream;
  /** Paths whose incoming requests get no trace (default `/metrics` and the `/health` probes). */
  untracedPaths?: readonly string[];
  /** Replaces the MongoDB `db.query.text` summary (default: command, collection, filter/sort keys). */
  mongoStatementSerializer?: (command: Record<string, unknown>) => string;
}

/** A running telemetry setup; every member also works in its no-op form. */
export interface Telemetry {
  /** True when the SDK runs; false for the no-op (disabled or invalid configuration). */
  readonly enabled: boolean;
  /** The resolved configuration, absent when it was invalid. */
  readonly config: TelemetryConfig | undefined;
  readonly logger: TelemetryLogger;
  readonly meter: Meter;
  readonly tracer: Tracer;
  readonly httpMetrics: HttpMetrics;
  readonly appMetrics: AppMetrics;
  /** Renders the current metrics in Prometheus text format (same meter provider as OTLP push). */
  renderPrometheus(): Promise<string>;
  /** node:http handler answering with `renderPrometheus()`. */
  readonly metricsHandler: (request: IncomingMessage, response: ServerResponse) => void;
  /** Content type to send with `renderPrometheus()`. */
  readonly prometheusContentType: string;
  /** Koa middleware: request id context, HTTP metrics, access log (per config). */
  koaMiddleware(options?: Omit<KoaMiddlewareOptions, 'httpMetrics' | 'logger'>): KoaLikeMiddleware;
  /** Exports MongoDB pool saturation gauges from a MongoClient's events. */
  instrumentMongoPool(client: PoolEventSource): MongoPoolMetrics;
  /** States of the breakers guarding the trace and metric exporters. */
  exportBreakerState(): { traces: BreakerState; metrics: BreakerState };
  /** Exports pending spans and metrics now; never rejects, bounded in time. */
  forceFlush(): Promise<void>;
  /** Flushes and stops everything; never rejects, bounded in time. */
  shutdown(): Promise<void>;
}

const SCOPE = '@globeco/telemetry';
const NOOP_METER_PROVIDER: MeterProviderApi = { getMeter: () => createNoopMeter() };
const FLUSH_TIMEOUT_MS = 5_000;
/** Longest `shutdown()` waits for the final export: a dead or hanging collector must not hold up a pod's exit. */
const SHUTDOWN_BUDGET_MS = 1_500;

function createSampler(config: TelemetryConfig): Sampler {
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.samplerRatio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.samplerRatio) });
  }
}

function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs cleanup steps in reverse order of registration; one failing step does not stop the others. */
function runAll(steps: (() => void)[]): void {
  for (const step of steps.splice(0).reverse()) {
    try {
      step();
    } catch {
      // shutdown never fails the host
    }
  }
}

function noopTelemetry(logger: TelemetryLogger, config: TelemetryConfig | undefined): Telemetry {
  const installed = ensureContextManager();
  const meter = createNoopMeter();
  const httpMetrics = createHttpMetrics(meter);
  const accessLog = config?.log.accessLog ?? false;
  return {
    enabled: false,
    config,
    logger,
    meter,
    tracer: trace.getTracer(SCOPE),
    httpMetrics,
    appMetrics: createAppMetrics(meter),
    renderPrometheus: () => Promise.resolve(DISABLED_EXPOSITION),
    metricsHandler: (_req, res) => {
      res.statusCode = 200;
      res.setHeader('content-type', PROMETHEUS_CONTENT_TYPE);
      res.end(DISABLED_EXPOSITION);
    },
    prometheusContentType: PROMETHEUS_CONTENT_TYPE,
    koaMiddleware: (options = {}) => createKoaMiddleware({ accessLog, ...options, httpMetrics, logger }),
    instrumentMongoPool: (client) => instrumentMongoPool(client, meter),
    exportBreakerState: () => ({ traces: 'closed', metrics: 'closed' }),
    forceFlush: () => Promise.resolve(),
    shutdown: () => {
      releaseContextManager();
      if (installed) context.disable();
      return Promise.resolve();
    },
  };
}

/**
 * Starts OpenTelemetry (traces and metrics over OTLP, Prometheus pull, Koa/HTTP/MongoDB/runtime
 * instrumentation) and the logger. Call it before koa and mongodb are imported (dynamic import
 * afterwards). Never throws: bad configuration or a setup failure is logged and gives a no-op.
 */
export function startTelemetry(options: TelemetryOptions = {}, runtime: TelemetryRuntime = {}): Telemetry {
  const resolved = resolveTelemetryConfig(options);
  const config = resolved.ok ? resolved.config : undefined;
  const logger = createLogger({
    serviceName: config?.serviceName ?? options.serviceName ?? DEFAULT_SERVICE_NAME,
    level: config?.log.level ?? 'info',
    debugSampleRate: config?.log.debugSampleRate ?? 1,
    pretty: config?.log.pretty ?? false,
    ...(runtime.logDestination === undefined ? {} : { destination: runtime.logDestination }),
  });
  if (!resolved.ok) {
    logger.error({ errors: resolved.errors }, `telemetry disabled: invalid configuration: ${resolved.errors.join('; ')}`);
    return noopTelemetry(logger, undefined);
  }
  const cfg = resolved.config;
  if (cfg.disabled) {
    logger.info('telemetry disabled by configuration');
    return noopTelemetry(logger, cfg);
  }

  // Shutdown runs in three phases: stop producing (instrumentations, monitors), flush the providers
  // together within one budget, release the globals.
  const stops: (() => void)[] = [];
  const flushes: (() => Promise<void>)[] = [];
  const releases: (() => void)[] = [];
  try {
    const diagLogger = createRateLimitedDiagLogger((level, message, suppressed) => {
      logger[level]({ component: 'opentelemetry', suppressed }, message);
    }, cfg.diagLogIntervalMillis);
    diag.setLogger(diagLogger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    setGlobalErrorHandler((err) => {
      const message = err instanceof Error ? err.message : JSON.stringify(err);
      // While a breaker is open every export fails on purpose; its state change was logged already.
      if (isBrokenCircuitError(err) || message.includes('circuit breaker is open')) return;
      diagLogger.report('warn', `telemetry export failed: ${message}`);
    });
    releases.push(() => diag.disable());

    const resource = resourceFromAttributes({
      'service.instance.id': cfg.resourceAttributes['k8s.pod.name'] ?? randomUUID(),
      ...cfg.resourceAttributes,
      'service.name': cfg.serviceName,
      'service.namespace': cfg.serviceNamespace,
      'service.version': cfg.serviceVersion,
      'deployment.environment': cfg.profile,
      'deployment.environment.name': cfg.profile,
    });

    const breakers: { traces: ExportBreaker; metrics: ExportBreaker } = {
      traces: createExportBreaker(cfg.exportBreaker),
      metrics: createExportBreaker(cfg.exportBreaker),
    };
    for (const [signal, breaker] of Object.entries(breakers)) {
      // One line when export stops and one when it recovers; the trial exports in between stay quiet.
      let logged: BreakerState = 'closed';
      breaker.onStateChange((state) => {
        if (state === 'half-open' || state === logged) return;
        logged = state;
        logger.warn({ component: 'opentelemetry', signal, state }, `telemetry ${signal} export circuit ${state}`);
      });
    }

    let tracerProvider: TracerProvider | undefined;
    if (cfg.enableTracing) {
      registerLoaderHook();
      tracerProvider = new TracerProvider({
        resource,
        sampler: createSampler(cfg),
        idGenerator: createIdGenerator(),
        spanProcessors: [
          new BatchSpanProcessor({
            exporter: protectSpanExporter(createOtlpSpanExporter(cfg.traces), breakers.traces),
            scheduledDelayMillis: cfg.bsp.scheduleDelayMillis,
            maxQueueSize: cfg.bsp.maxQueueSize,
            maxExportBatchSize: cfg.bsp.maxExportBatchSize,
            exportTimeoutMillis: cfg.bsp.exportTimeoutMillis,
          }),
        ],
      });
      trace.setGlobalTracerProvider(tracerProvider);
      propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
      const tp = tracerProvider;
      flushes.push(() => tp.shutdown());
      releases.push(() => {
        trace.disable();
        context.disable();
        propagation.disable();
      });
    }
    if (ensureContextManager()) releases.push(() => context.disable());
    releases.push(releaseContextManager);

    // http_request_duration is aggregated by httpMetrics itself and read by both readers.
    let httpDuration: MetricProducer | undefined;
    const producers: MetricProducer[] = [
      { collect: (o) => httpDuration?.collect(o) ?? Promise.resolve({ resourceMetrics: { resource, scopeMetrics: [] }, errors: [] }) },
    ];
    const prometheus = createPrometheusEndpoint(
      cfg.enableMetrics,
      (err) => diagLogger.report('warn', `metric collection failed: ${err instanceof Error ? err.message : String(err)}`),
      producers,
    );
    let meterProvider: MeterProvider | undefined;
    let meter: Meter = createNoopMeter();
    if (cfg.enableMetrics) {
      const readers: IMetricReader[] = [];
      if (prometheus.reader !== undefined) readers.push(prometheus.reader);
      if (cfg.enableMetricsExport) {
        readers.push(
          new PeriodicExportingMetricReader({
            exporter: protectMetricExporter(createOtlpMetricExporter(cfg.metrics), breakers.metrics),
            metricProducers: producers,
            exportIntervalMillis: cfg.metricExportIntervalMillis,
            exportTimeoutMillis: cfg.metricExportTimeoutMillis,
          }),
        );
      }
      meterProvider = new MeterProvider({
        resource,
        readers,
      });
      metrics.setGlobalMeterProvider(meterProvider);
      meter = meterProvider.getMeter(SCOPE, cfg.serviceVersion);
      const mp = meterProvider;
      flushes.push(() => mp.shutdown());
      releases.push(() => metrics.disable());
      const saturation = createSaturationMetrics(meter);
      stops.push(() => saturation.stop());
    }

    const untraced = new Set(runtime.untracedPaths ?? ['/metrics', '/health', '/health/live', '/health/ready', '/health/startup', '/health/detailed']);
    const instrumentations = [];
    let mongoInstrumentation: MongoDBInstrumentation | undefined;
    if (tracerProvider !== undefined) {
      // Server spans come from instrumentHttpServers (sampling decided before any attribute work);
      // the HTTP instrumentation keeps client spans only.
      stops.push(instrumentHttpServers({ tracer: tracerProvider.getTracer(SCOPE, cfg.serviceVersion), isIgnored: (path) => untraced.has(path) }));
      const mongo = createMongoInstrumentation({
        enhancedDatabaseReporting: false,
        dbStatementSerializer:
          runtime.mongoStatementSerializer ?? createMongoStatementSerializer({ skipUnsampled: cfg.sampler.startsWith('parentbased_') }),
      });
      const koa = createKoaInstrumentation();
      mongoInstrumentation = mongo.instrumentation;
      // The parent checks hook private methods of the pinned instrumentation versions: say so when
      // a version no longer has them (tracing still works, unsampled requests just cost more).
      for (const { instrumentation, recordingParentOnly } of [mongo, koa]) {
        if (!recordingParentOnly) {
          logger.warn(
            { component: 'opentelemetry', instrumentation: instrumentation.instrumentationName, version: instrumentation.instrumentationVersion },
            'telemetry: instrumentation has no hook for the recording-parent check; unsampled requests pay for its spans',
          );
        }
      }
      instrumentations.push(new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }), koa.instrumentation, mongoInstrumentation);
    }
    if (cfg.enableMetrics && cfg.enableRuntimeMetrics) {
      instrumentations.push(new RuntimeNodeInstrumentation({ monitoringPrecision: 10 }));
    }
    if (instrumentations.length > 0) {
      const unregister = registerInstrumentations({
        instrumentations,
        ...(tracerProvider === undefined ? {} : { tracerProvider }),
        ...(meterProvider === undefined ? {} : { meterProvider }),
      });
      stops.push(unregister);
      // Their per-request metrics duplicate http_request_duration and the pool gauges; a no-op
      // meter spares the SDK work on every request and connection checkout.
      for (const instrumentation of instrumentations) {
        if (instrumentation instanceof HttpInstrumentation || instrumentation === mongoInstrumentation) {
          instrumentation.setMeterProvider(NOOP_METER_PROVIDER);
        }
      }
    }

    const httpMetrics = createHttpMetrics(
      meter,
      meterProvider === undefined ? {} : { registerProducer: (p) => (httpDuration = p), scope: { name: SCOPE, version: cfg.serviceVersion } },
    );
    const tracer = (tracerProvider ?? trace).getTracer(SCOPE, cfg.serviceVersion);
    let stopped: Promise<void> | undefined;
    const shutdown = (): Promise<void> => {
      stopped ??= (async () => {
        runAll(stops);
        await withTimeout(Promise.allSettled(flushes.map(async (flush) => flush())), SHUTDOWN_BUDGET_MS);
        runAll(releases);
        logger.flush();
      })();
      return stopped;
    };
    logger.debug(
      { traces: cfg.enableTracing ? cfg.traces.url : 'off', metrics: cfg.enableMetrics ? cfg.metrics.url : 'off', protocol: cfg.traces.protocol },
      'telemetry started',
    );
    return {
      enabled: true,
      config: cfg,
      logger,
      meter,
      tracer,
      httpMetrics,
      appMetrics: createAppMetrics(meter),
      renderPrometheus: prometheus.render,
      metricsHandler: prometheus.handler,
      prometheusContentType: PROMETHEUS_CONTENT_TYPE,
      koaMiddleware: (opts = {}) => createKoaMiddleware({ accessLog: cfg.log.accessLog, ...opts, httpMetrics, logger }),
      instrumentMongoPool: (client) => instrumentMongoPool(client, meter),
      exportBreakerState: () => ({ traces: breakers.traces.state(), metrics: breakers.metrics.state() }),
      forceFlush: () =>
        withTimeout(Promise.all([tracerProvider?.forceFlush(), meterProvider?.forceFlush()]), FLUSH_TIMEOUT_MS),
      shutdown,
    };
  } catch (err) {
    logger.error({ err }, 'telemetry disabled: setup failed');
    runAll(stops);
    for (const flush of flushes) void flush().catch(() => undefined);
    runAll(releases);
    return noopTelemetry(logger, cfg);
  }
}
