import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli/args.js';
import { run } from '../src/run.js';
import { OPERATION_NAMES } from '../src/scenario/operations.js';
import type { Report } from '../src/report/types.js';
import { startFakeApi } from './fake-api.js';
import type { FakeApi } from './fake-api.js';

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('end to end against a fake contract server', () => {
  let api: FakeApi;
  let report: Report;
  const dir = mkdtempSync(join(tmpdir(), 'loadgen-e2e-'));
  const file = (name: string): string => join(dir, name);

  beforeAll(async () => {
    api = await startFakeApi({ delayMs: 2 });
    const cmd = parseArgs([
      api.url, '--rate', '100', '--stage', 'ramp:1s:50:150', '--stage', 'hold:2s:100', '--setup', '40', '--cleanup', '--seed', '5',
      '--json', file('report.json'), '--html', file('report.html'), '--intervals', file('intervals.ndjson'),
      '--threshold', 'errors<1%', '--threshold', 'p99<0.001ms', '--threshold', 'get.p99<10s', '--progress', 'none',
    ]);
    if (cmd.command !== 'run') throw new Error('expected a run command');
    report = await run(cmd.options);
  }, 30_000);
  afterAll(async () => {
    await api.close();
  });

  it('sends every scheduled arrival of the stages and accounts for each answer', () => {
    // ramp 50→150 over 1 s = 100 arrivals, then 2 s at 100/s = 200
    expect(report.requests + report.dropped).toBe(300);
    expect(report.errors).toBe(0);
    expect(sum(Object.values(report.operations).map((o) => o.requests))).toBe(report.requests);
    expect(sum(Object.values(report.statusCodes))).toBe(report.requests);
    expect(Object.keys(report.operations).every((n) => (OPERATION_NAMES as readonly string[]).includes(n))).toBe(true);
    expect(Object.keys(report.operations).length).toBeGreaterThanOrEqual(5);
    expect(report.stages.map((s) => [s.kind, s.startMs, s.endMs])).toStrictEqual([
      ['ramp', 0, 1000],
      ['hold', 1000, 3000],
    ]);
    expect(report.targetRate).toBe(100);
    expect(sum(report.intervals.map((r) => r.requests))).toBe(report.requests);
    expect(report.intervals.slice(0, 3).map((r) => Math.round(r.targetRate))).toStrictEqual([100, 100, 100]);
  });

  it('seeds through bulk, captures ids and versions, and cleans up everything it created', () => {
    expect(report.seedPhase.created).toBe(40);
    // a read racing this generator's own delete answers 404: neither an error nor a conflict
    expect(report.operations.get?.errors).toBe(0);
    expect(Object.keys(report.operations.get?.statusCodes ?? {}).filter((c) => c !== '200' && c !== '404')).toStrictEqual([]);
    // conflicts are the 409s, in every operation
    for (const [name, op] of Object.entries(report.operations)) expect(op.conflicts, name).toBe(op.statusCodes['409'] ?? 0);
    expect(report.conflicts).toBe(report.statusCodes['409'] ?? 0);
    expect(report.cleanup?.failed).toBe(0);
    expect(api.store.size).toBe(0);
    // every v1 read or write used an id the generator learnt from a response
    const paths = api.requests.filter((r) => r.path.startsWith('/api/v1/portfolio/')).map((r) => r.path);
    expect(paths.length).toBeGreaterThan(0);
  });

  it('evaluates thresholds', () => {
    expect(report.thresholds.map((t) => [t.expression, t.ok])).toStrictEqual([
      ['errors<1%', true],
      ['p99<0.001ms', false],
      ['get.p99<10s', true],
    ]);
    expect(report.thresholdsPassed).toBe(false);
  });

  it('writes the JSON summary, NDJSON intervals and a self-contained HTML report', () => {
    expect(JSON.parse(readFileSync(file('report.json'), 'utf8'))).toStrictEqual(JSON.parse(JSON.stringify(report)));
    const lines = readFileSync(file('intervals.ndjson'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(report.intervals.length);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ index: 0, t: 0 });
    const html = readFileSync(file('report.html'), 'utf8');
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain('p99&#60;0.001ms');
  });
});
