import type { Report } from '../src/report/types.js';
import type { LatencySummary } from '../src/stats/hdr.js';

/** A latency summary with every field set to `v`, for report fixtures in tests. */
export function flatLatency(v: number, count = 0): LatencySummary {
  return { p50: v, p90: v, p95: v, p99: v, p999: v, max: v, mean: v, min: v, count };
}

/** A minimal valid report for tests; fields can be overridden. */
export function reportFixture(over: Partial<Report> = {}): Report {
  return {
    schema: 'globeco-loadgen/report',
    schemaVersion: 1,
    tool: { name: '@globeco/loadgen', version: '0.1.0' },
    target: 'http://127.0.0.1:1',
    model: 'open',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:10.000Z',
    durationSec: 10,
    intervalMs: 1000,
    seed: 1,
    shard: { index: 0, count: 1 },
    shardsMerged: 1,
    targetRate: 100,
    achievedRate: 95,
    sentRate: 100,
    requests: 950,
    errors: 19,
    conflicts: 5,
    errorRate: 0.02,
    late: 10,
    dropped: 50,
    statusCodes: { '200': 926, '500': 19, '409': 5 },
    latency: { ...flatLatency(0, 950), p50: 10, p90: 40, p95: 60, p99: 200, p999: 400, max: 500 },
    serviceTime: { ...flatLatency(0, 950), p99: 90 },
    operations: {
      get: { requests: 900, errors: 9, conflicts: 0, statusCodes: { '200': 891, '500': 9 }, latency: { ...flatLatency(0, 900), p95: 45 }, serviceTime: flatLatency(5, 900) },
      update: { requests: 50, errors: 10, conflicts: 5, statusCodes: { '200': 35, '500': 10, '409': 5 }, latency: flatLatency(80, 50), serviceTime: flatLatency(70, 50) },
    },
    stages: [],
    intervals: [],
    generator: { workers: 1, saturated: false, warnings: [], maxEventLoopLagMs: 0, maxEventLoopUtilization: 0, cpuPercent: 10, lateGenerator: 0, saturatedIntervals: 0 },
    thresholds: [],
    thresholdsPassed: true,
    seedPhase: { created: 0, durationMs: 0 },
    cleanup: null,
    autoscaling: null,
    histograms: { latency: '', serviceTime: '', operations: {} },
    ...over,
  };
}
