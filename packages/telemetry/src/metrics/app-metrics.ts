import type { Attributes, BatchObservableResult, Counter, Histogram, Meter, ObservableResult } from '@opentelemetry/api';

/** Circuit state names, mapped to the gauge values 0, 1 and 2. */
export type CircuitStateName = 'closed' | 'open' | 'half-open';

const STATE_VALUE: Readonly<Record<CircuitStateName, number>> = { closed: 0, open: 1, 'half-open': 2 };

/** Hit/miss counters of a cache, read at collection time. */
export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size?: number;
}

/** Generic application metrics the service records through plain values and callbacks. */
export interface AppMetrics {
  /** Records one database operation's duration (ms) in `db_operation_duration`. */
  recordDbOperation(operation: string, durationMillis: number, outcome?: 'success' | 'error'): void;
  /** Times `fn` as a database operation (outcome from whether it throws). */
  timeDbOperation<T>(operation: string, fn: () => Promise<T>): Promise<T>;
  /** Records the item count of one bulk request in `bulk_batch_size`. */
  recordBulkBatchSize(size: number): void;
  /** Exposes `<name>_cache_hits_total`, `<name>_cache_misses_total` and `<name>_cache_size` read from `read()`; returns an unsubscribe function. */
  observeCache(name: string, read: () => CacheStats): () => void;
  /** Exposes `circuit_breaker_state` (0 closed, 1 open, 2 half-open) for the named breaker; returns an unsubscribe function. */
  observeCircuitBreaker(name: string, read: () => CircuitStateName): () => void;
  /** Counts one breaker transition in `circuit_breaker_transitions_total`. */
  recordCircuitBreakerTransition(name: string, to: CircuitStateName): void;
  /** Counts one retry in `retries_total`. */
  recordRetry(operation: string): void;
}

const DB_BUCKETS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
const BULK_BUCKETS = [1, 2, 5, 10, 20, 50, 100];
const NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Creates the application metric helpers on `meter`; attribute objects are cached per label set. */
export function createAppMetrics(meter: Meter): AppMetrics {
  const dbDuration: Histogram = meter.createHistogram('db_operation_duration', {
    description: 'Database operation duration in milliseconds',
    unit: 'ms',
    advice: { explicitBucketBoundaries: DB_BUCKETS_MS },
  });
  const bulkSize: Histogram = meter.createHistogram('bulk_batch_size', {
    description: 'Items per bulk request',
    unit: '1',
    advice: { explicitBucketBoundaries: BULK_BUCKETS },
  });
  const transitions: Counter = meter.createCounter('circuit_breaker_transitions_total', { description: 'Circuit breaker state transitions', unit: '1' });
  const retries: Counter = meter.createCounter('retries_total', { description: 'Retried operations', unit: '1' });
  const breakerState = meter.createObservableGauge('circuit_breaker_state', {
    description: 'Circuit breaker state: 0 closed, 1 open, 2 half-open',
    unit: '1',
  });
  const breakers = new Map<string, () => CircuitStateName>();
  breakerState.addCallback((r: ObservableResult) => {
    for (const [name, read] of breakers) r.observe(STATE_VALUE[read()] ?? 0, { breaker: name });
  });

  const cache = new Map<string, Attributes>();
  const attrs = (key: string, make: () => Attributes): Attributes => {
    let a = cache.get(key);
    if (a === undefined) cache.set(key, (a = Object.freeze(make())));
    return a;
  };
  const recordDbOperation = (operation: string, durationMillis: number, outcome: 'success' | 'error' = 'success'): void => {
    dbDuration.record(durationMillis, attrs(`db|${operation}|${outcome}`, () => ({ operation, outcome })));
  };

  return {
    recordDbOperation,
    async timeDbOperation(operation, fn) {
      const t0 = performance.now();
      try {
        const out = await fn();
        recordDbOperation(operation, performance.now() - t0, 'success');
        return out;
      } catch (err) {
        recordDbOperation(operation, performance.now() - t0, 'error');
        throw err;
      }
    },
    recordBulkBatchSize(size) {
      bulkSize.record(size);
    },
    observeCache(name, read) {
      if (!NAME.test(name)) throw new TypeError(`cache name must match ${String(NAME)}, got "${name}"`);
      const hits = meter.createObservableCounter(`${name}_cache_hits_total`, { description: `${name} cache hits`, unit: '1' });
      const misses = meter.createObservableCounter(`${name}_cache_misses_total`, { description: `${name} cache misses`, unit: '1' });
      const size = meter.createObservableGauge(`${name}_cache_size`, { description: `${name} cache entries`, unit: '1' });
      const observables = [hits, misses, size];
      const cb = (r: BatchObservableResult): void => {
        const s = read();
        r.observe(hits, s.hits);
        r.observe(misses, s.misses);
        if (s.size !== undefined) r.observe(size, s.size);
      };
      meter.addBatchObservableCallback(cb, observables);
      return () => meter.removeBatchObservableCallback(cb, observables);
    },
    observeCircuitBreaker(name, read) {
      breakers.set(name, read);
      return () => {
        if (breakers.get(name) === read) breakers.delete(name);
      };
    },
    recordCircuitBreakerTransition(name, to) {
      transitions.add(1, attrs(`cb|${name}|${to}`, () => ({ breaker: name, to })));
    },
    recordRetry(operation) {
      retries.add(1, attrs(`retry|${operation}`, () => ({ operation })));
    },
  };
}
