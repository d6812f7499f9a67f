import { ConfigError } from '../errors.js';
import { parseDuration, parseNumber } from '../cli/units.js';

/** One stage of a load profile; `durationMs` is its length, rates are requests per second. */
export type Stage =
  | { kind: 'hold'; durationMs: number; rate?: number }
  | { kind: 'ramp'; durationMs: number; from?: number; to: number }
  | { kind: 'step'; durationMs: number; to: number; steps: number }
  | { kind: 'spike'; durationMs: number; to: number }
  | { kind: 'sine'; durationMs: number; min: number; max: number; periodMs: number };

/** A stretch of the compiled profile on which the rate is linear or sinusoidal. */
interface Segment {
  kind: Stage['kind'];
  stage: number;
  t0: number;
  t1: number;
  /** Arrivals before this segment. */
  c0: number;
  /** Linear: rate at t0 and t1. Sine: midpoint and amplitude. */
  a: number;
  b: number;
  periodMs: number;
  sine: boolean;
}

/** Start and end of one stage within the run, for reports and charts. */
export interface StageMark {
  index: number;
  kind: Stage['kind'];
  startMs: number;
  endMs: number;
  label: string;
}

/** A compiled load profile: rate over time, cumulative arrivals and its exact inverse. */
export interface RateProfile {
  /** Total length in milliseconds. */
  readonly durationMs: number;
  /** Stage boundaries. */
  readonly marks: readonly StageMark[];
  /** Target rate (req/s) at `t` ms after the start. */
  rateAt(t: number): number;
  /** Expected number of arrivals in [0, t). */
  arrivalsUntil(t: number): number;
  /** Time in ms at which cumulative arrivals reach `n` (> 0), or Infinity past the end. */
  timeOfArrival(n: number): number;
  /** Index of the stage active at time t (the last one past the end). */
  stageAt(t: number): number;
}

function stageLabel(s: Stage): string {
  const d = `${s.durationMs / 1000}s`;
  switch (s.kind) {
    case 'hold': return `hold ${d}${s.rate === undefined ? '' : ` @${s.rate}`}`;
    case 'ramp': return `ramp ${d} ${s.from === undefined ? '' : `${s.from}→`}${s.to}`;
    case 'step': return `step ${d} →${s.to} in ${s.steps}`;
    case 'spike': return `spike ${d} @${s.to}`;
    case 'sine': return `sine ${d} ${s.min}..${s.max}/${s.periodMs / 1000}s`;
  }
}

/**
 * Compiles stages into a rate profile. `initialRate` is the rate before the first stage (stages
 * without an explicit start continue from the current rate; a spike returns to it afterwards).
 */
export function createRateProfile(stages: readonly Stage[], initialRate = 0): RateProfile {
  const segments: Segment[] = [];
  const marks: StageMark[] = [];
  let t = 0;
  let c = 0;
  let current = initialRate;
  const push = (kind: Stage['kind'], stage: number, d: number, a: number, b: number, sine = false, periodMs = 0): void => {
    if (d <= 0) return;
    const seg: Segment = { kind, stage, t0: t, t1: t + d, c0: c, a, b, sine, periodMs };
    segments.push(seg);
    c += integrate(seg, d);
    t += d;
  };
  stages.forEach((s, i) => {
    const start = t;
    switch (s.kind) {
      case 'hold':
        current = s.rate ?? current;
        push('hold', i, s.durationMs, current, current);
        break;
      case 'ramp': {
        const from = s.from ?? current;
        push('ramp', i, s.durationMs, from, s.to);
        current = s.to;
        break;
      }
      case 'step': {
        const from = current;
        const d = s.durationMs / s.steps;
        for (let k = 1; k <= s.steps; k++) {
          const r = from + ((s.to - from) * k) / s.steps;
          push('step', i, d, r, r);
        }
        current = s.to;
        break;
      }
      case 'spike':
        push('spike', i, s.durationMs, s.to, s.to);
        break;
      case 'sine':
        push('sine', i, s.durationMs, (s.min + s.max) / 2, (s.max - s.min) / 2, true, s.periodMs);
        current = s.min;
        break;
    }
    marks.push({ index: i, kind: s.kind, startMs: start, endMs: t, label: stageLabel(s) });
  });
  const durationMs = t;
  const total = c;

  const find = (time: number): Segment | undefined => {
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((segments[mid] as Segment).t0 <= time) lo = mid;
      else hi = mid - 1;
    }
    return segments[lo];
  };
  const rateIn = (seg: Segment, x: number): number => {
    if (seg.sine) return seg.a - seg.b * Math.cos((2 * Math.PI * x) / seg.periodMs);
    const d = seg.t1 - seg.t0;
    return seg.a + ((seg.b - seg.a) * x) / d;
  };

  return {
    durationMs,
    marks,
    rateAt(time) {
      if (time < 0 || time >= durationMs) return 0;
      const seg = find(time);
      return seg === undefined ? 0 : rateIn(seg, time - seg.t0);
    },
    arrivalsUntil(time) {
      if (time <= 0) return 0;
      if (time >= durationMs) return total;
      const seg = find(time);
      return seg === undefined ? 0 : seg.c0 + integrate(seg, time - seg.t0);
    },
    timeOfArrival(n) {
      if (!(n > 0) || n > total) return Infinity;
      // first segment whose cumulative end reaches n (zero-rate segments never qualify first)
      let lo = 0;
      let hi = segments.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const s = segments[mid] as Segment;
        if (s.c0 + integrate(s, s.t1 - s.t0) >= n) hi = mid;
        else lo = mid + 1;
      }
      const seg = segments[lo] as Segment;
      return seg.t0 + invert(seg, n - seg.c0);
    },
    stageAt(time) {
      for (const m of marks) if (time < m.endMs) return m.index;
      return Math.max(0, marks.length - 1);
    },
  };
}

