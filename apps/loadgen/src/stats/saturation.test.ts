import { describe, expect, it } from 'vitest';
import type { IntervalRow } from '../report/types.js';
import { describeSaturation, intervalSaturation, judgeSaturation } from './saturation.js';

function row(index: number, over: Partial<IntervalRow> = {}): IntervalRow {
  const zero = { p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    index, t: index, targetRate: 100, sentRate: 100, achievedRate: 100, requests: 100, errors: 0, conflicts: 0, late: 0, lateGenerator: 0, dropped: 0, inFlight: 1, stage: 0,
    latency: zero, serviceTime: zero, operations: {}, generator: { elu: 0.2, lagP99Ms: 1, lagMaxMs: 2 }, histograms: { latency: '', serviceTime: '' }, ...over,
  };
}

describe('saturation', () => {
  it('flags an interval for generator lateness, a busy loop or loop lag — not for backpressure', () => {
    const verdicts = [
      intervalSaturation(row(1, { late: 50, lateGenerator: 0 }), 1000),
      intervalSaturation(row(1, { late: 10, lateGenerator: 10 }), 1000),
      intervalSaturation(row(1, { generator: { elu: 0.99, lagP99Ms: 1, lagMaxMs: 1 } }), 1000),
      intervalSaturation(row(1, { generator: { elu: 0.5, lagP99Ms: 80, lagMaxMs: 90 } }), 1000),
    ];
    expect(verdicts).toStrictEqual([undefined, { kind: 'late', late: 10, sent: 100 }, { kind: 'elu', elu: 0.99 }, { kind: 'lag', lagP99Ms: 80 }]);
    expect(verdicts.map((v) => (v === undefined ? undefined : describeSaturation(v)))).toStrictEqual([
      undefined,
      '10 of 100 sends were late with free in-flight slots',
      'generator event loop 99% busy',
      'generator event-loop lag p99 80 ms',
    ]);
  });

  it('does not judge the drain after the schedule, where nothing was due or sent', () => {
    const drain = { targetRate: 0, sentRate: 0, requests: 3, generator: { elu: 1, lagP99Ms: 0, lagMaxMs: 0 } };
    expect(intervalSaturation(row(10, drain), 1000)).toBeUndefined();
    // a stalled interval that had arrivals due is still judged
    expect(intervalSaturation(row(5, { ...drain, targetRate: 50 }), 1000)).toStrictEqual({ kind: 'elu', elu: 1 });
    const rows = Array.from({ length: 10 }, (_, i) => row(i));
    const withTail = [...rows.map((r, i) => (i === 4 ? row(i, { generator: { elu: 0.99, lagP99Ms: 1, lagMaxMs: 1 } }) : r)), row(10, drain)];
    expect(judgeSaturation(withTail, 1000)).toStrictEqual({ saturated: false, saturatedIntervals: 1, warnings: [] });
  });

  it('judges the run saturated only when enough intervals after warm-up are', () => {
    const busy = { generator: { elu: 0.99, lagP99Ms: 1, lagMaxMs: 1 } };
    const rows = Array.from({ length: 30 }, (_, i) => row(i));
    expect(judgeSaturation(rows.map((r, i) => (i === 0 ? row(0, busy) : r)), 1000)).toStrictEqual({ saturated: false, saturatedIntervals: 0, warnings: [] });
    expect(judgeSaturation(rows.map((r, i) => (i === 3 || i === 9 ? row(i, busy) : r)), 1000).saturated).toBe(false);
    const v = judgeSaturation(rows.map((r, i) => (i >= 3 && i < 6 ? row(i, busy) : r)), 1000);
    expect(v).toStrictEqual({
      saturated: true,
      saturatedIntervals: 3,
      warnings: ['generator saturated in 3 of 29 intervals (3 intervals with the generator event loop over 95% busy, worst 99%): latency and throughput understate the service'],
    });
  });

  it('groups the reasons by kind and keeps the worst figures of each', () => {
    const rows = Array.from({ length: 21 }, (_, i) => row(i));
    const late = (i: number, n: number, sent = 100): IntervalRow => row(i, { sentRate: sent, late: n, lateGenerator: n });
    rows[2] = late(2, 12);
    rows[3] = late(3, 412, 500);
    rows[4] = late(4, 30);
    rows[7] = row(7, { generator: { elu: 0.97, lagP99Ms: 1, lagMaxMs: 1 } });
    rows[8] = row(8, { generator: { elu: 0.99, lagP99Ms: 1, lagMaxMs: 1 } });
    rows[9] = row(9, { generator: { elu: 0.5, lagP99Ms: 63.5, lagMaxMs: 70 } });
    expect(judgeSaturation(rows, 1000)).toStrictEqual({
      saturated: true,
      saturatedIntervals: 6,
      warnings: [
        'generator saturated in 6 of 20 intervals (3 intervals with over 5% of sends late while in-flight slots were free, worst 412 of 500; ' +
          '2 intervals with the generator event loop over 95% busy, worst 99%; 1 interval with generator event-loop lag p99 over 50 ms, worst 63.5 ms): ' +
          'latency and throughput understate the service',
      ],
    });
  });
});
