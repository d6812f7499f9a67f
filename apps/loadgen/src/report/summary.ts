import type { LatencySummary } from '../stats/hdr.js';
import type { Report, ThresholdResult } from './types.js';

/** Milliseconds to about three significant digits: `0.42`, `12.3`, `250`. */
export function formatMs(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/** A threshold's actual value: a percentage for ratios, else the value and its unit. */
export function formatThresholdActual(t: ThresholdResult): string {
  return t.unit === 'ratio' ? `${(t.actual * 100).toFixed(3)}%` : `${t.actual} ${t.unit}`;
}

/** One row of the per-operation table. */
export interface OperationRow {
  name: string;
  requests: number;
  errors: number;
  conflicts: number;
  latency: LatencySummary;
  serviceTime: LatencySummary;
}

/** The per-operation table of a report: the whole run (`all`) first, then each operation. */
export function operationRows(report: Report): OperationRow[] {
  const all = { name: 'all', requests: report.requests, errors: report.errors, conflicts: report.conflicts, latency: report.latency, serviceTime: report.serviceTime };
  return [all, ...Object.entries(report.operations).map(([name, o]) => ({ name, ...o }))];
}

const COLUMNS: ReadonlyArray<[string, (r: OperationRow) => string]> = [
  ['requests', (r) => String(r.requests)],
  ['errors', (r) => String(r.errors)],
  ['conflicts', (r) => String(r.conflicts)],
  ['p50', (r) => formatMs(r.latency.p50)],
  ['p90', (r) => formatMs(r.latency.p90)],
  ['p99', (r) => formatMs(r.latency.p99)],
  ['max', (r) => formatMs(r.latency.max)],
  ['service p99', (r) => formatMs(r.serviceTime.p99)],
];

/** The per-operation table as aligned text (latencies in ms). */
export function formatOperationTable(report: Report): string {
  const rows = operationRows(report);
  const head = ['operation (ms)', ...COLUMNS.map(([title]) => title)];
  const body = rows.map((r) => [r.name, ...COLUMNS.map(([, cell]) => cell(r))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

/** The end-of-run summary the binary prints: totals, per-operation table, data phases, thresholds, saturation. */
export function formatSummary(report: Report): string {
  const l = report.latency;
  const lines = [
    `${report.requests} requests in ${report.durationSec}s: target ${report.targetRate}/s, achieved ${report.achievedRate}/s, errors ${report.errors}, conflicts ${report.conflicts}, late ${report.late}, dropped ${report.dropped}`,
    `latency (from schedule) p50 ${l.p50} p90 ${l.p90} p99 ${l.p99} p99.9 ${l.p999} max ${l.max} ms; service time p99 ${report.serviceTime.p99} ms`,
    '',
    formatOperationTable(report),
    '',
  ];
  const phases = [`setup created ${report.seedPhase.created} portfolios in ${report.seedPhase.durationMs} ms`];
  if (report.cleanup !== null) phases.push(`cleanup deleted ${report.cleanup.deleted}, failed ${report.cleanup.failed}`);
  lines.push(phases.join('; '));
  for (const t of report.thresholds) lines.push(`threshold ${t.ok ? 'PASS' : 'FAIL'} ${t.expression} (actual ${formatThresholdActual(t)})`);
  if (report.generator.saturated) lines.push(`GENERATOR SATURATED: ${report.generator.warnings.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
