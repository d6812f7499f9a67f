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

/** Generic application metrics the host records through plain values and callbacks. */
export interface AppMetrics {
  /** Counts `count` items created through `surface` in `<entities>_created_total`. */
  recordCreated(surface: string, count: number): void;
  /** Records the item count of one bulk request through `surface` in `bulk_batch_size`. */
  recordBulkBatchSize(surface: string, size: number): void;
  /** Counts one failed operation in `operation_failures_total` by its error code. */
  recordFailure(code: string): void;
  /** Exposes `<name>_cache_hits_total`, `<name>_cache_misses_total` and `<name>_cache_size` read from `read()`; returns an unsubscribe function. */
  observeCache(name: string, read: () => CacheStats): () => void;
  /** Exposes `circuit_breaker_state` (0 closed, 1 open, 2 half-open) for the named breaker; returns an unsubscribe function. */
  observeCircuitBreaker(name: string, read: () => CircuitStateName): () => void;
  /** Counts one breaker transition in `circuit_breaker_transitions_total`. */
  recordCircuitBreakerTransition(name: string, to: CircuitStateName): void;
  /** Counts one retry in `retries_total`. */
  recordRetry(operation: string): void;
}

const BULK_BUCKETS = [1, 2, 5, 10, 20, 50, 100];
const NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** Label values the host passes (surfaces, codes, operations) are its own names; this guards against a bug making them vary. */
const MAX_SERIES = 1_000;

/** Creates the application metric helpers on `meter`; attribute objects are cached per label set. */
export function createAppMetrics(meter: Meter, entities = 'items'): AppMetrics {
  if (!NAME.test(entities)) throw new TypeError(`entity name must match ${String(NAME)}, got "${entities}"`);
  const created: Counter = meter.createCounter(`${entities}_created_total`, { description: `${entities} created, by surface`, unit: '1' });
  const failures: Counter = meter.createCounter('operation_failures_total', { description: 'Failed operations, by error code', unit: '1' });
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
    if (a === undefined) {
      a = Object.freeze(make());
      if (cache.size < MAX_SERIES) cache.set(key, a);
    }
    return a;
  };

  return {
    recordCreated(surface, count) {
      created.add(count, attrs(`created|${surface}`, () => ({ surface })));
    },
    recordBulkBatchSize(surface, size) {
      bulkSize.record(size, attrs(`bulk|${surface}`, () => ({ surface })));
    },
    recordFailure(code) {
      failures.add(1, attrs(`failure|${code}`, () => ({ code })));
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
