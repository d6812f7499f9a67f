import { context, propagation, trace } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { Resource } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from '../config.js';
import { protectSpanExporter, type ExportBreaker } from '../export/export-breaker.js';
import { createOtlpSpanExporter } from '../export/otlp-exporters.js';
import { registerLoaderHook } from '../loader-hook.js';
import { instrumentHttpServers } from '../tracing/http-server-spans.js';
import { createIdGenerator } from '../tracing/id-generator.js';
import type { ShutdownSteps } from './shutdown.js';

/** Instrumentation scope of everything this package records. */
export const SCOPE = '@globeco/telemetry';

/** What the tracing builder produced. */
export interface Tracing {
  readonly provider: TracerProvider;
  /** Instrumentations to register (HTTP client); the route comes from the Koa middleware. */
  readonly instrumentations: Instrumentation[];
  /** Whether each hook into a private method or prototype applied on the installed versions. */
  readonly hooks: Readonly<Record<string, boolean>>;
}

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

/**
 * Builds tracing: the tracer provider exporting over OTLP through the breaker, the W3C propagators,
 * server spans for every `node:http` server (requests on `config.untracedPaths` get none; the Koa
 * middleware gives them `http.route`) and HTTP client spans. MongoDB commands are traced by the
 * instrumentation `buildMongoInstrumentation` makes.
 */
export function buildTracing(
  config: TelemetryConfig,
  resource: Resource,
  breaker: ExportBreaker,
  steps: ShutdownSteps,
): Tracing {
  registerLoaderHook();
  const provider = new TracerProvider({
    resource,
    sampler: createSampler(config),
    idGenerator: createIdGenerator(),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: protectSpanExporter(createOtlpSpanExporter(config.traces), breaker),
        scheduledDelayMillis: config.bsp.scheduleDelayMillis,
        maxQueueSize: config.bsp.maxQueueSize,
        maxExportBatchSize: config.bsp.maxExportBatchSize,
        exportTimeoutMillis: config.bsp.exportTimeoutMillis,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  steps.flushes.push(() => provider.shutdown());
  steps.releases.push(() => {
    trace.disable();
    context.disable();
    propagation.disable();
  });

  const untraced = new Set(config.untracedPaths);
  // Server spans come from instrumentHttpServers (sampling decided before any attribute work);
  // the HTTP instrumentation keeps client spans only.
  const servers = instrumentHttpServers({ tracer: provider.getTracer(SCOPE, config.serviceVersion), isIgnored: (path) => untraced.has(path) });
  steps.stops.push(servers.uninstall);
  return {
    provider,
    instrumentations: [new HttpInstrumentation({ disableIncomingRequestInstrumentation: true })],
    hooks: { 'http.Server.emit': servers.installed },
  };
}
