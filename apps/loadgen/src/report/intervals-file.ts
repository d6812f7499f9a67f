import type { IntervalRow } from './types.js';

const CSV_COLUMNS = [
  't', 'stage', 'targetRate', 'sentRate', 'achievedRate', 'requests', 'errors', 'conflicts', 'late', 'dropped', 'inFlight',
  'p50', 'p90', 'p99', 'max', 'service_p50', 'service_p90', 'service_p99', 'service_max', 'elu', 'lagP99Ms', 'replicas', 'podCpu',
] as const;

/** Renders interval rows as CSV (one header line, latencies in ms). */
export function intervalsToCsv(rows: readonly IntervalRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.t, r.stage, r.targetRate, r.sentRate, r.achievedRate, r.requests, r.errors, r.conflicts, r.late, r.dropped, r.inFlight,
        r.latency.p50, r.latency.p90, r.latency.p99, r.latency.max, r.serviceTime.p50, r.serviceTime.p90, r.serviceTime.p99, r.serviceTime.max,
        r.generator.elu, r.generator.lagP99Ms, r.service?.replicas ?? '', r.service?.podCpu ?? '',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Renders interval rows as NDJSON (one JSON object per line, histograms left out). */
export function intervalsToNdjson(rows: readonly IntervalRow[]): string {
  return rows.map((r) => JSON.stringify({ ...r, histograms: undefined })).join('\n') + (rows.length > 0 ? '\n' : '');
}
