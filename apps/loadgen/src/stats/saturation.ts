import type { IntervalRow } from '../report/types.js';

/** Limits beyond which an interval counts as generator-bound. */
export interface SaturationLimits {
  /** Share of sends that were late although an in-flight slot was free. */
  lateShare: number;
  /** Event-loop utilisation of a generator thread. */
  elu: number;
  /** p99 event-loop lag of a generator thread, ms. */
  lagP99Ms: number;
}

/** Default saturation limits. */
export const DEFAULT_SATURATION_LIMITS: SaturationLimits = { lateShare: 0.05, elu: 0.95, lagP99Ms: 50 };

/** Verdict on whether the generator kept up. */
export interface SaturationVerdict {
  saturated: boolean;
  saturatedIntervals: number;
  warnings: string[];
}

/** Tells whether one interval shows the generator falling behind, and why. */
export function intervalSaturation(row: IntervalRow, intervalMs: number, limits: SaturationLimits = DEFAULT_SATURATION_LIMITS): string | undefined {
  // nothing due and nothing sent: the drain after the schedule, often a few milliseconds long,
  // over which a loop utilisation reading is meaningless (a 2 ms window reads 100 % busy)
  if (row.targetRate === 0 && row.sentRate === 0) return undefined;
  const sent = row.sentRate * (intervalMs / 1000);
  if (sent >= 10 && row.lateGenerator / sent > limits.lateShare) return `${row.lateGenerator} of ${Math.round(sent)} sends were late with free in-flight slots`;
  if (row.generator.elu > limits.elu) return `generator event loop ${Math.round(row.generator.elu * 100)}% busy`;
  if (row.generator.lagP99Ms > limits.lagP99Ms) return `generator event-loop lag p99 ${row.generator.lagP99Ms} ms`;
  return undefined;
}

/**
 * Decides whether the generator was the bottleneck: more than max(2, 10 %) of the intervals are
 * generator-bound (the first interval is warm-up and not judged).
 */
export function judgeSaturation(rows: readonly IntervalRow[], intervalMs: number, limits: SaturationLimits = DEFAULT_SATURATION_LIMITS): SaturationVerdict {
  const judged = rows.slice(1);
  const reasons = new Map<string, number>();
  let bad = 0;
  for (const row of judged) {
    const why = intervalSaturation(row, intervalMs, limits);
    if (why === undefined) continue;
    bad++;
    const kind = why.replace(/[\d.]+/g, 'N');
    reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
  }
  const saturated = bad >= Math.max(2, Math.ceil(judged.length * 0.1));
  const warnings = saturated ? [`generator saturated in ${bad} of ${judged.length} intervals (${[...reasons.keys()].join('; ')}): latency and throughput understate the service`] : [];
  return { saturated, saturatedIntervals: bad, warnings };
}
