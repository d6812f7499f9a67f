import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';
import { assembleReport } from './report/assemble.js';
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION } from './report/types.js';
import type { Report } from './report/types.js';
import { createAccumulator } from './stats/aggregate.js';

/** Reads a report file, checking its schema and version. */
export function readReportFile(file: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError('merge', `cannot read report ${file}: ${(err as Error).message}`);
  }
  const r = data as Partial<Report>;
  if (r.schema !== REPORT_SCHEMA || r.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new ConfigError('merge', `${file} is not a ${REPORT_SCHEMA} v${REPORT_SCHEMA_VERSION} report`);
  }
  return data as Report;
}

/**
 * Merges shard reports exactly: counts are summed, histograms added (so percentiles are those of
 * the combined traffic, not averages), intervals aligned by index (the shards share a start time),
 * and thresholds evaluated on the whole.
 */
export function mergeReports(reports: readonly Report[], thresholds: readonly string[] = []): Report {
  const first = reports[0];
  if (first === undefined) throw new ConfigError('merge', 'no reports to merge');
  for (const r of reports) {
    if (r.intervalMs !== first.intervalMs) throw new ConfigError('merge', `interval lengths differ (${first.intervalMs} vs ${r.intervalMs} ms)`);
  }
  const acc = createAccumulator(reports.length, first.intervalMs);
  const startAt = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const endAt = Math.max(...reports.map((r) => Date.parse(r.endedAt)));
  let targetArrivals = 0;
  let cpu = 0;
  for (const r of reports) {
    // shards started at the same instant share interval indices; realign any that did not
    const shift = Math.round((Date.parse(r.startedAt) - startAt) / first.intervalMs);
    for (const row of r.intervals) acc.addRow({ ...row, index: row.index + shift });
    for (const [name, op] of Object.entries(r.operations)) {
      const h = r.histograms.operations[name];
      acc.addOperation(name, op, h?.latency ?? '', h?.serviceTime ?? '');
    }
    targetArrivals += r.targetRate * r.durationSec;
    cpu = Math.max(cpu, r.generator.cpuPercent);
  }
  const durationSec = Math.max(...reports.map((r) => r.durationSec));
  const stageOf = (t: number): number => first.stages.findIndex((s) => t * 1000 < s.endMs);
  const report = assembleReport(
    acc.result((t) => Math.max(0, stageOf(t) === -1 ? first.stages.length - 1 : stageOf(t))),
    {
      target: first.target,
      model: first.model,
      startAt,
      endAt,
      durationSec,
      intervalMs: first.intervalMs,
      seed: first.seed,
      shard: { index: 0, count: first.shard.count },
      shardsMerged: reports.reduce((n, r) => n + r.shardsMerged, 0),
      targetArrivals,
      stages: first.stages,
      workers: reports.reduce((n, r) => n + r.generator.workers, 0),
      cpuPercent: cpu,
      extraWarnings: reports.flatMap((r, i) => r.generator.warnings.map((w) => `shard ${r.shard.index} (${i}): ${w}`)),
      thresholds,
      seedPhase: { created: reports.reduce((n, r) => n + r.seedPhase.created, 0), durationMs: Math.max(...reports.map((r) => r.seedPhase.durationMs)) },
      cleanup: reports.every((r) => r.cleanup === null) ? null : { deleted: reports.reduce((n, r) => n + (r.cleanup?.deleted ?? 0), 0), failed: reports.reduce((n, r) => n + (r.cleanup?.failed ?? 0), 0) },
      autoscalingSources: [...new Set(reports.flatMap((r) => r.autoscaling?.source ?? []))],
    },
  );
  // a shard that saturated taints the merged figures too
  if (reports.some((r) => r.generator.saturated)) report.generator.saturated = true;
  return report;
}
