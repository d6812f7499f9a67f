#!/usr/bin/env node
import { parseArgs } from './cli/args.js';
import { EXIT_CONFIG_ERROR, EXIT_FAILURE, isConfigError } from './errors.js';
import { mergeReports, readReportFile } from './merge.js';
import { exitCodeOf, run, writeReportFiles } from './run.js';
import { formatSummary } from './report/summary.js';
import { TOOL } from './version.js';

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
    else process.stderr.write(formatSummary(report));
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
  process.stderr.write(formatSummary(report));
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
