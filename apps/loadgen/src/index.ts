export { parseArgs } from './cli/args.js';
export { DEFAULT_MIX } from './scenario/resolve.js';
export type { Options, MergeOptions, Command, ArgsEnv } from './cli/args.js';
export { HELP_TEXT } from './cli/help.js';
export { parseDuration } from './cli/units.js';
export { run, exitCodeOf, writeReportFiles } from './run.js';
export type { RunIo } from './run.js';
export { mergeReports, readReportFile } from './merge.js';
export { parseThreshold, evaluateThresholds } from './thresholds.js';
export type { Threshold } from './thresholds.js';
export { createRateProfile, parseStage } from './schedule/stages.js';
export type { Stage, StageMark, RateProfile } from './schedule/stages.js';
export { createArrivals } from './schedule/arrivals.js';
export type { ArrivalSequence } from './schedule/arrivals.js';
export { startEngine } from './engine.js';
export type { EngineConfig, EngineHandle, EngineResult, EngineRuntime } from './engine.js';
export { createHistogram, encodeHistogram, decodeHistogram, summarize } from './stats/hdr.js';
export type { LatencySummary } from './stats/hdr.js';
export { createAccumulator } from './stats/aggregate.js';
export type { Accumulator, AggregateResult } from './stats/aggregate.js';
export { judgeSaturation } from './stats/saturation.js';
export type { SaturationVerdict } from './stats/saturation.js';
export { renderHtmlReport } from './report/html.js';
export { intervalsToCsv, intervalsToNdjson } from './report/intervals-file.js';
export { REPORT_SCHEMA, REPORT_SCHEMA_VERSION } from './report/types.js';
export type { Report, IntervalRow, OperationReport, ThresholdResult, GeneratorReport, AutoscalingReport } from './report/types.js';
export { parseScenario, loadScenarioFile, ScenarioSchema } from './scenario/schema.js';
export type { Scenario } from './scenario/schema.js';
export { OPERATION_NAMES, isOperationName } from './scenario/operations.js';
export type { OperationName, OperationMix, OperationSpec } from './scenario/operations.js';
export {
  ConfigError,
  isConfigError,
  EXIT_OK,
  EXIT_FAILURE,
  EXIT_CONFIG_ERROR,
  EXIT_THRESHOLD_FAILED,
  EXIT_GENERATOR_SATURATED,
} from './errors.js';
