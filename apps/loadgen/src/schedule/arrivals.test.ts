import { describe, expect, it } from 'vitest';
import { createArrivals } from './arrivals.js';
import type { ArrivalSequence } from './arrivals.js';
import { createRateProfile } from './stages.js';

function drain(seq: ArrivalSequence): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (seq.index >= 0) {
    out.push([seq.index, Math.round(seq.time * 1000) / 1000]);
    seq.advance();
  }
  return out;
}

describe('createArrivals', () => {
  const profile = createRateProfile([{ kind: 'hold', durationMs: 100, rate: 100 }]);

  it('places a constant rate at (k + ½)/r', () => {
    expect(drain(createArrivals(profile, 0, 1))).toStrictEqual([
      [0, 5],
      [1, 15],
      [2, 25],
      [3, 35],
      [4, 45],
      [5, 55],
      [6, 65],
      [7, 75],
      [8, 85],
      [9, 95],
    ]);
  });

  it('splits arrivals exactly between slots (threads × shards)', () => {
    const ramp = createRateProfile([{ kind: 'ramp', durationMs: 2000, to: 1000 }]);
    const all = drain(createArrivals(ramp, 0, 1));
    const parts = [0, 1, 2].map((s) => drain(createArrivals(ramp, s, 3)));
    expect(parts.map((p) => p.length)).toStrictEqual([334, 333, 333]);
    expect(parts.flat().sort((a, b) => a[0] - b[0])).toStrictEqual(all);
  });

  it('stops at the request bound', () => {
    expect(drain(createArrivals(profile, 1, 2, 5))).toStrictEqual([
      [1, 15],
      [3, 35],
    ]);
  });
});
