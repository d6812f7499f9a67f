import type { AggregateResult } from '../stats/aggregate.js';
import { judgeSaturation } from '../stats/saturation.js';
import type { StageMark } from '../schedule/stages.js';
import { evaluateThresholds, parseThreshold } from '../thresholds.js';
import { TOOL } from '../version.js';
import { computeAutoscaling } from './autoscaling.js';
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION } from './types.js';
import type { Report } from './types.js';
import { encodeHistogram } from '../stats/hdr.js';

/** Run facts that are not in the aggregate. */
export interface ReportFacts {
  target: string;
  model: 'open' | 'closed';
  startAt: number;
  endAt: number;
  durationSec: number;
  intervalMs: number;
  seed: number;
  shard: { index: number; count: number };
  shardsMerged: number;
  targetArrivals: number;
  stages: StageMark[];
  workers: number;
  cpuPercent: number;
  extraWarnings: string[];
  thresholds: readonly string[];
  seedPhase: Report['seedPhase'];
  cleanup: Report['cleanup'];
  autoscalingSources: string[];
}

const r2 = (n: number): number => Math.round(n * 100) / 100;

/** Builds the versioned report from aggregated figures and evaluates thresholds on it. */
export function assembleReport(agg: AggregateResult, facts: ReportFacts): Report {
  const dur = facts.durationSec > 0 ? facts.durationSec : 1;
  const verdict = judgeSaturation(agg.rows, facts.intervalMs);
  const maxLag = agg.rows.reduce((m, r) => Math.max(m, r.generator.lagMaxMs), 0);
  const maxElu = agg.rows.reduce((m, r) => Math.max(m, r.generator.elu), 0);
  const report: Report = {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { ...TOOL },
    target: facts.target,
    model: facts.model,
    startedAt: new Date(facts.startAt).toISOString(),
    endedAt: new Date(facts.endAt).toISOString(),
    durationSec: r2(facts.durationSec),
    intervalMs: facts.intervalMs,
    seed: facts.seed,
    shard: facts.shard,
    shardsMerged: facts.shardsMerged,
    targetRate: facts.model === 'open' ? r2(facts.targetArrivals / dur) : 0,
    achievedRate: r2(agg.requests / dur),
    sentRate: r2(agg.sent / dur),
    requests: agg.requests,
    errors: agg.errors,
    conflicts: agg.conflicts,
    errorRate: agg.requests > 0 ? Math.round((agg.errors / agg.requests) * 1e6) / 1e6 : 0,
    late: agg.late,
    dropped: agg.dropped,
    statusCodes: agg.statusCodes,
    latency: agg.latency,
    serviceTime: agg.serviceTime,
    operations: agg.operations,
    stages: facts.stages,
    intervals: agg.rows,
    generator: {
      workers: facts.workers,
      saturated: verdict.saturated,
      warnings: [...facts.extraWarnings, ...verdict.warnings],
      maxEventLoopLagMs: maxLag,
      maxEventLoopUtilization: maxElu,
      cpuPercent: facts.cpuPercent,
      lateGenerator: agg.rows.reduce((n, r) => n + r.lateGenerator, 0),
      saturatedIntervals: verdict.saturatedIntervals,
    },
    thresholds: [],
    thresholdsPassed: true,
    seedPhase: facts.seedPhase,
    cleanup: facts.cleanup,
    autoscaling: facts.autoscalingSources.length > 0 ? computeAutoscaling(agg.rows, facts.autoscalingSources) : null,
    histograms: { latency: encodeHistogram(agg.latencyHistogram), serviceTime: encodeHistogram(agg.serviceTimeHistogram), operations: agg.operationHistograms },
  };
  report.thresholds = evaluateThresholds(facts.thresholds.map(parseThreshold), report);
  report.thresholdsPassed = report.thresholds.every((t) => t.ok);
  return report;
}
