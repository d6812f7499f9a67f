import { parseArgs as parseNodeArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { loadScenarioFile } from '../scenario/schema.js';
import type { Scenario } from '../scenario/schema.js';
import { DEFAULT_MIX, scenarioMix, scenarioStages } from '../scenario/resolve.js';
import { OPERATION_NAMES, isOperationName } from '../scenario/operations.js';
import type { OperationMix } from '../scenario/operations.js';
import { parseStage } from '../schedule/stages.js';
import type { Stage } from '../schedule/stages.js';

import { parseThreshold } from '../thresholds.js';
import { HELP_TEXT } from './help.js';
import { parseDuration, parseNumber } from './units.js';

/** Resolved options of a load run; everything `run()` needs, as plain values. */
export interface Options {
  target: string;
  model: 'open' | 'closed';
  rate: number;
  durationMs: number;
  stages: Stage[];
  maxRequests: number;
  concurrency: number;
  maxInFlight: number;
  maxLagMs: number;
  lateMs: number;
  workers: number;
  connections: number;
  connectionTtlMs: number;
  /** GET /health requests sent before the start to open connections and warm up (0 = none). */
  warmup: number;
  timeoutMs: number;
  intervalMs: number;
  seed: number;
  mix: OperationMix;
  setup: { portfolios: number; bulkSize: number };
  cleanup: boolean;
  tag: string;
  json?: string;
  html?: string;
  intervals?: string;
  thresholds: string[];
  shard: { index: number; count: number };
  /** Common start: epoch ms, or `{ alignMs }` for the next wall-clock multiple. */
  startAt?: number | { alignMs: number };
  metricsUrl?: string;
  prometheusUrl?: string;
  deployment: string;
  namespace: string;
  progress: 'auto' | 'tty' | 'plain' | 'none';
}

/** Options of the `merge` command. */
export interface MergeOptions {
  files: string[];
  json?: string;
  html?: string;
  thresholds: string[];
}

/** What the command line asks for. */
export type Command =
  | { command: 'run'; options: Options }
  | { command: 'merge'; options: MergeOptions }
  | { command: 'help'; text: string }
  | { command: 'version' };

/** Values from the environment that the command line may refer to (read by the binary only). */
export interface ArgsEnv {
  JOB_COMPLETION_INDEX?: string;
}

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  rate: { type: 'string', short: 'r' },
  duration: { type: 'string', short: 'd' },
  requests: { type: 'string', short: 'n' },
  stage: { type: 'string', multiple: true },
  closed: { type: 'boolean' },
  concurrency: { type: 'string', short: 'c' },
  'max-in-flight': { type: 'string' },
  'max-lag': { type: 'string' },
  late: { type: 'string' },
  workers: { type: 'string', short: 'w' },
  connections: { type: 'string' },
  'connection-ttl': { type: 'string' },
  warmup: { type: 'string' },
  timeout: { type: 'string' },
  interval: { type: 'string' },
  scenario: { type: 'string', short: 's' },
  mix: { type: 'string' },
  'bulk-size': { type: 'string' },
  'search-mode': { type: 'string' },
  seed: { type: 'string' },
  setup: { type: 'string' },
  cleanup: { type: 'boolean' },
  tag: { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
  intervals: { type: 'string' },
  progress: { type: 'string' },
  threshold: { type: 'string', multiple: true, short: 't' },
  shard: { type: 'string' },
  shards: { type: 'string' },
  'start-at': { type: 'string' },
  'metrics-url': { type: 'string' },
  prometheus: { type: 'string' },
  deployment: { type: 'string' },
  namespace: { type: 'string' },
} as const;

function parseUrl(text: string, field: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(field, `"${text}" is not a URL (expected e.g. http://localhost:8000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(field, `"${text}" must use http or https`);
  return url.toString().replace(/\/+$/, '');
}

function parseMix(text: string, base: OperationMix): OperationMix {
  const mix: OperationMix = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [name = '', weight] = part.split('=');
    if (!isOperationName(name)) throw new ConfigError('--mix', `unknown operation "${name}" (${OPERATION_NAMES.join(', ')})`);
    if (weight === undefined) throw new ConfigError('--mix', `"${part}": expected <operation>=<weight>`);
    mix[name] = { ...base[name], weight: parseNumber(weight, `--mix ${name}`) };
  }
  if (Object.values(mix).every((s) => s.weight === 0)) throw new ConfigError('--mix', 'at least one operation needs a positive weight');
  return mix;
}

function parseStartAt(text: string, now: number): number | { alignMs: number } {
  if (text.startsWith('align:')) {
    const alignMs = parseDuration(text.slice(6), '--start-at');
    if (alignMs <= 0) throw new ConfigError('--start-at', 'alignment must be positive');
    return { alignMs };
  }
  const n = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(n)) throw new ConfigError('--start-at', `"${text}" is neither an ISO time, epoch ms nor align:<time>`);
  if (n < now - 60 * 60_000) throw new ConfigError('--start-at', `"${text}" is more than an hour in the past`);
  return n;
}

function parseShard(value: { shard?: string; shards?: string }, env: ArgsEnv): { index: number; count: number } {
  if (value.shard !== undefined && value.shards !== undefined) throw new ConfigError('--shard', 'give either --shard i/N or --shards N, not both');
  if (value.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(value.shard.trim());
    if (m === null) throw new ConfigError('--shard', `"${value.shard}": expected <index>/<count>, e.g. 0/4`);
    const index = Number(m[1]);
    const count = Number(m[2]);
    if (count < 1 || index >= count) throw new ConfigError('--shard', `"${value.shard}": index must be below count (0-based)`);
    return { index, count };
  }
  if (value.shards !== undefined) {
    const count = parseNumber(value.shards, '--shards', { integer: true, min: 1 });
    const raw = env.JOB_COMPLETION_INDEX;
    if (raw === undefined || raw === '') throw new ConfigError('--shards', 'JOB_COMPLETION_INDEX is not set (use --shard i/N outside an Indexed Job)');
    const index = parseNumber(raw, 'JOB_COMPLETION_INDEX', { integer: true });
    if (index >= count) throw new ConfigError('JOB_COMPLETION_INDEX', `${index} is not below --shards ${count}`);
    return { index, count };
  }
  return { index: 0, count: 1 };
}

/**
 * Parses command-line arguments (without `node` and the script) into a command. Reads the
 * scenario file if one is named. Throws {@link ConfigError} naming the bad flag or field.
 * @param now current epoch ms, used for the default tag and --start-at checks
 */
export function parseArgs(argv: readonly string[], env: ArgsEnv = {}, now = Date.now()): Command {
  if (argv[0] === 'merge') return parseMerge(argv.slice(1));
  let parsed;
  try {
    parsed = parseNodeArgs({ args: [...argv], options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ConfigError('arguments', (err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { command: 'help', text: HELP_TEXT };
  if (values.version === true) return { command: 'version' };
  if (positionals.length === 0) throw new ConfigError('<base-url>', 'missing target base URL (e.g. globeco-loadgen http://localhost:8000 --rate 100); see --help');
  if (positionals.length > 1) throw new ConfigError('<base-url>', `expected one target, got ${positionals.join(' ')}`);
  const target = parseUrl(positionals[0] as string, '<base-url>');
  const scenario: Scenario = values.scenario !== undefined ? loadScenarioFile(values.scenario) : {};

  const num = (flag: string, text: string | undefined, fallback: number | undefined, opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined =>
    text === undefined ? fallback : parseNumber(text, `--${flag}`, opts);
  const dur = (flag: string, text: string | undefined, fallback: number): number => (text === undefined ? fallback : parseDuration(text, `--${flag}`));

  const model: 'open' | 'closed' = values.closed === true ? 'closed' : (scenario.model ?? 'open');
  const rate = num('rate', values.rate, scenario.rate ?? 100) as number;
  const maxRequests = num('requests', values.requests, scenario.requests, { integer: true, min: 1 }) ?? Infinity;
  const flagStages = values.stage?.map((s) => parseStage(s));
  let stages = flagStages ?? scenarioStages(scenario);
  const durationGiven = values.duration !== undefined || scenario.duration !== undefined;
  let durationMs = values.duration !== undefined ? parseDuration(values.duration, '--duration') : scenario.duration !== undefined ? parseDuration(scenario.duration, 'scenario duration') : 30_000;
  if (stages === undefined || stages.length === 0) {
    if (!durationGiven && Number.isFinite(maxRequests)) {
      // a count-bounded run: long enough to send them all at the target rate
      if (model === 'open' && rate === 0) throw new ConfigError('--rate', 'must be positive for a run bounded by --requests');
      durationMs = model === 'open' ? (maxRequests / rate) * 1000 : 24 * 3_600_000;
    }
    if (durationMs <= 0) throw new ConfigError('--duration', 'must be positive');
    stages = [{ kind: 'hold', durationMs, rate }];
  } else {
    durationMs = stages.reduce((t, s) => t + s.durationMs, 0);
  }
  if (model === 'open' && stages.every((s) => (s.kind === 'hold' ? (s.rate ?? rate) === 0 : s.kind === 'sine' ? s.max === 0 : s.to === 0 && (s.kind !== 'ramp' || (s.from ?? rate) === 0)))) {
    throw new ConfigError('--rate', 'the load profile never rises above 0 req/s');
  }

  let mix = values.mix !== undefined ? parseMix(values.mix, DEFAULT_MIX) : (scenarioMix(scenario) ?? { ...DEFAULT_MIX });
  const bulkSize = num('bulk-size', values['bulk-size'], undefined, { integer: true, min: 1, max: 100 });
  if (bulkSize !== undefined) {
    mix = { ...mix };
    if (mix.bulk) mix.bulk = { ...mix.bulk, size: bulkSize };
    if (mix.fastBulk) mix.fastBulk = { ...mix.fastBulk, size: bulkSize };
  }
  if (values['search-mode'] !== undefined) {
    const m = values['search-mode'];
    if (m !== 'exact' && m !== 'like' && m !== 'mixed') throw new ConfigError('--search-mode', `"${m}": expected exact, like or mixed`);
    if (mix.search) mix = { ...mix, search: { ...mix.search, mode: m } };
  }

  const intervalMs = dur('interval', values.interval, 1000);
  if (intervalMs < 1000 || intervalMs > 5000) throw new ConfigError('--interval', 'must be between 1s and 5s');
  const progress = values.progress ?? 'auto';
  if (progress !== 'auto' && progress !== 'tty' && progress !== 'plain' && progress !== 'none') throw new ConfigError('--progress', `"${progress}": expected auto, tty, plain or none`);
  const thresholds = [...(scenario.thresholds ?? []), ...(values.threshold ?? [])];
  thresholds.forEach((t) => parseThreshold(t));
  const maxInFlight = num('max-in-flight', values['max-in-flight'], scenario.maxInFlight ?? 1000, { integer: true, min: 1 }) as number;
  const tag = values.tag ?? now.toString(36);
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(tag)) throw new ConfigError('--tag', 'letters, digits, - and _ only (≤ 40)');

  const options: Options = {
    target,
    model,
    rate,
    durationMs,
    stages,
    maxRequests,
    concurrency: num('concurrency', values.concurrency, scenario.concurrency ?? 10, { integer: true, min: 1 }) as number,
    maxInFlight,
    maxLagMs: dur('max-lag', values['max-lag'], 10_000),
    lateMs: dur('late', values.late, 10),
    workers: num('workers', values.workers, scenario.workers ?? 1, { integer: true, min: 1, max: 64 }) as number,
    connections: num('connections', values.connections, scenario.connections ?? 64, { integer: true, min: 1 }) as number,
    connectionTtlMs: dur('connection-ttl', values['connection-ttl'], 0),
    warmup: num('warmup', values.warmup, 200, { integer: true }) as number,
    timeoutMs: dur('timeout', values.timeout, 30_000),
    intervalMs,
    seed: num('seed', values.seed, scenario.seed ?? 1, { integer: true, min: -(2 ** 31) }) as number,
    mix,
    setup: {
      portfolios: num('setup', values.setup, scenario.setup?.portfolios ?? 200, { integer: true }) as number,
      bulkSize: bulkSize ?? scenario.setup?.bulkSize ?? 50,
    },
    cleanup: values.cleanup ?? scenario.cleanup ?? false,
    tag,
    thresholds,
    shard: parseShard(values, env),
    deployment: values.deployment ?? 'globeco-portfolio-service',
    namespace: values.namespace ?? 'globeco',
    progress,
  };
  if (values.json !== undefined) options.json = values.json;
  if (values.html !== undefined) options.html = values.html;
  if (values.intervals !== undefined) options.intervals = values.intervals;
  if (values['start-at'] !== undefined) options.startAt = parseStartAt(values['start-at'], now);
  if (values['metrics-url'] !== undefined) options.metricsUrl = parseUrl(values['metrics-url'], '--metrics-url');
  if (values.prometheus !== undefined) options.prometheusUrl = parseUrl(values.prometheus, '--prometheus');
  return { command: 'run', options };
}

function parseMerge(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseNodeArgs({
      args: [...argv],
      options: { json: { type: 'string' }, html: { type: 'string' }, threshold: { type: 'string', multiple: true, short: 't' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new ConfigError('merge arguments', (err as Error).message);
  }
  if (parsed.values.help === true) return { command: 'help', text: HELP_TEXT };
  if (parsed.positionals.length === 0) throw new ConfigError('merge', 'name at least one report file (globeco-loadgen merge a.json b.json --json all.json)');
  const thresholds = parsed.values.threshold ?? [];
  thresholds.forEach((t) => parseThreshold(t));
  const options: MergeOptions = { files: parsed.positionals, thresholds };
  if (parsed.values.json !== undefined) options.json = parsed.values.json;
  if (parsed.values.html !== undefined) options.html = parsed.values.html;
  return { command: 'merge', options };
}
