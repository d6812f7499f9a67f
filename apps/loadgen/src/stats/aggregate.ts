import { addEncoded, createHistogram, encodeHistogram, summarize } from './hdr.js';
import type { Histogram, LatencySummary } from './hdr.js';
import { operationTotals, type IntervalSnapshot, type OperationTotals } from './recorder.js';
import type { IntervalRow, OperationReport } from '../report/types.js';

/** One interval's totals over every reporter: the snapshot's counters plus what merging adds. */
interface RowState extends Omit<IntervalSnapshot, 'operations'> {
  reporters: number;
  requests: number;
  errors: number;
  conflicts: number;
  targetCount: number;
  operations: Record<string, { requests: number; errors: number; conflicts: number }>;
  /** Encoded so that thousands of intervals stay small in memory. */
  latency: string;
  serviceTime: string;
  service?: IntervalRow['service'];
}

/** Everything the accumulator knows once the run is over. */
export interface AggregateResult {
  requests: number;
  errors: number;
  conflicts: number;
  late: number;
  dropped: number;
  sent: number;
  statusCodes: Record<string, number>;
  latency: LatencySummary;
  serviceTime: LatencySummary;
  latencyHistogram: Histogram;
  serviceTimeHistogram: Histogram;
  operations: Record<string, OperationReport>;
  operationHistograms: Record<string, { latency: string; serviceTime: string }>;
  rows: IntervalRow[];
}

/** Merges interval snapshots (from threads) or whole reports (from shards) exactly. */
export interface Accumulator {
  /** Adds one thread's interval; returns the row once every reporter has delivered it. */
  addSnapshot(s: IntervalSnapshot): IntervalRow | undefined;
  /** Adds a finished row (from another shard's report). */
  addRow(row: IntervalRow): void;
  /** Adds run totals of one operation (from another shard's report). */
  addOperation(name: string, op: Omit<OperationReport, 'latency' | 'serviceTime'>, latency: string, serviceTime: string): void;
  /** Adds autoscaling samples to the row of an interval. */
  addServiceSample(index: number, sample: NonNullable<IntervalRow['service']>): void;
  /** Sets the expected number of arrivals in an interval (sums across shards). */
  addTarget(index: number, count: number): void;
  /** The most recent row every reporter has delivered. */
  latestComplete(): IntervalRow | undefined;
  result(rowStage: (t: number) => number): AggregateResult;
}

const pick4 = (s: LatencySummary): IntervalRow['latency'] => ({ p50: s.p50, p90: s.p90, p99: s.p99, max: s.max });

function mergeEncoded(a: string, b: string): string {
  if (a === '') return b;
  if (b === '') return a;
  const h = createHistogram();
  addEncoded(h, a);
  addEncoded(h, b);
  return encodeHistogram(h);
}

