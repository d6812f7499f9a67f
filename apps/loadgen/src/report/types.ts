import type { LatencySummary } from '../stats/hdr.js';
import type { StageMark } from '../schedule/stages.js';

/** Schema identifier written into every report. */
export const REPORT_SCHEMA = 'globeco-loadgen/report';
/** Version of the report schema; bumped on incompatible changes. */
export const REPORT_SCHEMA_VERSION = 1;

/** Totals of one operation over the run. */
export interface OperationReport {
  requests: number;
  errors: number;
  conflicts: number;
  statusCodes: Record<string, number>;
  /** Response time from the scheduled send (coordinated-omission free), ms. */
  latency: LatencySummary;
  /** Service time from the actual send, ms. */
  serviceTime: LatencySummary;
}

/** One interval of the run (aligned to the common start time). */
export interface IntervalRow {
  index: number;
  /** Seconds from the start to the beginning of the interval. */
  t: number;
  targetRate: number;
  sentRate: number;
  achievedRate: number;
  requests: number;
  errors: number;
  conflicts: number;
  late: number;
  lateGenerator: number;
  dropped: number;
  inFlight: number;
  stage: number;
  latency: Pick<LatencySummary, 'p50' | 'p90' | 'p99' | 'max'>;
  serviceTime: Pick<LatencySummary, 'p50' | 'p90' | 'p99' | 'max'>;
  operations: Record<string, { requests: number; errors: number; conflicts: number }>;
  generator: { elu: number; lagP99Ms: number; lagMaxMs: number };
  histograms: { latency: string; serviceTime: string };
  /** Autoscaling samples taken during the interval, when polling is on. */
  service?: { replicas?: number; podCpu?: number; inFlight?: number; eventLoopUtilization?: number };
}

/** One evaluated threshold. */
export interface ThresholdResult {
  expression: string;
  ok: boolean;
  actual: number;
  limit: number;
  unit: string;
}

/** Self-monitoring of the generator. */
export interface GeneratorReport {
  workers: number;
  saturated: boolean;
  warnings: string[];
  maxEventLoopLagMs: number;
  maxEventLoopUtilization: number;
  cpuPercent: number;
  lateGenerator: number;
  saturatedIntervals: number;
}

/** Scale-out timings derived from autoscaling samples. */
export interface AutoscalingReport {
  source: string[];
  initialReplicas: number | null;
  maxReplicas: number | null;
  /** Seconds from the start until the replica count first rose. */
  timeToFirstScaleOutSec: number | null;
  /** Seconds from the start until the maximum replica count was reached. */
  timeToMaxReplicasSec: number | null;
  /** Seconds from the first scale-out until the interval p99 fell back under the recovery bound. */
  p99RecoverySec: number | null;
  /** The bound used: 1.2 × the median interval p99 of the first 10 % of the run. */
  p99RecoveryBoundMs: number | null;
}

/** The final summary of a run (or of several merged shards). Versioned by `schemaVersion`. */
export interface Report {
  schema: typeof REPORT_SCHEMA;
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  target: string;
  model: 'open' | 'closed';
  startedAt: string;
  endedAt: string;
  durationSec: number;
  intervalMs: number;
  seed: number;
  shard: { index: number; count: number };
  /** Number of shard reports merged into this one (1 for a single run). */
  shardsMerged: number;
  targetRate: number;
  achievedRate: number;
  sentRate: number;
  requests: number;
  errors: number;
  conflicts: number;
  errorRate: number;
  late: number;
  dropped: number;
  statusCodes: Record<string, number>;
  latency: LatencySummary;
  serviceTime: LatencySummary;
  operations: Record<string, OperationReport>;
  stages: StageMark[];
  intervals: IntervalRow[];
  generator: GeneratorReport;
  thresholds: ThresholdResult[];
  thresholdsPassed: boolean;
  seedPhase: { created: number; durationMs: number };
  cleanup: { deleted: number; failed: number } | null;
  autoscaling: AutoscalingReport | null;
  histograms: { latency: string; serviceTime: string; operations: Record<string, { latency: string; serviceTime: string }> };
}
