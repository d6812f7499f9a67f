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

/** Why one interval counts as generator-bound, with its figures. */
export type IntervalSaturation =
  | { kind: 'late'; late: number; sent: number }
  | { kind: 'elu'; elu: number }
  | { kind: 'lag'; lagP99Ms: number };

/** Orders the intervals of one kind: the higher, the worse. */
function severity(why: IntervalSaturation): number {
  switch (why.kind) {
    case 'late':
      return why.late / why.sent;
    case 'elu':
      return why.elu;
    case 'lag':
      return why.lagP99Ms;
  }
}

/** One interval's reason as a sentence, e.g. `10 of 100 sends were late with free in-flight slots`. */
export function describeSaturation(why: IntervalSaturation): string {
  switch (why.kind) {
    case 'late':
      return `${why.late} of ${why.sent} sends were late with free in-flight slots`;
    case 'elu':
      return `generator event loop ${Math.round(why.elu * 100)}% busy`;
    case 'lag':
      return `generator event-loop lag p99 ${why.lagP99Ms} ms`;
  }
}

/** The reasons of several intervals of one kind: how many, and the worst one's figures. */
function describeGroup(count: number, worst: IntervalSaturation, limits: SaturationLimits): string {
  const n = `${count} interval${count === 1 ? '' : 's'}`;
  switch (worst.kind) {
    case 'late':
      return `${n} with over ${Math.round(limits.lateShare * 100)}% of sends late while in-flight slots were free, worst ${worst.late} of ${worst.sent}`;
    case 'elu':
      return `${n} with the generator event loop over ${Math.round(limits.elu * 100)}% busy, worst ${Math.round(worst.elu * 100)}%`;
    case 'lag':
      return `${n} with generator event-loop lag p99 over ${limits.lagP99Ms} ms, worst ${worst.lagP99Ms} ms`;
  }
}

/** Tells whether one interval shows the generator falling behind, and why. */
export function intervalSaturation(row: IntervalRow, intervalMs: number, limits: SaturationLimits = DEFAULT_SATURATION_LIMITS): IntervalSaturation | undefined {
  // nothing due and nothing sent: the drain after the schedule, often a few milliseconds long,
  // over which a loop utilisation reading is meaningless (a 2 ms window reads 100 % busy)
  if (row.targetRate === 0 && row.sentRate === 0) return undefined;
  const sent = row.sentRate * (intervalMs / 1000);
  if (sent >= 10 && row.lateGenerator / sent > limits.lateShare) return { kind: 'late', late: row.lateGenerator, sent: Math.round(sent) };
  if (row.generator.elu > limits.elu) return { kind: 'elu', elu: row.generator.elu };
  if (row.generator.lagP99Ms > limits.lagP99Ms) return { kind: 'lag', lagP99Ms: row.generator.lagP99Ms };
  return undefined;
}

/**
 * Decides whether the generator was the bottleneck: more than max(2, 10 %) of the intervals are
 * generator-bound (the first interval is warm-up and not judged). The warning counts the intervals
 * of each reason and gives the worst one's figures.
 */
export function judgeSaturation(rows: readonly IntervalRow[], intervalMs: number, limits: SaturationLimits = DEFAULT_SATURATION_LIMITS): SaturationVerdict {
  const judged = rows.slice(1);
  const groups = new Map<IntervalSaturation['kind'], { count: number; worst: IntervalSaturation }>();
  let bad = 0;
  for (const row of judged) {
    const why = intervalSaturation(row, intervalMs, limits);
    if (why === undefined) continue;
    bad++;
    const group = groups.get(why.kind);
    if (group === undefined) groups.set(why.kind, { count: 1, worst: why });
    else {
      group.count++;
      if (severity(why) > severity(group.worst)) group.worst = why;
    }
  }
  const saturated = bad >= Math.max(2, Math.ceil(judged.length * 0.1));
  const reasons = [...groups.values()].map((g) => describeGroup(g.count, g.worst, limits));
  const warnings = saturated ? [`generator saturated in ${bad} of ${judged.length} intervals (${reasons.join('; ')}): latency and throughput understate the service`] : [];
  return { saturated, saturatedIntervals: bad, warnings };
}
