import { describe, expect, it } from 'vitest';
import { growth, median, pairedRatio, rotate, round } from './stats.js';

describe('median', () => {
  it('takes the middle of an odd list and the mean of the two middles of an even one', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('pairedRatio', () => {
  it('summarises per-round ratios and judges the goal on the median', () => {
    expect(pairedRatio([90, 80, 100], [100, 100, 100], 0.9)).toStrictEqual({
      median: 0.9,
      min: 0.8,
      max: 1,
      rounds: 3,
      goal: 0.9,
      met: true,
    });
    expect(pairedRatio([85, 80, 88], [100, 100, 100], 0.9).met).toBe(false);
  });

  it('skips rounds where a figure is missing or the denominator is zero', () => {
    expect(pairedRatio([50, undefined, 30, 10], [100, 100, 0, 20])).toStrictEqual({ median: 0.5, min: 0.5, max: 0.5, rounds: 2 });
  });

  it('pairs by round, not by sorted value', () => {
    // A drifting machine: both series fall, the ratio stays 0.5 in every round.
    expect(pairedRatio([50, 25, 10], [100, 50, 20]).median).toBe(0.5);
  });
});

describe('rotate', () => {
  it('starts each round one variant later and wraps around', () => {
    expect(rotate(['a', 'b', 'c'], 0)).toStrictEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 1)).toStrictEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 5)).toStrictEqual(['c', 'a', 'b']);
    expect(rotate([], 3)).toStrictEqual([]);
  });
});

describe('round and growth', () => {
  it('rounds to the given decimals and measures relative growth', () => {
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(Number.NaN)).toBeNaN();
    expect(growth(100, 108)).toBeCloseTo(0.08, 10);
    expect(growth(0, 5)).toBeNaN();
  });
});
