import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LatencyLevel } from './results.js';
import { startChild } from './processes.js';

/** The part of a loadgen JSON report this step reads. */
interface LoadgenReport {
  readonly achievedRate: number;
  readonly targetRate: number;
  readonly errors: number;
  readonly late: number;
  readonly dropped: number;
  readonly latency: { readonly p50: number; readonly p99: number; readonly p999: number };
  readonly generator: { readonly saturated: boolean; readonly cpuPercent: number };
  readonly durationSec: number;
  readonly requests: number;
  readonly operations: Record<string, { readonly requests: number; readonly errors: number }>;
}

/** Exit codes of the loadgen that still come with a full report (ok, threshold failed, generator saturated). */
const REPORTED_EXIT_CODES = new Set([0, 3, 4]);

/** Name prefix of the portfolios a loadgen run labelled `label` creates. */
export function loadgenNamePrefix(label: string): string {
  return `lg-bench${label}`;
}

/**
 * Runs the loadgen binary (pinned) with `args` and returns its JSON report. It seeds 200 portfolios
 * first and, unless `cleanup` is false, deletes what it created afterwards.
 */
export async function runLoadgen(
  bin: string,
  url: string,
  args: readonly string[],
  outDir: string,
  label: string,
  cpu: number | undefined,
  { cleanup = true }: { readonly cleanup?: boolean } = {},
): Promise<LoadgenReport> {
  mkdirSync(outDir, { recursive: true });
  const json = join(outDir, `loadgen-${label}.json`);
  const child = startChild({
    name: `loadgen ${label}`,
    script: bin,
    args: [url, ...args, '--json', json, '--progress', 'none', '--tag', `bench${label}`, '--seed', '7', '--setup', '200', ...(cleanup ? ['--cleanup'] : [])],
    env: { PATH: process.env.PATH },
    logFile: join(outDir, `loadgen-${label}.log`),
    ...(cpu === undefined ? {} : { cpu }),
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code === null || !REPORTED_EXIT_CODES.has(code)) throw new Error(`loadgen ${label} exited with ${String(code)} (see ${join(outDir, `loadgen-${label}.log`)})`);
  return JSON.parse(readFileSync(json, 'utf8')) as LoadgenReport;
}

/** Turns a loadgen report into a latency level of the results. */
export function toLatencyLevel(share: number, report: LoadgenReport): LatencyLevel {
  return {
    share,
    targetRate: report.targetRate,
    achievedRate: report.achievedRate,
    p50: report.latency.p50,
    p99: report.latency.p99,
    p999: report.latency.p999,
    errors: report.errors,
    late: report.late,
    dropped: report.dropped,
    generatorSaturated: report.generator.saturated,
  };
}
