import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli/args.js';
import { mergeReports, readReportFile } from '../src/merge.js';
import { run } from '../src/run.js';
import type { Report } from '../src/report/types.js';
import { createHistogram, decodeHistogram, summarize } from '../src/stats/hdr.js';
import { startFakeApi } from './fake-api.js';
import type { FakeApi } from './fake-api.js';

describe('shards with a common start, merged exactly', () => {
  let api: FakeApi;
  let shards: Report[];
  const dir = mkdtempSync(join(tmpdir(), 'loadgen-shards-'));

  beforeAll(async () => {
    api = await startFakeApi({ delayMs: 3 });
    const startAt = String(Date.now() + 1500);
    shards = await Promise.all(
      [0, 1].map(async (i) => {
        const cmd = parseArgs([api.url, '--rate', '100', '--duration', '2s', '--shard', `${i}/2`, '--start-at', startAt, '--setup', '10', '--mix', 'get=3,create=1', '--progress', 'none', '--json', join(dir, `shard-${i}.json`)]);
        if (cmd.command !== 'run') throw new Error('expected a run command');
        return run(cmd.options);
      }),
    );
  }, 30_000);
  afterAll(async () => {
    await api.close();
  });

  it('gives each shard half of the arrivals, interleaved from one start time', () => {
    expect(shards.map((s) => s.requests + s.dropped)).toStrictEqual([100, 100]);
    expect(shards.map((s) => s.targetRate)).toStrictEqual([50, 50]);
    expect(shards[0]?.startedAt).toBe(shards[1]?.startedAt);
  });

  it('merges counts and histograms exactly and re-evaluates thresholds on the whole', () => {
    const merged = mergeReports([0, 1].map((i) => readReportFile(join(dir, `shard-${i}.json`))), ['p99<10s', 'requests>=200']);
    expect([merged.requests + merged.dropped, merged.shardsMerged, merged.targetRate]).toStrictEqual([200, 2, 100]);
    const all = createHistogram();
    for (const s of shards) all.add(decodeHistogram(s.histograms.latency));
    expect(merged.latency).toStrictEqual(summarize(all));
    expect(merged.operations.get?.requests).toBe((shards[0]?.operations.get?.requests ?? 0) + (shards[1]?.operations.get?.requests ?? 0));
    const byIndex = new Map<number, number>();
    for (const s of shards) for (const r of s.intervals) byIndex.set(r.index, (byIndex.get(r.index) ?? 0) + r.requests);
    expect(merged.intervals.map((r) => [r.index, r.requests])).toStrictEqual([...byIndex].sort((a, b) => a[0] - b[0]));
    expect(merged.thresholds.map((t) => [t.expression, t.ok])).toStrictEqual([
      ['p99<10s', true],
      ['requests>=200', merged.requests >= 200],
    ]);
  });

  it('refuses files that are not reports', () => {
    expect(() => readReportFile(join(dir, 'missing.json'))).toThrow('cannot read report');
  });
});

describe('worker threads', () => {
  it('splits the rate exactly between workers and merges their histograms', { timeout: 30_000 }, async () => {
    const api = await startFakeApi({ delayMs: 2 });
    try {
      const cmd = parseArgs([api.url, '--rate', '150', '--duration', '2s', '--workers', '2', '--setup', '20', '--mix', 'get=1,update=1', '--progress', 'none']);
      if (cmd.command !== 'run') throw new Error('expected a run command');
      const report = await run(cmd.options);
      expect(report.generator.workers).toBe(2);
      expect(report.requests + report.dropped).toBe(300);
      expect(report.errors).toBe(0);
      expect(report.latency.count).toBe(report.requests);
      expect((report.operations.get?.requests ?? 0) + (report.operations.update?.requests ?? 0)).toBe(report.requests);
    } finally {
      await api.close();
    }
  });
});
