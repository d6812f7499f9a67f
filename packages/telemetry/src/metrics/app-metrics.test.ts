import { afterEach, describe, expect, it } from 'vitest';
import { createTestMeter, histogramPoints, points, type TestMeter } from '../../test/support/meter.js';
import { createAppMetrics } from './app-metrics.js';

let tm: TestMeter;
afterEach(async () => {
  await tm.shutdown();
});

describe('createAppMetrics', () => {
  it('records created items by surface, bulk sizes, failures by code, retries and breaker transitions', async () => {
    tm = createTestMeter();
    const app = createAppMetrics(tm.meter, 'portfolios');
    app.recordCreated('v1', 1);
    app.recordCreated('v2', 10);
    app.recordCreated('v1', 1);
    app.recordBulkBatchSize('v2', 10);
    app.recordBulkBatchSize('fast', 3);
    app.recordFailure('NOT_FOUND');
    app.recordFailure('NOT_FOUND');
    app.recordRetry('insert_many');
    app.recordRetry('insert_many');
    app.recordCircuitBreakerTransition('database', 'open');

    const m = await tm.collect();
    expect(points(m.get('portfolios_created_total'))).toStrictEqual([
      [{ surface: 'v1' }, 2],
      [{ surface: 'v2' }, 10],
    ]);
    expect(histogramPoints(m.get('bulk_batch_size'))).toStrictEqual([
      [{ surface: 'v2' }, 1, 10],
      [{ surface: 'fast' }, 1, 3],
    ]);
    expect(points(m.get('operation_failures_total'))).toStrictEqual([[{ code: 'NOT_FOUND' }, 2]]);
    expect(points(m.get('retries_total'))).toStrictEqual([[{ operation: 'insert_many' }, 2]]);
    expect(points(m.get('circuit_breaker_transitions_total'))).toStrictEqual([[{ breaker: 'database', to: 'open' }, 1]]);
    expect(() => createAppMetrics(tm.meter, 'Bad Name')).toThrow('entity name must match');
  });

  it('observes caches and breaker states through callbacks, until unsubscribed', async () => {
    tm = createTestMeter();
    const app = createAppMetrics(tm.meter);
    let stats = { hits: 5, misses: 2, size: 7 };
    let state: 'closed' | 'open' | 'half-open' = 'open';
    const stopCache = app.observeCache('validation', () => stats);
    const stopBreaker = app.observeCircuitBreaker('database', () => state);
    let m = await tm.collect();
    expect([points(m.get('validation_cache_hits_total')), points(m.get('validation_cache_misses_total')), points(m.get('validation_cache_size'))]).toStrictEqual([
      [[{}, 5]],
      [[{}, 2]],
      [[{}, 7]],
    ]);
    expect(points(m.get('circuit_breaker_state'))).toStrictEqual([[{ breaker: 'database' }, 1]]);
    stats = { hits: 9, misses: 2, size: 8 };
    state = 'half-open';
    m = await tm.collect();
    expect(points(m.get('validation_cache_hits_total'))).toStrictEqual([[{}, 9]]);
    expect(points(m.get('circuit_breaker_state'))).toStrictEqual([[{ breaker: 'database' }, 2]]);
    stopCache();
    stopBreaker();
    stats = { hits: 100, misses: 100, size: 100 };
    state = 'closed';
    m = await tm.collect();
    // No longer read: the SDK keeps reporting the last observed values.
    expect(points(m.get('circuit_breaker_state'))).toStrictEqual([[{ breaker: 'database' }, 2]]);
    expect(points(m.get('validation_cache_hits_total'))).toStrictEqual([[{}, 9]]);
    expect(() => app.observeCache('Bad Name', () => stats)).toThrow('cache name must match');
  });
});
