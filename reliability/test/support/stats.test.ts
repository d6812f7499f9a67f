import { describe, expect, it } from 'vitest';
import { countBy, quantile, summarize } from './stats.js';

describe('quantile', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect([quantile(values, 0), quantile(values, 0.5), quantile(values, 0.99), quantile(values, 1)]).toStrictEqual([1, 50, 99, 100]);
    expect(quantile([7], 0.99)).toBe(7);
  });
  it('is NaN for no values and rejects a quantile outside 0..1', () => {
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow('quantile must be within 0..1, got 1.5');
  });
});

describe('summarize', () => {
  it('gives count, p50, p99 and max rounded to 0.1 ms', () => {
    expect(summarize([1.04, 2.06, 3, 250.55])).toStrictEqual({ count: 4, p50: 2.1, p99: 250.6, max: 250.6 });
  });
});

describe('countBy', () => {
  it('counts by key', () => {
    expect(countBy([200, 503, 200, 504], String)).toStrictEqual({ '200': 2, '503': 1, '504': 1 });
  });
});
