import { describe, expect, it } from 'vitest';
import { createRandom } from '../scenario/random.js';
import { createAccumulator } from './aggregate.js';
import { createHistogram, decodeHistogram, encodeHistogram, recordMs, summarize } from './hdr.js';
import { createIntervalRecorder } from './recorder.js';

const loop = { elu: 0.1, lagP99Ms: 1, lagMaxMs: 2 };

describe('histogram encoding and merge', () => {
  it('round-trips losslessly and merges to exactly the histogram of all values', () => {
    const rnd = createRandom(7);
    const a = createHistogram();
    const b = createHistogram();
    const all = createHistogram();
    for (let i = 0; i < 5000; i++) {
      const v = 0.2 + rnd.next() * rnd.next() * 900; // skewed, 0.2..900 ms
      recordMs(i % 3 === 0 ? a : b, v);
      recordMs(all, v);
    }
    const merged = decodeHistogram(encodeHistogram(a));
    merged.add(decodeHistogram(encodeHistogram(b)));
    expect(summarize(merged)).toStrictEqual(summarize(all));
    expect(encodeHistogram(merged)).toBe(encodeHistogram(all));
  });
});

describe('createAccumulator', () => {
  it('completes a row once every thread reported it and sums counts and histograms exactly', () => {
    const acc = createAccumulator(2, 1000);
    const r1 = createIntervalRecorder();
    const r2 = createIntervalRecorder();
    const reference = createHistogram();
    const serviceRef = createHistogram();
    for (let i = 1; i <= 100; i++) {
      const rec = i % 2 === 0 ? r1 : r2;
      rec.onSent(0, 10, true);
      rec.record(i % 4 === 0 ? 'get' : 'update', i % 10 === 0 ? '500' : '200', i % 10 === 0 ? 'error' : 'ok', i, i / 2);
      recordMs(reference, i);
      recordMs(serviceRef, i / 2);
    }
    r2.record('update', '409', 'conflict', 3, 3);
    recordMs(reference, 3);
    recordMs(serviceRef, 3);
    const s = summarize(serviceRef);
    acc.addTarget(0, 100);
    expect(acc.addSnapshot(r1.snapshot(0, 1, loop))).toBeUndefined();
    const row = acc.addSnapshot(r2.snapshot(0, 2, { ...loop, elu: 0.5 }));
    expect(row).toBeDefined();
    expect({ ...row, histograms: undefined }).toStrictEqual({
      index: 0,
      t: 0,
      targetRate: 100,
      sentRate: 100,
      achievedRate: 101,
      requests: 101,
      errors: 10,
      conflicts: 1,
      late: 0,
      lateGenerator: 0,
      dropped: 0,
      inFlight: 3,
      stage: 0,
      latency: { p50: summarize(reference).p50, p90: summarize(reference).p90, p99: summarize(reference).p99, max: 100.031 },
      serviceTime: { p50: s.p50, p90: s.p90, p99: s.p99, max: 50.015 },
      operations: { get: { requests: 25, errors: 5, conflicts: 0 }, update: { requests: 76, errors: 5, conflicts: 1 } },
      generator: { elu: 0.5, lagP99Ms: 1, lagMaxMs: 2 },
      histograms: undefined,
    });
    const result = acc.result(() => 0);
    expect(result.requests).toBe(101);
    expect(result.latency).toStrictEqual(summarize(reference));
    expect(result.operations.update?.statusCodes).toStrictEqual({ '200': 70, '500': 5, '409': 1 });
  });

  it('merges rows and operation totals from reports into the same figures as one run', () => {
    const single = createAccumulator(1, 1000);
    const shardA = createAccumulator(1, 1000);
    const shardB = createAccumulator(1, 1000);
    const merged = createAccumulator(2, 1000);
    const rnd = createRandom(3);
    for (let index = 0; index < 3; index++) {
      const rs = createIntervalRecorder();
      const ra = createIntervalRecorder();
      const rb = createIntervalRecorder();
      for (let i = 0; i < 200; i++) {
        const v = 1 + rnd.next() * 50;
        rs.record('get', '200', 'ok', v, v);
        (i % 2 === 0 ? ra : rb).record('get', '200', 'ok', v, v);
      }
      single.addSnapshot(rs.snapshot(index, 0, loop));
      shardA.addSnapshot(ra.snapshot(index, 0, loop));
      shardB.addSnapshot(rb.snapshot(index, 0, loop));
    }
    for (const shard of [shardA.result(() => 0), shardB.result(() => 0)]) {
      shard.rows.forEach((r) => merged.addRow(r));
      for (const [name, op] of Object.entries(shard.operations)) {
        const h = shard.operationHistograms[name];
        merged.addOperation(name, op, h?.latency ?? '', h?.serviceTime ?? '');
      }
    }
    const a = single.result(() => 0);
    const b = merged.result(() => 0);
    expect(b.latency).toStrictEqual(a.latency);
    expect(b.operations).toStrictEqual(a.operations);
    expect(b.rows.map((r) => ({ ...r, histograms: undefined }))).toStrictEqual(a.rows.map((r) => ({ ...r, histograms: undefined })));
  });
});