/** Arrivals within a segment during its first x ms. */
function integrate(seg: Segment, x: number): number {
  if (seg.sine) {
    const w = (2 * Math.PI) / seg.periodMs;
    return (seg.a * x - (seg.b * Math.sin(w * x)) / w) / 1000;
  }
  const d = seg.t1 - seg.t0;
  return (seg.a * x + ((seg.b - seg.a) * x * x) / (2 * d)) / 1000;
}

/** Offset x within the segment at which `m` arrivals have occurred (0 ≤ m < segment total). */
function invert(seg: Segment, m: number): number {
  const d = seg.t1 - seg.t0;
  if (m <= 0) return 0;
  if (!seg.sine) {
    const k = (seg.b - seg.a) / d; // rate slope per ms, in req/s
    const target = m * 1000;
    if (Math.abs(k) < 1e-12) return target / seg.a;
    const disc = seg.a * seg.a + 2 * k * target;
    // numerically stable root of (k/2)x² + a·x − target = 0
    const x = (2 * target) / (seg.a + Math.sqrt(Math.max(0, disc)));
    return Math.min(Math.max(x, 0), d);
  }
  // sine: safeguarded Newton on a monotone function
  let lo = 0;
  let hi = d;
  let x = Math.min(d, (m * 1000) / Math.max(seg.a, 1e-9));
  for (let i = 0; i < 60; i++) {
    const f = integrate(seg, x) - m;
    if (Math.abs(f) < 1e-9) break;
    if (f > 0) hi = x;
    else lo = x;
    const r = (seg.a - seg.b * Math.cos((2 * Math.PI * x) / seg.periodMs)) / 1000;
    let next = r > 1e-12 ? x - f / r : (lo + hi) / 2;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) < 1e-9) {
      x = next;
      break;
    }
    x = next;
  }
  return x;
}

/**
 * Parses a `--stage` flag: `hold:30s[:rate]`, `ramp:1m:to` or `ramp:1m:from:to`, `step:2m:to:steps`,
 * `spike:20s:rate`, `sine:5m:min:max:period`.
 */
export function parseStage(text: string, field = '--stage'): Stage {
  const parts = text.split(':').map((p) => p.trim());
  const [kind, dur, ...rest] = parts;
  const nums = (n: number, names: string[]): number[] => {
    if (rest.length !== n) throw new ConfigError(field, `"${text}": ${kind} takes ${names.join(', ')}`);
    return rest.map((r, i) => parseNumber(r, `${field} ${names[i]}`));
  };
  if (dur === undefined || dur === '') throw new ConfigError(field, `"${text}": expected <kind>:<duration>[:values]`);
  const durationMs = parseDuration(dur, `${field} duration`);
  if (durationMs <= 0) throw new ConfigError(field, `"${text}": duration must be positive`);
  switch (kind) {
    case 'hold':
      if (rest.length === 0) return { kind, durationMs };
      return { kind, durationMs, rate: nums(1, ['rate'])[0] as number };
    case 'ramp':
      if (rest.length === 2) {
        const [from, to] = nums(2, ['from', 'to']) as [number, number];
        return { kind, durationMs, from, to };
      }
      return { kind, durationMs, to: nums(1, ['to'])[0] as number };
    case 'step': {
      const [to, steps] = nums(2, ['to', 'steps']) as [number, number];
      if (!Number.isInteger(steps) || steps < 1) throw new ConfigError(field, `"${text}": steps must be a positive integer`);
      return { kind, durationMs, to, steps };
    }
    case 'spike':
      return { kind, durationMs, to: nums(1, ['rate'])[0] as number };
    case 'sine': {
      if (rest.length !== 3) throw new ConfigError(field, `"${text}": sine takes min, max, period`);
      const min = parseNumber(rest[0] as string, `${field} min`);
      const max = parseNumber(rest[1] as string, `${field} max`);
      const periodMs = parseDuration(rest[2] as string, `${field} period`);
      if (max < min) throw new ConfigError(field, `"${text}": max must be ≥ min`);
      if (periodMs <= 0) throw new ConfigError(field, `"${text}": period must be positive`);
      return { kind, durationMs, min, max, periodMs };
    }
    default:
      throw new ConfigError(field, `"${text}": unknown stage kind "${kind}" (hold, ramp, step, spike, sine)`);
  }
}
