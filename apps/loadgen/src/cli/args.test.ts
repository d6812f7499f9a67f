import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIX } from '../scenario/resolve.js';
import { parseArgs } from './args.js';
import type { Options } from './args.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const runOptions = (argv: string[], env = {}): Options => {
  const c = parseArgs(argv, env, NOW);
  if (c.command !== 'run') throw new Error(`expected run, got ${c.command}`);
  return c.options;
};
const dir = mkdtempSync(join(tmpdir(), 'loadgen-args-'));

describe('parseArgs', () => {
  it('fills every default from a bare target', () => {
    expect(runOptions(['http://localhost:8000/'])).toStrictEqual({
      target: 'http://localhost:8000',
      model: 'open',
      rate: 100,
      durationMs: 30_000,
      stages: [{ kind: 'hold', durationMs: 30_000, rate: 100 }],
      maxRequests: Infinity,
      concurrency: 10,
      maxInFlight: 1000,
      maxLagMs: 10_000,
      lateMs: 10,
      workers: 1,
      connections: 64,
      connectionTtlMs: 0,
      warmup: 200,
      timeoutMs: 30_000,
      intervalMs: 1000,
      seed: 1,
      mix: DEFAULT_MIX,
      setup: { portfolios: 200, bulkSize: 50 },
      cleanup: false,
      tag: NOW.toString(36),
      thresholds: [],
      shard: { index: 0, count: 1 },
      deployment: 'globeco-portfolio-service',
      namespace: 'globeco',
      progress: 'auto',
    });
  });

  it('reads flags: rate, stages, mix, outputs, thresholds, shard and start time', () => {
    const o = runOptions([
      'http://svc:8000', '--rate', '50', '--stage', 'ramp:10s:200', '--stage', 'hold:20s', '--mix', 'get=3,update=1', '--bulk-size', '20',
      '--json', 'out/r.json', '--html', 'out/r.html', '--intervals', 'out/r.csv', '-t', 'p99<250ms', '--threshold', 'errors<1%',
      '--shard', '1/4', '--start-at', 'align:30s', '--workers', '2', '--cleanup', '--seed', '42',
    ]);
    expect({ stages: o.stages, durationMs: o.durationMs, mix: o.mix, thresholds: o.thresholds, shard: o.shard, startAt: o.startAt, json: o.json, html: o.html, intervals: o.intervals, workers: o.workers, cleanup: o.cleanup, seed: o.seed, rate: o.rate }).toStrictEqual({
      stages: [
        { kind: 'ramp', durationMs: 10_000, to: 200 },
        { kind: 'hold', durationMs: 20_000 },
      ],
      durationMs: 30_000,
      mix: { get: { weight: 3 }, update: { weight: 1 } },
      thresholds: ['p99<250ms', 'errors<1%'],
      shard: { index: 1, count: 4 },
      startAt: { alignMs: 30_000 },
      json: 'out/r.json',
      html: 'out/r.html',
      intervals: 'out/r.csv',
      workers: 2,
      cleanup: true,
      seed: 42,
      rate: 50,
    });
  });

  it('bounds a run by request count at the target rate', () => {
    const o = runOptions(['http://x', '--rate', '200', '--requests', '1000']);
    expect([o.maxRequests, o.durationMs, o.stages]).toStrictEqual([1000, 5000, [{ kind: 'hold', durationMs: 5000, rate: 200 }]]);
  });

  it('takes the shard index from JOB_COMPLETION_INDEX with --shards', () => {
    expect(runOptions(['http://x', '--shards', '3'], { JOB_COMPLETION_INDEX: '2' }).shard).toStrictEqual({ index: 2, count: 3 });
    expect(() => runOptions(['http://x', '--shards', '3'])).toThrow('JOB_COMPLETION_INDEX is not set');
    expect(() => runOptions(['http://x', '--shards', '3'], { JOB_COMPLETION_INDEX: '3' })).toThrow('JOB_COMPLETION_INDEX: 3 is not below --shards 3');
  });

  it('loads a YAML scenario and lets flags override it', () => {
    const file = join(dir, 'scenario.yaml');
    writeFileSync(
      file,
      ['seed: 7', 'rate: 20', 'stages:', '  - { kind: ramp, duration: 5s, to: 100 }', '  - "hold:5s"', 'operations:', '  get: 4', '  search: { weight: 1, mode: like, limit: 20 }', 'setup: { portfolios: 10, bulkSize: 5 }', 'thresholds: ["p99<1s"]'].join('\n'),
    );
    const o = runOptions(['http://x', '--scenario', file, '--seed', '9', '-t', 'errors<1%']);
    expect({ seed: o.seed, rate: o.rate, stages: o.stages, mix: o.mix, setup: o.setup, thresholds: o.thresholds }).toStrictEqual({
      seed: 9,
      rate: 20,
      stages: [
        { kind: 'ramp', durationMs: 5000, to: 100 },
        { kind: 'hold', durationMs: 5000 },
      ],
      mix: { get: { weight: 4 }, search: { weight: 1, mode: 'like', limit: 20 } },
      setup: { portfolios: 10, bulkSize: 5 },
      thresholds: ['p99<1s', 'errors<1%'],
    });
  });

  it('names the bad field of an invalid scenario file', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ stages: [{ kind: 'ramp', duration: '5s', to: -1 }] }));
    expect(() => runOptions(['http://x', '--scenario', file])).toThrow(`${file}: stages.0`);
    writeFileSync(file, JSON.stringify({ operations: { get: { weight: 1, size: 500 } } }));
    expect(() => runOptions(['http://x', '--scenario', file])).toThrow(`${file}: operations.get.size: Invalid value: Expected <=100 but received 500`);
    writeFileSync(file, JSON.stringify({ rate: 5, bogus: 1 }));
    expect(() => runOptions(['http://x', '--scenario', file])).toThrow(`${file}: bogus`);
  });

  it('rejects bad flags with the flag named', () => {
    expect(() => runOptions([])).toThrow('<base-url>: missing target base URL');
    expect(() => runOptions(['localhost:8000x'])).toThrow('<base-url>');
    expect(() => runOptions(['http://x', '--rate', 'fast'])).toThrow('--rate: expected a number, got "fast"');
    expect(() => runOptions(['http://x', '--duration', '10 minutes'])).toThrow('--duration: invalid duration');
    expect(() => runOptions(['http://x', '--mix', 'fetch=1'])).toThrow('--mix: unknown operation "fetch"');
    expect(() => runOptions(['http://x', '--shard', '4/4'])).toThrow('--shard: "4/4": index must be below count');
    expect(() => runOptions(['http://x', '--interval', '10s'])).toThrow('--interval: must be between 1s and 5s');
    expect(() => runOptions(['http://x', '--threshold', 'p99<<1'])).toThrow('--threshold');
    expect(() => runOptions(['http://x', '--frobnicate'])).toThrow("arguments: Unknown option '--frobnicate'");
    expect(() => runOptions(['http://x', '--rate', '0'])).toThrow('never rises above 0 req/s');
  });

  it('recognises help, version and merge', () => {
    expect(parseArgs(['--help']).command).toBe('help');
    expect(parseArgs(['--version'])).toStrictEqual({ command: 'version' });
    expect(parseArgs(['merge', 'a.json', 'b.json', '--json', 'all.json', '-t', 'p99<1s'])).toStrictEqual({
      command: 'merge',
      options: { files: ['a.json', 'b.json'], json: 'all.json', thresholds: ['p99<1s'] },
    });
    expect(() => parseArgs(['merge'])).toThrow('name at least one report file');
  });
});
