import { afterEach, describe, expect, it } from 'vitest';
import { createTestMeter, histogramPoints, points, type TestMeter } from '../../test/support/meter.js';
import { createAppMetrics } from './app-metrics.js';

let tm: TestMeter;
afterEach(async () => {
  await tm.shutdown();
});

describe('createAppMetrics', () => {
  it('records db durations, bulk sizes, retries and breaker transitions with generic labels', async () => {
    tm = createTestMeter();
    const app = createAppMetrics(tm.meter);
    app.recordDbOperation('find_one', 3);
    app.recordBulkBatchSize(10);
    app.recordRetry('insert_many');
    app.recordRetry('insert_many');
    app.recordCircuitBreakerTransition('database', 'open');
    await app.timeDbOperation('insert_one', () => Promise.resolve(1));
    await expect(app.timeDbOperation('delete_one', () => Promise.reject(new Error('down')))).rejects.toThrow('down');

    const m = await tm.collect();
    expect(histogramPoints(m.get('db_operation_duration')).map(([a, c]) => [a, c])).toStrictEqual([
      [{ operation: 'find_one', outcome: 'success' }, 1],
      [{ operation: 'insert_one', outcome: 'success' }, 1],
      [{ operation: 'delete_one', outcome: 'error' }, 1],
    ]);
    expect(m.get('db_operation_duration')?.descriptor.unit).toBe('ms');
    expect(histogramPoints(m.get('bulk_batch_size'))).toStrictEqual([[{}, 1, 10]]);
    expect(points(m.get('retries_total'))).toStrictEqual([[{ operation: 'insert_many' }, 2]]);
    expect(points(m.get('circuit_breaker_transitions_total'))).toStrictEqual([[{ breaker: 'database', to: 'open' }, 1]]);
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
