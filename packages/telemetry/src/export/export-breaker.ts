import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { CircuitState, circuitBreaker, handleAll, type IBreaker } from 'cockatiel';

/** Circuit state as reported to metrics and health checks. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Options of the breaker guarding one exporter. */
export interface ExportBreakerOptions {
  /** Consecutive failures that open the circuit. */
  consecutiveFailures: number;
  /** How long the circuit stays open before one trial export. */
  halfOpenAfterMillis: number;
  /** Consecutive successes after opening before the circuit counts as closed again. */
  successesToClose: number;
}

/** A circuit breaker around export calls. */
export interface ExportBreaker {
  /** Runs one export; rejects at once without calling `fn` while the circuit is open. */
  execute(fn: () => Promise<void>): Promise<void>;
  /** Current state; `half-open` also while recovering successes are still being counted. */
  state(): BreakerState;
  /** Subscribes to state changes; returns an unsubscribe function. */
  onStateChange(listener: (state: BreakerState) => void): () => void;
}

/**
 * Opens after N consecutive failures; after the half-open trial succeeds it stays on probation
 * until `successesToClose` successes in a row, and any failure during probation re-opens it.
 */
class RecoveringBreaker implements IBreaker {
  state = { failures: 0, probation: 0 };
  constructor(
    private readonly threshold: number,
    private readonly successesToClose: number,
    private readonly changed: () => void,
  ) {}
  success(circuit: CircuitState): void {
    this.state.failures = 0;
    if (circuit === CircuitState.HalfOpen) {
      this.state.probation = this.successesToClose - 1;
    } else if (this.state.probation > 0) {
      this.state.probation -= 1;
      if (this.state.probation === 0) this.changed();
    }
  }
  failure(circuit: CircuitState): boolean {
    if (circuit === CircuitState.HalfOpen) {
      this.state.probation = 0;
      return true;
    }
    if (this.state.probation > 0) {
      this.state.probation = 0;
      return true;
    }
    this.state.failures += 1;
    return this.state.failures >= this.threshold;
  }
}

/** Creates a cockatiel circuit breaker for exports (defaults as in the design: 3 failures, 60 s, 2 successes). */
export function createExportBreaker(options: ExportBreakerOptions): ExportBreaker {
  const listeners = new Set<(state: BreakerState) => void>();
  const current = (): BreakerState => {
    const s = policy.state;
    if (s === CircuitState.Open || s === CircuitState.Isolated) return 'open';
    if (s === CircuitState.HalfOpen || breaker.state.probation > 0) return 'half-open';
    return 'closed';
  };
  let last: BreakerState = 'closed';
  const emit = (): void => {
    const now = current();
    if (now === last) return;
    last = now;
    for (const l of listeners) l(now);
  };
  const breaker: RecoveringBreaker = new RecoveringBreaker(options.consecutiveFailures, options.successesToClose, emit);
  const policy = circuitBreaker(handleAll, { halfOpenAfter: options.halfOpenAfterMillis, breaker });
  policy.onStateChange(() => emit());
  return {
    execute: (fn) => policy.execute(fn),
    state: current,
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
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

/** Wraps a push metric exporter so its `export()` goes through the breaker. */
export function protectMetricExporter(inner: PushMetricExporter, breaker: ExportBreaker): PushMetricExporter {
  const wrapped: PushMetricExporter = {
    export: (metrics: ResourceMetrics, cb: (r: ExportResult) => void) => runExport(breaker, metrics, (m, c) => inner.export(m, c), cb),
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
  if (inner.selectAggregationTemporality) wrapped.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
  if (inner.selectAggregation) wrapped.selectAggregation = inner.selectAggregation.bind(inner);
  return wrapped;
}
