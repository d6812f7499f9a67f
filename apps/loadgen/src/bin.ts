#!/usr/bin/env node
import { parseArgs } from './cli/args.js';
import { EXIT_CONFIG_ERROR, EXIT_FAILURE, isConfigError } from './errors.js';
import { mergeReports, readReportFile } from './merge.js';
import { exitCodeOf, run, writeReportFiles } from './run.js';
import type { Report } from './report/types.js';
import { TOOL } from './version.js';

function summaryLine(report: Report): string {
  const l = report.latency;
  const lines = [
    `${report.requests} requests in ${report.durationSec}s: target ${report.targetRate}/s, achieved ${report.achievedRate}/s, errors ${report.errors}, conflicts ${report.conflicts}, late ${report.late}, dropped ${report.dropped}`,
    `latency (from schedule) p50 ${l.p50} p90 ${l.p90} p99 ${l.p99} p99.9 ${l.p999} max ${l.max} ms; service time p99 ${report.serviceTime.p99} ms`,
  ];
  for (const t of report.thresholds) lines.push(`threshold ${t.ok ? 'PASS' : 'FAIL'} ${t.expression} (actual ${t.unit === 'ratio' ? `${(t.actual * 100).toFixed(3)}%` : `${t.actual} ${t.unit}`})`);
  if (report.generator.saturated) lines.push(`GENERATOR SATURATED: ${report.generator.warnings.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  const command = parseArgs(process.argv.slice(2), { JOB_COMPLETION_INDEX: process.env.JOB_COMPLETION_INDEX });
  if (command.command === 'help') {
    process.stdout.write(command.text);
    return 0;
  }
  if (command.command === 'version') {
    process.stdout.write(`${TOOL.version}\n`);
    return 0;
  }
  if (command.command === 'merge') {
    const report = mergeReports(command.options.files.map(readReportFile), command.options.thresholds);
    const toStdout = command.options.json === undefined || command.options.json === '-';
    writeReportFiles(report, { ...command.options, json: toStdout ? undefined : command.options.json });
    if (toStdout) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stderr.write(summaryLine(report));
    return exitCodeOf(report);
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nstopping: finishing in-flight requests and writing the report (again to quit)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `--json -` writes the summary to stdout
  const toStdout = command.options.json === '-';
  const options = toStdout ? { ...command.options, json: undefined } : command.options;
  const report = await run(options, { progress: process.stderr, signal: controller.signal });
  process.stderr.write(summaryLine(report));
  if (toStdout) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return exitCodeOf(report);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (isConfigError(err)) {
      process.stderr.write(`globeco-loadgen: ${err.message}\n`);
      process.exitCode = EXIT_CONFIG_ERROR;
      return;
    }
    process.stderr.write(`globeco-loadgen: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
