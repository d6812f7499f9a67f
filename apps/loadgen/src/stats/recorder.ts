import { createHistogram, encodeHistogram, recordMs } from './hdr.js';
import type { Histogram } from './hdr.js';

/**
 * How a finished operation is counted: `conflict` (a 409) and `error` have counters of their own;
 * `race` (a 404 on a portfolio the generator itself deleted meanwhile) counts as neither and shows
 * only in the status codes.
 */
export type Outcome = 'ok' | 'error' | 'conflict' | 'race';

/** Counters and encoded histograms of one operation within one interval. */
export interface OperationSnapshot {
  requests: number;
  errors: number;
  conflicts: number;
  statusCodes: Record<string, number>;
  /** Response time (from the scheduled send), encoded HdrHistogram in microseconds. */
  latency: string;
  /** Service time (from the actual send), encoded HdrHistogram in microseconds. */
  serviceTime: string;
}

/** What one generator thread reports at the end of each interval. */
export interface IntervalSnapshot {
  index: number;
  sent: number;
  late: number;
  /** Late sends while an in-flight slot was free: the generator itself fell behind. */
  lateGenerator: number;
  dropped: number;
  inFlight: number;
  elu: number;
  lagP99Ms: number;
  lagMaxMs: number;
  operations: Record<string, OperationSnapshot>;
}

/** Counters and histograms of one operation (per interval in a recorder, per run in the accumulator). */
export interface OperationTotals {
  requests: number;
  errors: number;
  conflicts: number;
  statusCodes: Record<string, number>;
  latency: Histogram;
  serviceTime: Histogram;
}

/** Returns the totals of `name` in `totals`, creating empty ones on first use. */
export function operationTotals(totals: Map<string, OperationTotals>, name: string): OperationTotals {
  let o = totals.get(name);
  if (o === undefined) {
    o = { requests: 0, errors: 0, conflicts: 0, statusCodes: {}, latency: createHistogram(), serviceTime: createHistogram() };
    totals.set(name, o);
  }
  return o;
}

/** Per-thread recorder: per operation per interval, two HDR histograms plus counters. */
export interface IntervalRecorder {
  record(op: string, status: string, outcome: Outcome, responseMs: number, serviceMs: number): void;
  onSent(lateMs: number, lateThresholdMs: number, slotWasFree: boolean): void;
  onDropped(): void;
  /** Returns the interval's data and starts a new interval. */
  snapshot(index: number, inFlight: number, loop: { elu: number; lagP99Ms: number; lagMaxMs: number }): IntervalSnapshot;
}

/** Creates an interval recorder; histograms are reused between intervals so memory stays flat. */
export function createIntervalRecorder(): IntervalRecorder {
  const ops = new Map<string, OperationTotals>();
  let sent = 0;
  let late = 0;
  let lateGenerator = 0;
  let dropped = 0;
  const state = (op: string): OperationTotals => operationTotals(ops, op);
  return {
    record(op, status, outcome, responseMs, serviceMs) {
      const s = state(op);
      s.requests++;
      if (outcome === 'error') s.errors++;
      else if (outcome === 'conflict') s.conflicts++;
      s.statusCodes[status] = (s.statusCodes[status] ?? 0) + 1;
      recordMs(s.latency, responseMs);
      recordMs(s.serviceTime, serviceMs);
    },
    onSent(lateMs, lateThresholdMs, slotWasFree) {
      sent++;
      if (lateMs > lateThresholdMs) {
        late++;
        if (slotWasFree) lateGenerator++;
      }
    },
    onDropped() {
      dropped++;
    },
    snapshot(index, inFlight, loop) {
      const operations: Record<string, OperationSnapshot> = {};
      for (const [name, s] of ops) {
        if (s.requests === 0) continue;
        operations[name] = {
          requests: s.requests,
          errors: s.errors,
          conflicts: s.conflicts,
          statusCodes: s.statusCodes,
          latency: encodeHistogram(s.latency),
          serviceTime: encodeHistogram(s.serviceTime),
        };
        s.requests = 0;
        s.errors = 0;
        s.conflicts = 0;
        s.statusCodes = {};
        s.latency.reset();
        s.serviceTime.reset();
      }
      const snap: IntervalSnapshot = { index, sent, late, lateGenerator, dropped, inFlight, ...loop, operations };
      sent = 0;
      late = 0;
      lateGenerator = 0;
      dropped = 0;
      return snap;
    },
  };
}