function addCodes(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * Creates an accumulator. `reporters` is how many threads deliver each interval (so a row is
 * complete when all have); `intervalMs` converts counts to rates.
 */
export function createAccumulator(reporters: number, intervalMs: number): Accumulator {
  const ops = new Map<string, OperationTotals>();
  const rows = new Map<number, RowState>();
  let lastComplete = -1;
  const opTotals = (name: string): OperationTotals => operationTotals(ops, name);
  const row = (index: number): RowState => {
    let r = rows.get(index);
    if (r === undefined) {
      r = { index, reporters: 0, sent: 0, requests: 0, errors: 0, conflicts: 0, late: 0, lateGenerator: 0, dropped: 0, inFlight: 0, elu: 0, lagP99Ms: 0, lagMaxMs: 0, targetCount: 0, operations: {}, latency: '', serviceTime: '' };
      rows.set(index, r);
    }
    return r;
  };
  const toRow = (r: RowState, stage: number): IntervalRow => {
    const sec = intervalMs / 1000;
    const lat = createHistogram();
    const svc = createHistogram();
    addEncoded(lat, r.latency);
    addEncoded(svc, r.serviceTime);
    const out: IntervalRow = {
      index: r.index,
      t: (r.index * intervalMs) / 1000,
      targetRate: r.targetCount / sec,
      sentRate: r.sent / sec,
      achievedRate: r.requests / sec,
      requests: r.requests,
      errors: r.errors,
      conflicts: r.conflicts,
      late: r.late,
      lateGenerator: r.lateGenerator,
      dropped: r.dropped,
      inFlight: r.inFlight,
      stage,
      latency: pick4(summarize(lat)),
      serviceTime: pick4(summarize(svc)),
      operations: r.operations,
      generator: { elu: r.elu, lagP99Ms: r.lagP99Ms, lagMaxMs: r.lagMaxMs },
      histograms: { latency: r.latency, serviceTime: r.serviceTime },
    };
    if (r.service !== undefined) out.service = r.service;
    return out;
  };

  return {
    addSnapshot(s) {
      const r = row(s.index);
      r.reporters++;
      r.sent += s.sent;
      r.late += s.late;
      r.lateGenerator += s.lateGenerator;
      r.dropped += s.dropped;
      r.inFlight += s.inFlight;
      r.elu = Math.max(r.elu, s.elu);
      r.lagP99Ms = Math.max(r.lagP99Ms, s.lagP99Ms);
      r.lagMaxMs = Math.max(r.lagMaxMs, s.lagMaxMs);
      const lat = createHistogram();
      const svc = createHistogram();
      addEncoded(lat, r.latency);
      addEncoded(svc, r.serviceTime);
      for (const [name, o] of Object.entries(s.operations)) {
        const t = opTotals(name);
        t.requests += o.requests;
        t.errors += o.errors;
        t.conflicts += o.conflicts;
        addCodes(t.statusCodes, o.statusCodes);
        addEncoded(t.latency, o.latency);
        addEncoded(t.serviceTime, o.serviceTime);
        addEncoded(lat, o.latency);
        addEncoded(svc, o.serviceTime);
        r.requests += o.requests;
        r.errors += o.errors;
        r.conflicts += o.conflicts;
        const ro = (r.operations[name] ??= { requests: 0, errors: 0, conflicts: 0 });
        ro.requests += o.requests;
        ro.errors += o.errors;
        ro.conflicts += o.conflicts;
      }
      r.latency = lat.totalCount === 0 ? '' : encodeHistogram(lat);
      r.serviceTime = svc.totalCount === 0 ? '' : encodeHistogram(svc);
      if (r.reporters >= reporters) {
        lastComplete = Math.max(lastComplete, r.index);
        return toRow(r, 0);
      }
      return undefined;
    },
    addRow(x) {
      const r = row(x.index);
      r.reporters++;
      r.sent += Math.round(x.sentRate * (intervalMs / 1000));
      r.requests += x.requests;
      r.errors += x.errors;
      r.conflicts += x.conflicts;
      r.late += x.late;
      r.lateGenerator += x.lateGenerator;
      r.dropped += x.dropped;
      r.inFlight += x.inFlight;
      r.targetCount += x.targetRate * (intervalMs / 1000);
      r.elu = Math.max(r.elu, x.generator.elu);
      r.lagP99Ms = Math.max(r.lagP99Ms, x.generator.lagP99Ms);
      r.lagMaxMs = Math.max(r.lagMaxMs, x.generator.lagMaxMs);
      for (const [name, o] of Object.entries(x.operations)) {
        const ro = (r.operations[name] ??= { requests: 0, errors: 0, conflicts: 0 });
        ro.requests += o.requests;
        ro.errors += o.errors;
        ro.conflicts += o.conflicts;
      }
      r.latency = mergeEncoded(r.latency, x.histograms.latency);
      r.serviceTime = mergeEncoded(r.serviceTime, x.histograms.serviceTime);
      if (x.service !== undefined) r.service = { ...r.service, ...x.service };
    },
    addOperation(name, op, latency, serviceTime) {
      const t = opTotals(name);
      t.requests += op.requests;
      t.errors += op.errors;
      t.conflicts += op.conflicts;
      addCodes(t.statusCodes, op.statusCodes);
      addEncoded(t.latency, latency);
      addEncoded(t.serviceTime, serviceTime);
    },
    addServiceSample(index, sample) {
      const r = row(index);
      r.service = { ...r.service, ...sample };
    },
    addTarget(index, count) {
      row(index).targetCount += count;
    },
    latestComplete() {
      const r = rows.get(lastComplete);
      return r === undefined ? undefined : toRow(r, 0);
    },
    result(rowStage) {
      const latency = createHistogram();
      const serviceTime = createHistogram();
      const operations: Record<string, OperationReport> = {};
      const operationHistograms: Record<string, { latency: string; serviceTime: string }> = {};
      const statusCodes: Record<string, number> = {};
      let requests = 0;
      let errors = 0;
      let conflicts = 0;
      for (const [name, o] of [...ops].sort(([a], [b]) => a.localeCompare(b))) {
        latency.add(o.latency);
        serviceTime.add(o.serviceTime);
        requests += o.requests;
        errors += o.errors;
        conflicts += o.conflicts;
        addCodes(statusCodes, o.statusCodes);
        operations[name] = { requests: o.requests, errors: o.errors, conflicts: o.conflicts, statusCodes: o.statusCodes, latency: summarize(o.latency), serviceTime: summarize(o.serviceTime) };
        operationHistograms[name] = { latency: encodeHistogram(o.latency), serviceTime: encodeHistogram(o.serviceTime) };
      }
      const sorted = [...rows.values()].sort((a, b) => a.index - b.index);
      const out = sorted.map((r) => toRow(r, rowStage((r.index * intervalMs) / 1000)));
      return {
        requests,
        errors,
        conflicts,
        late: sorted.reduce((n, r) => n + r.late, 0),
        dropped: sorted.reduce((n, r) => n + r.dropped, 0),
        sent: sorted.reduce((n, r) => n + r.sent, 0),
        statusCodes,
        latency: summarize(latency),
        serviceTime: summarize(serviceTime),
        latencyHistogram: latency,
        serviceTimeHistogram: serviceTime,
        operations,
        operationHistograms,
        rows: out,
      };
    },
  };
}
