import { parseArgs } from 'node:util';

/** What one benchmark run does; every duration is in milliseconds. */
export interface BenchOptions {
  /** Short validation run (figures are indicative only). */
  readonly quick: boolean;
  /** Interleaved rounds; each round runs every variant of every scenario once. */
  readonly rounds: number;
  /** Length of one measured slot (one variant, one scenario). */
  readonly slotMs: number;
  /** Unmeasured warm-up of each variant before the first round. */
  readonly warmupMs: number;
  /** Closed-loop connections (and raw driver loops). */
  readonly connections: number;
  /** Stored portfolios for the search-scaling step. */
  readonly searchSizes: readonly number[];
  /** Length of each search-scaling measurement. */
  readonly searchMs: number;
  /** Length of each loadgen level (maximum probe, 50 %, 90 %). */
  readonly loadgenMs: number;
  /** Sustained-rate period of the memory step. */
  readonly memoryMs: number;
  /** How long each operation runs alone in the mix step, ms. */
  readonly mixMs: number;
  /** Record CPU profiles of the full service, one per scenario. */
  readonly profile: boolean;
  /** Length of each profiled load. */
  readonly profileMs: number;
  /** Skip the open-loop latency step. */
  readonly skipLoadgen: boolean;
  /** Directory for latest.json, latest.md and profiles. */
  readonly outDir: string;
  /** Another build's apps/api dist/main.js, measured on and off beside this one in the overhead step. */
  readonly baselineMain?: string;
  /** Steps to run, in this order. */
  readonly steps: readonly BenchStep[];
}

/** Steps of a run, in the order they run. */
export const BENCH_STEPS = ['overhead', 'reference', 'bulk', 'compression', 'profile', 'latency', 'mix', 'memory', 'search', 'startup'] as const;

/** One step of a run. */
export type BenchStep = (typeof BENCH_STEPS)[number];

function isBenchStep(value: string): value is BenchStep {
  return (BENCH_STEPS as readonly string[]).includes(value);
}

/** A bad command-line flag: the message names it. */
export class BenchArgsError extends Error {
  override readonly name = 'BenchArgsError';
  /** Exit code: 2 for a bad flag, 0 for --help. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Usage text of the bench command. */
export const USAGE = `usage: pnpm bench [-- --quick] [--rounds N] [--slot S] [--connections N] [--search-sizes 10000,100000]
                  [--memory S] [--loadgen S] [--profile] [--skip-loadgen] [--out DIR] [--baseline MAIN]
  --quick          validation run: 2 s slots, 3 rounds, short memory and loadgen steps
  --rounds N       interleaved rounds (full 7, quick 3)
  --slot S         seconds per measured slot (full 10, quick 2)
  --connections N  closed-loop connections and raw driver loops (50)
  --search-sizes   stored portfolios for the search step (10000,100000)
  --memory S       seconds of sustained load in the memory step (full 180, quick 10)
  --loadgen S      seconds per open-loop level (full 20, quick 4)
  --profile        also record node --cpu-prof profiles of the full service
  --skip-loadgen   skip the steps that need the loadgen (latency, mix)
  --only LIST      run only these steps (comma-separated): ${BENCH_STEPS.join(',')}
  --out DIR        output directory (bench/results)
  --baseline MAIN  another build's apps/api/dist/main.js: its telemetry on and off join the overhead
                   rounds (before/after in one run; ratios baseline.*)`;

function positive(flag: string, raw: string | undefined, fallback: number, { integer = false } = {}): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new BenchArgsError(`--${flag} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return value;
}

/**
 * Parses the bench command line into options, filling quick or full defaults.
 * @param argv arguments after the script name
 * @param defaultOutDir where results go without --out
 */
export function parseBenchArgs(argv: readonly string[], defaultOutDir: string): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv].filter((a) => a !== '--'),
      options: {
        quick: { type: 'boolean', default: false },
        rounds: { type: 'string' },
        slot: { type: 'string' },
        connections: { type: 'string' },
        'search-sizes': { type: 'string' },
        memory: { type: 'string' },
        loadgen: { type: 'string' },
        profile: { type: 'boolean', default: false },
        'skip-loadgen': { type: 'boolean', default: false },
        out: { type: 'string' },
        only: { type: 'string' },
        baseline: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BenchArgsError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new BenchArgsError(USAGE, 0);
  const quick = values.quick;
  const sizes = (values['search-sizes'] ?? '10000,100000').split(',').map((s) => positive('search-sizes', s.trim(), 0, { integer: true }));
  const slotSeconds = positive('slot', values.slot, quick ? 2 : 10);
  let steps: BenchStep[] = BENCH_STEPS.filter((name) => (name === 'profile' ? values.profile : !(name === 'latency' || name === 'mix') || !values['skip-loadgen']));
  if (values.only !== undefined) {
    const wanted = values.only.split(',').map((x) => x.trim());
    const unknown = wanted.filter((x) => !isBenchStep(x));
    if (unknown.length > 0) throw new BenchArgsError(`--only: unknown step "${unknown.join(', ')}"; steps are ${BENCH_STEPS.join(', ')}`);
    steps = BENCH_STEPS.filter((name) => wanted.includes(name));
  }
  return {
    quick,
    rounds: positive('rounds', values.rounds, quick ? 3 : 7, { integer: true }),
    slotMs: slotSeconds * 1000,
    warmupMs: Math.min(slotSeconds, quick ? 1 : 5) * 1000,
    connections: positive('connections', values.connections, 50, { integer: true }),
    searchSizes: sizes,
    searchMs: (quick ? 2 : 10) * 1000,
    loadgenMs: positive('loadgen', values.loadgen, quick ? 4 : 20) * 1000,
    memoryMs: positive('memory', values.memory, quick ? 10 : 180) * 1000,
    mixMs: (quick ? 3 : 10) * 1000,
    profile: values.profile,
    profileMs: (quick ? 4 : 15) * 1000,
    skipLoadgen: values['skip-loadgen'],
    outDir: values.out ?? defaultOutDir,
    steps,
    ...(values.baseline === undefined ? {} : { baselineMain: values.baseline }),
  };
}
