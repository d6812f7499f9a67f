/** Median of a list of numbers; NaN when the list is empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A ratio summarised over interleaved rounds: the median of per-round ratios and its range. */
export interface RatioSummary {
  /** Median of the per-round ratios (numerator ÷ denominator of the same round). */
  readonly median: number;
  /** Smallest per-round ratio. */
  readonly min: number;
  /** Largest per-round ratio. */
  readonly max: number;
  /** Number of rounds that had both figures. */
  readonly rounds: number;
  /** Goal the ratio should reach, when there is one. */
  readonly goal?: number;
  /** Whether the median reaches the goal (absent without a goal). */
  readonly met?: boolean;
}

/**
 * Pairs two per-round series and summarises numerator ÷ denominator; rounds where either figure is
 * missing or the denominator is not positive are skipped, so one failed slot does not skew the rest.
 * @param goal optional goal the median must reach
 */
export function pairedRatio(
  numerator: readonly (number | undefined)[],
  denominator: readonly (number | undefined)[],
  goal?: number,
): RatioSummary {
  const ratios: number[] = [];
  const n = Math.min(numerator.length, denominator.length);
  for (let i = 0; i < n; i++) {
    const a = numerator[i];
    const b = denominator[i];
    if (a === undefined || b === undefined || !(b > 0) || !Number.isFinite(a)) continue;
    ratios.push(a / b);
  }
  const summary = {
    median: round(median(ratios), 3),
    min: round(ratios.length === 0 ? Number.NaN : Math.min(...ratios), 3),
    max: round(ratios.length === 0 ? Number.NaN : Math.max(...ratios), 3),
    rounds: ratios.length,
  };
  if (goal === undefined) return summary;
  return { ...summary, goal, met: summary.median >= goal };
}

/** Rounds to a number of decimals, keeping NaN as is. */
export function round(value: number, decimals = 1): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * The order of the variants in round `round`: a rotation of `variants`, so that over the rounds
 * each variant runs in each position equally often and position effects (warm caches, drift within a
 * round) cancel like machine drift does.
 */
export function rotate<T>(variants: readonly T[], roundIndex: number): T[] {
  if (variants.length === 0) return [];
  const k = ((roundIndex % variants.length) + variants.length) % variants.length;
  return [...variants.slice(k), ...variants.slice(0, k)];
}

/** Relative growth from `before` to `after` (0.05 = 5 %); NaN when `before` is not positive. */
export function growth(before: number, after: number): number {
  return before > 0 ? (after - before) / before : Number.NaN;
}
