import { describe, expect, it } from 'vitest';
import { computeAutoscaling } from '../report/autoscaling.js';
import type { IntervalRow } from '../report/types.js';
import { parsePrometheusText, sumMetric } from './prometheus-text.js';

describe('parsePrometheusText', () => {
  it('reads samples with labels and skips comments', () => {
    const text = ['# HELP http_requests_in_flight x', '# TYPE http_requests_in_flight gauge', 'http_requests_in_flight{route="/a",method="GET"} 3', 'http_requests_in_flight{route="/b \\"q\\""} 4', 'nodejs_eventloop_utilization 0.42', 'garbage line', ''].join('\n');
    const samples = parsePrometheusText(text);
    expect(samples).toStrictEqual([
      { name: 'http_requests_in_flight', labels: { route: '/a', method: 'GET' }, value: 3 },
      { name: 'http_requests_in_flight', labels: { route: '/b "q"' }, value: 4 },
      { name: 'nodejs_eventloop_utilization', labels: {}, value: 0.42 },
    ]);
    expect(sumMetric(samples, (n) => n === 'http_requests_in_flight')).toBe(7);
    expect(sumMetric(samples, (n) => n === 'absent')).toBeUndefined();
  });
});

describe('computeAutoscaling', () => {
  const zero = { p50: 0, p90: 0, p99: 0, max: 0 };
  const row = (t: number, p99: number, replicas?: number): IntervalRow => ({
    index: t, t, targetRate: 0, sentRate: 0, achievedRate: 0, requests: 10, errors: 0, conflicts: 0, late: 0, lateGenerator: 0, dropped: 0, inFlight: 0, stage: 0,
    latency: { ...zero, p99 }, serviceTime: zero, operations: {}, generator: { elu: 0, lagP99Ms: 0, lagMaxMs: 0 }, histograms: { latency: '', serviceTime: '' },
    ...(replicas === undefined ? {} : { service: { replicas } }),
  });

  it('finds first scale-out, max replicas and p99 recovery', () => {
    const rows = [row(0, 10, 1), row(1, 10, 1), row(2, 200, 1), row(3, 300, 2), row(4, 150, 2), row(5, 11, 4), row(6, 12, 4), row(7, 10, 4), row(8, 10, 4), row(9, 10, 4)];
    expect(computeAutoscaling(rows, ['prom'])).toStrictEqual({
      source: ['prom'],
      initialReplicas: 1,
      maxReplicas: 4,
      timeToFirstScaleOutSec: 3,
      timeToMaxReplicasSec: 5,
      p99RecoverySec: 2,
      p99RecoveryBoundMs: 12,
    });
  });

  it('reports nulls without replica samples', () => {
    expect(computeAutoscaling([row(0, 10)], [])).toStrictEqual({ source: [], initialReplicas: null, maxReplicas: null, timeToFirstScaleOutSec: null, timeToMaxReplicasSec: null, p99RecoverySec: null, p99RecoveryBoundMs: 12 });
  });
});
