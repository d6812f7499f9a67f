import type { ProfileSummary } from './cpu-profile.js';
import type { MixCost, OperationCost } from './mix-profile.js';
import type { RatioSummary } from './stats.js';

/** Scenarios of the interleaved overhead comparison. */
export type Scenario = 'getById' | 'create' | 'search';

/** Variants compared in each scenario. */
export type Variant = 'service' | 'serviceTelemetryOff' | 'bareKoa' | 'rawDriver' | 'baselineService' | 'baselineTelemetryOff';

/** One measured slot. */
export interface RunRecord {
  readonly round: number;
  readonly scenario: Scenario | 'bulk' | 'fastBulk' | 'single';
  readonly variant: Variant;
  /** Successful operations (HTTP 2xx or driver calls) per second. */
  readonly rate: number;
  /** Documents written per second (create, bulk). */
  readonly docsPerSecond?: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Cores' worth of CPU the variant's process used during the slot (1 = one core busy). */
  readonly serverCpuShare?: number;
  /** Cores' worth of CPU the client side (orchestrator with autocannon, MongoDB) used during the slot. */
  readonly clientCpuShare?: number;
  /** CPU µs the variant's process spent per successful operation. */
  readonly cpuUsPerOp?: number;
}

/** The three overhead ratios of one scenario. */
export interface ScenarioRatios {
  /** Full service ÷ bare Koa (goal ≥ 0.95). */
  readonly vsBareKoa: RatioSummary;
  /** Full service ÷ raw driver loop without HTTP (reported, no goal). */
  readonly vsRawDriver: RatioSummary;
  /** Service with telemetry ÷ service without (goal ≥ 0.95). */
  readonly telemetryOnVsOff: RatioSummary;
  /** The same three comparisons by CPU time per operation of the process under test (reference µs ÷ service µs). */
  readonly cpu: {
    readonly vsBareKoa: RatioSummary;
    readonly vsRawDriver: RatioSummary;
    readonly telemetryOnVsOff: RatioSummary;
  };
  /** With `--baseline`: the baseline build's telemetry on ÷ off, by CPU time per operation (µs off ÷ µs on). */
  readonly baselineCpuTelemetryOnVsOff?: RatioSummary;
}

/** Variants of the reference comparison. */
export type ReferenceVariant = 'service' | 'bareKoa' | 'fastapiMotor';

/** One slot of the reference comparison (GET by id). */
export interface ReferenceRun {
  readonly round: number;
  readonly variant: ReferenceVariant;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly serverCpuShare: number;
  readonly cpuUsPerOp: number;
}

/** The comparison with the original's stack, or why it did not run. */
export type ReferenceRecord =
  | {
      readonly ran: true;
      /** Interpreter and package versions of the reference server. */
      readonly python: string;
      readonly compressor: 'zlib';
      readonly runs: readonly ReferenceRun[];
      readonly medians: Record<ReferenceVariant, { readonly rate: number; readonly p99: number; readonly cpuUsPerOp: number }>;
      /** Service req/s ÷ FastAPI + Motor req/s (goal ≥ 1.3). */
      readonly serviceVsFastapi: RatioSummary;
      /** FastAPI µs per request ÷ service µs per request. */
      readonly cpuServiceVsFastapi: RatioSummary;
      /** FastAPI p99 ÷ service p99 (goal ≥ 1: the service's p99 is the lower). */
      readonly p99FastapiVsService: RatioSummary;
      /** Bare Koa req/s ÷ FastAPI + Motor req/s (what the runtime and driver alone give). */
      readonly bareKoaVsFastapi: RatioSummary;
    }
  | { readonly ran: false; readonly reason: string };

/** Each operation of the loadgen mix alone, and the mix's cost per request on each side. */
export interface MixRecord extends MixCost {
  readonly operations: readonly OperationCost[];
  readonly how: string;
}

/** Start-up time of the service. */
export interface StartupRecord {
  readonly starts: number;
  /** ms from spawn to the first 200 of /health/ready, one per start. */
  readonly readyMs: readonly number[];
  readonly medianMs: number;
  readonly maxMs: number;
  readonly goalMs: number;
  readonly met: boolean;
  readonly how: string;
}

/** One search-scaling measurement. */
export interface SearchRecord {
  readonly stored: number;
  readonly query: 'name_like' | 'name';
  readonly url: string;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  /** Winning plan stages from the driver's explain, outermost first (e.g. `LIMIT > FETCH > IXSCAN`). */
  readonly plan: string;
  readonly usesIndex: boolean;
  readonly keysExamined?: number;
  readonly docsExamined?: number;
}

/** Open-loop latency of the mixed scenario at a share of the measured maximum. */
export interface LatencyLevel {
  readonly share: number;
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly errors: number;
  readonly late: number;
  readonly dropped: number;
  readonly generatorSaturated: boolean;
}

/** Memory of the full service before and after a sustained load. */
export interface MemoryRecord {
  readonly sustainedRate: number;
  readonly sustainedSeconds: number;
  readonly how: string;
  readonly before: { readonly rssBytes: number; readonly heapUsedBytes: number };
  readonly after: { readonly rssBytes: number; readonly heapUsedBytes: number };
  readonly rssGrowth: number;
  readonly heapGrowth: number;
  readonly goal: number;
  readonly met: boolean;
}

/** Everything one run produced: the content of latest.json. */
export interface BenchResults {
  readonly schema: 'globeco-bench/results';
  readonly schemaVersion: 1;
  readonly mode: 'quick' | 'full';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly totalMemoryBytes: number;
    readonly loadAverageStart: readonly number[];
    readonly loadAverageEnd: readonly number[];
    readonly pinned: boolean;
    readonly placement: string;
  };
  readonly backend: { readonly name: string; readonly topology: string; readonly line: string; readonly meaning: string };
  readonly node: string;
  readonly settings: Record<string, unknown>;
  readonly runs: readonly RunRecord[];
  readonly medians: Record<string, Record<string, number>>;
  readonly ratios: {
    readonly getById: ScenarioRatios;
    readonly create: ScenarioRatios;
    readonly search: ScenarioRatios;
    readonly bulkVsSingle: RatioSummary;
    readonly fastBulkVsSingle: RatioSummary;
  };
  /** Raw driver findOne with the service's options (zlib negotiated) against the same without compression. */
  readonly driverCompression: {
    readonly compressors: string;
    readonly compressedRate: number;
    readonly uncompressedRate: number;
    readonly uncompressedVsCompressed: RatioSummary;
  } | null;
  readonly search: readonly SearchRecord[];
  readonly latency: { readonly maxRate: number; readonly levels: readonly LatencyLevel[]; readonly note: string } | null;
  readonly memory: MemoryRecord | null;
  /** CPU profiles by `<scenario>.<service|bareKoa>`, load phase only. */
  readonly profiles: Record<string, ProfileSummary & { readonly file: string; readonly requests: number; readonly cpuUsPerRequest: number }>;
  readonly telemetrySink: Record<string, { readonly requests: number; readonly bytes: number }>;
  /** GET by id against the original's stack (FastAPI + Motor), every client on zlib; null when not run. */
  readonly reference: ReferenceRecord | null;
  /** The mixed scenario's cost by operation and side; null when not run. */
  readonly mix: MixRecord | null;
  /** Process start to the first 200 of /health/ready with MongoDB up; null when not run. */
  readonly startup: StartupRecord | null;
  readonly errors: readonly string[];
}
