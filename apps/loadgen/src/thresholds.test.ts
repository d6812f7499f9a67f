import { describe, expect, it } from 'vitest';
import { evaluateThresholds, parseThreshold } from './thresholds.js';
import { reportFixture } from '../test/fixtures.js';

describe('parseThreshold', () => {
  it('parses latency, rate, count and per-operation expressions into canonical units', () => {
    expect(['p99<250ms', 'p99 <= 0.25s', 'get.p95<50ms', 'service_p99<900us', 'errors<1%', 'errors<=10', 'update.conflicts<5%', 'achieved>=95%', 'rps>80', 'dropped<1'].map(parseThreshold)).toStrictEqual([
      { expression: 'p99<250ms', operation: null, metric: 'p99', comparator: '<', limit: 250, unit: 'ms' },
      { expression: 'p99 <= 0.25s', operation: null, metric: 'p99', comparator: '<=', limit: 250, unit: 'ms' },
      { expression: 'get.p95<50ms', operation: 'get', metric: 'p95', comparator: '<', limit: 50, unit: 'ms' },
      { expression: 'service_p99<900us', operation: null, metric: 'service_p99', comparator: '<', limit: 0.9, unit: 'ms' },
      { expression: 'errors<1%', operation: null, metric: 'errors', comparator: '<', limit: 0.01, unit: 'ratio' },
      { expression: 'errors<=10', operation: null, metric: 'errors', comparator: '<=', limit: 10, unit: 'count' },
      { expression: 'update.conflicts<5%', operation: 'update', metric: 'conflicts', comparator: '<', limit: 0.05, unit: 'ratio' },
      { expression: 'achieved>=95%', operation: null, metric: 'achieved', comparator: '>=', limit: 0.95, unit: 'ratio' },
      { expression: 'rps>80', operation: null, metric: 'rps', comparator: '>', limit: 80, unit: 'req/s' },
      { expression: 'dropped<1', operation: null, metric: 'dropped', comparator: '<', limit: 1, unit: 'count' },
    ]);
  });

  it('rejects malformed expressions with a clear message', () => {
    expect(() => parseThreshold('p99')).toThrow('--threshold: cannot parse "p99"');
    expect(() => parseThreshold('fetch.p99<5ms')).toThrow('unknown operation "fetch"');
    expect(() => parseThreshold('p98<5ms')).toThrow('unknown metric "p98"');
    expect(() => parseThreshold('p99<5%')).toThrow('a latency takes ms, s or us');
    expect(() => parseThreshold('errors<5ms')).toThrow('errors takes a count or a percentage');
    expect(() => parseThreshold('get.rps>5')).toThrow('rps applies to the whole run only');
  });
});

describe('evaluateThresholds', () => {
  it('evaluates against whole-run and per-operation figures', () => {
    const report = reportFixture();
    const results = evaluateThresholds(['p99<250ms', 'p99<200ms', 'get.p95<50ms', 'errors<1%', 'errors<=19', 'update.conflicts<=10%', 'achieved>=95%', 'dropped<5%', 'delete.p99<1s'].map(parseThreshold), report);
    expect(results.map((r) => [r.expression, r.ok, r.actual])).toStrictEqual([
      ['p99<250ms', true, 200],
      ['p99<200ms', false, 200],
      ['get.p95<50ms', true, 45],
      ['errors<1%', false, 0.02],
      ['errors<=19', true, 19],
      ['update.conflicts<=10%', true, 0.1],
      ['achieved>=95%', true, 0.95],
      ['dropped<5%', false, 0.05],
      // an operation that never ran cannot pass
      ['delete.p99<1s', false, Number.NaN],
    ]);
  });
});
