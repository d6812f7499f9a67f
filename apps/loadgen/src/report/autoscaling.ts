import type { AutoscalingReport, IntervalRow } from './types.js';

/**
 * Derives scale-out timings from interval rows carrying replica samples: time to the first
 * scale-out, time to the maximum replica count, and how long after the first scale-out the
 * interval p99 took to fall back under 1.2 × the median p99 of the run's first 10 %.
 */
export function computeAutoscaling(rows: readonly IntervalRow[], source: string[]): AutoscalingReport {
  const sampled = rows.filter((r) => r.service?.replicas !== undefined);
  const out: AutoscalingReport = { source, initialReplicas: null, maxReplicas: null, timeToFirstScaleOutSec: null, timeToMaxReplicasSec: null, p99RecoverySec: null, p99RecoveryBoundMs: null };
  const withRequests = rows.filter((r) => r.requests > 0);
  const head = withRequests.slice(0, Math.max(1, Math.ceil(withRequests.length * 0.1))).map((r) => r.latency.p99).sort((a, b) => a - b);
  if (head.length > 0) out.p99RecoveryBoundMs = Math.round((head[Math.floor(head.length / 2)] as number) * 1.2 * 1000) / 1000;
  if (sampled.length === 0) return out;
  const initial = sampled[0]?.service?.replicas as number;
  const max = Math.max(...sampled.map((r) => r.service?.replicas as number));
  out.initialReplicas = initial;
  out.maxReplicas = max;
  const firstUp = sampled.find((r) => (r.service?.replicas as number) > initial);
  if (firstUp !== undefined) out.timeToFirstScaleOutSec = firstUp.t;
  if (max > initial) out.timeToMaxReplicasSec = (sampled.find((r) => r.service?.replicas === max) as IntervalRow).t;
  if (firstUp !== undefined && out.p99RecoveryBoundMs !== null) {
    const bound = out.p99RecoveryBoundMs;
    const recovered = withRequests.find((r) => r.t >= firstUp.t && r.latency.p99 <= bound);
    if (recovered !== undefined) out.p99RecoverySec = Math.round((recovered.t - firstUp.t) * 1000) / 1000;
  }
  return out;
}
