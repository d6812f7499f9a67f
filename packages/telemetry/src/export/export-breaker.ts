import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll, isBrokenCircuitError } from 'cockatiel';

/** Circuit state as reported to metrics and health checks. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Options of the breaker guarding one exporter. */
export interface ExportBreakerOptions {
  /** Consecutive failures that open the circuit. */
  consecutiveFailures: number;
  /** How long the circuit stays open before one trial export; a successful trial closes it. */
  halfOpenAfterMillis: number;
}

/** A circuit breaker around export calls. */
export interface ExportBreaker {
  /** Runs one export; rejects at once without calling `fn` while the circuit is open. */
  execute(fn: () => Promise<void>): Promise<void>;
  /** Current state. */
  state(): BreakerState;
  /** Subscribes to state changes; returns an unsubscribe function. */
  onStateChange(listener: (state: BreakerState) => void): () => void;
}

function stateName(state: CircuitState): BreakerState {
  if (state === CircuitState.Open || state === CircuitState.Isolated) return 'open';
  return state === CircuitState.HalfOpen ? 'half-open' : 'closed';
}

/** Creates cockatiel's consecutive-failure circuit breaker for exports (defaults as in the design: 3 failures, 60 s). */
export function createExportBreaker(options: ExportBreakerOptions): ExportBreaker {
  const policy = circuitBreaker(handleAll, {
    halfOpenAfter: options.halfOpenAfterMillis,
    breaker: new ConsecutiveBreaker(options.consecutiveFailures),
  });
  return {
    execute: (fn) => policy.execute(fn),
    state: () => stateName(policy.state),
    onStateChange(listener) {
      const subscription = policy.onStateChange((state) => listener(stateName(state)));
      return () => subscription.dispose();
    },
  };
}

function runExport<T>(breaker: ExportBreaker, items: T, inner: (items: T, cb: (r: ExportResult) => void) => void, done: (r: ExportResult) => void): void {
  breaker
    .execute(
      () =>
        new Promise<void>((resolve, reject) => {
          inner(items, (result) => {
            if (result.code === ExportResultCode.SUCCESS) resolve();
            else reject(result.error ?? new Error('export failed'));
          });
        }),
    )
    .then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (error: unknown) => done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
    );
}

/** Wraps a span exporter so its `export()` goes through the breaker. */
export function protectSpanExporter(inner: SpanExporter, breaker: ExportBreaker): SpanExporter {
  return {
    export: (spans: ReadableSpan[], cb: (r: ExportResult) => void) => runExport(breaker, spans, (s, c) => inner.export(s, c), cb),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

/**
 * Wraps a push metric exporter so its `export()` goes through the breaker. An export skipped while
 * the circuit is open reports success: temporality is cumulative, so the first export after the
 * circuit closes carries everything, and the reader does not log a failure per interval.
 */
export function protectMetricExporter(inner: PushMetricExporter, breaker: ExportBreaker): PushMetricExporter {
  const wrapped: PushMetricExporter = {
    export: (metrics: ResourceMetrics, cb: (r: ExportResult) => void) =>
      runExport(breaker, metrics, (m, c) => inner.export(m, c), (result) =>
        cb(result.code === ExportResultCode.FAILED && isBrokenCircuitError(result.error) ? { code: ExportResultCode.SUCCESS } : result),
      ),
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
  if (inner.selectAggregationTemporality) wrapped.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
  if (inner.selectAggregation) wrapped.selectAggregation = inner.selectAggregation.bind(inner);
  return wrapped;
}
