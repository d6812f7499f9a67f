import { ConfigError } from './errors.js';
import type { Report, ThresholdResult } from './report/types.js';
import { isOperationName } from './scenario/operations.js';
import type { LatencySummary } from './stats/hdr.js';

type Comparator = '<' | '<=' | '>' | '>=';
const LATENCY = ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean', 'min'] as const;
type LatencyKey = (typeof LATENCY)[number];
const COUNTS = ['errors', 'conflicts', 'dropped', 'late', 'requests'] as const;

/** A parsed threshold expression such as `get.p95<50ms` or `errors<1%`. */
export interface Threshold {
  expression: string;
  operation: string | null;
  metric: string;
  comparator: Comparator;
  /** Limit in ms for latencies, a fraction for percentages, req/s for rates, else a count. */
  limit: number;
  unit: 'ms' | 'ratio' | 'count' | 'req/s';
}

const EXPR = /^\s*(?:([A-Za-z]+)\.)?([A-Za-z_0-9]+)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|%)?\s*$/;

/**
 * Parses a threshold expression: `[<operation>.]<metric> <|<=|>|>= <value>[unit]`. Metrics:
 * p50 p90 p95 p99 p999 max mean min (response time, ms/s/us), `service_<pNN>` (service time),
 * errors conflicts dropped late (count, or rate with %), requests, rps, achieved (rate with % of
 * the target or req/s).
 */
export function parseThreshold(expression: string): Threshold {
  const m = EXPR.exec(expression);
  if (m === null) throw new ConfigError('--threshold', `cannot parse "${expression}" (expected e.g. p99<250ms, errors<1%, get.p95<50ms)`);
  const [, op, metric = '', cmp = '<', num = '0', unitText] = m;
  if (op !== undefined && !isOperationName(op)) throw new ConfigError('--threshold', `"${expression}": unknown operation "${op}"`);
  const value = Number(num);
  const latencyKey = metric.startsWith('service_') ? metric.slice(8) : metric;
  if ((LATENCY as readonly string[]).includes(latencyKey)) {
    if (unitText === '%') throw new ConfigError('--threshold', `"${expression}": a latency takes ms, s or us, not %`);
    const scale = unitText === 's' ? 1000 : unitText === 'us' || unitText === 'µs' ? 0.001 : 1;
    return { expression, operation: op ?? null, metric, comparator: cmp as Comparator, limit: value * scale, unit: 'ms' };
  }
  if ((COUNTS as readonly string[]).includes(metric)) {
    if (unitText !== undefined && unitText !== '%') throw new ConfigError('--threshold', `"${expression}": ${metric} takes a count or a percentage`);
    if (metric === 'requests' && unitText === '%') throw new ConfigError('--threshold', `"${expression}": requests takes a count`);
    return { expression, operation: op ?? null, metric, comparator: cmp as Comparator, limit: unitText === '%' ? value / 100 : value, unit: unitText === '%' ? 'ratio' : 'count' };
  }
  if (metric === 'rps' || metric === 'achieved') {
    if (op !== undefined) throw new ConfigError('--threshold', `"${expression}": ${metric} applies to the whole run only`);
    if (unitText !== undefined && unitText !== '%') throw new ConfigError('--threshold', `"${expression}": ${metric} takes req/s or a percentage of the target`);
    return { expression, operation: null, metric, comparator: cmp as Comparator, limit: unitText === '%' ? value / 100 : value, unit: unitText === '%' ? 'ratio' : 'req/s' };
  }
  throw new ConfigError('--threshold', `"${expression}": unknown metric "${metric}" (p50 p90 p95 p99 p999 max mean min, service_pNN, errors, conflicts, dropped, late, requests, rps, achieved)`);
}

const compare = (a: number, c: Comparator, b: number): boolean => (c === '<' ? a < b : c === '<=' ? a <= b : c === '>' ? a > b : a >= b);

/** Evaluates thresholds against a report (a single run or merged shards). */
export function evaluateThresholds(thresholds: readonly Threshold[], report: Report): ThresholdResult[] {
  return thresholds.map((t) => {
    const scope = t.operation === null ? report : report.operations[t.operation];
    let actual: number;
    if (scope === undefined) actual = Number.NaN;
    else if (t.unit === 'ms') {
      const service = t.metric.startsWith('service_');
      const key = (service ? t.metric.slice(8) : t.metric) as LatencyKey;
      const summary: LatencySummary = service ? scope.serviceTime : scope.latency;
      actual = summary[key];
    } else if (t.metric === 'rps' || t.metric === 'achieved') {
      actual = t.unit === 'ratio' ? (report.targetRate > 0 ? report.achievedRate / report.targetRate : Number.NaN) : report.achievedRate;
    } else {
      const count = t.metric === 'dropped' ? report.dropped : t.metric === 'late' ? report.late : scope[t.metric as 'errors' | 'conflicts' | 'requests'];
      const base = t.metric === 'dropped' || t.metric === 'late' ? report.requests + report.dropped : scope.requests;
      actual = t.unit === 'ratio' ? (base > 0 ? count / base : 0) : count;
    }
    // an operation that never ran cannot pass a threshold set on it
    const ok = Number.isFinite(actual) && compare(actual, t.comparator, t.limit);
    return { expression: t.expression, ok, actual: Number.isFinite(actual) ? Math.round(actual * 1e6) / 1e6 : Number.NaN, limit: t.limit, unit: t.unit };
  });
}
