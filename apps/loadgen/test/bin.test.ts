import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CONFIG_ERROR, EXIT_GENERATOR_SATURATED, EXIT_OK, EXIT_THRESHOLD_FAILED } from '../src/errors.js';
import { exitCodeOf } from '../src/run.js';
import { reportFixture } from './fixtures.js';
import { startFakeApi } from './fake-api.js';
import type { FakeApi } from './fake-api.js';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('exit codes', () => {
  it('maps a report to its exit code, saturation first', () => {
    const gen = reportFixture().generator;
    expect([
      exitCodeOf(reportFixture()),
      exitCodeOf(reportFixture({ thresholdsPassed: false })),
      exitCodeOf(reportFixture({ generator: { ...gen, saturated: true } })),
      exitCodeOf(reportFixture({ thresholdsPassed: false, generator: { ...gen, saturated: true } })),
    ]).toStrictEqual([EXIT_OK, EXIT_THRESHOLD_FAILED, EXIT_GENERATOR_SATURATED, EXIT_GENERATOR_SATURATED]);
  });
});

describe('globeco-loadgen binary', { timeout: 30_000 }, () => {
  let api: FakeApi;
  const dir = mkdtempSync(join(tmpdir(), 'loadgen-bin-'));
  beforeAll(async () => {
    api = await startFakeApi({ delayMs: 1 });
  });
  afterAll(async () => {
    await api.close();
  });

  it('prints the manual', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('EXIT CODES');
    expect(r.stdout).toContain('--threshold <expr>');
  });

  it('exits 2 with one line naming the bad flag', async () => {
    const r = await cli([api.url, '--rate', 'lots']);
    expect([r.code, r.stderr]).toStrictEqual([EXIT_CONFIG_ERROR, 'globeco-loadgen: --rate: expected a number, got "lots"\n']);
  });

  it('exits 2 for --shards outside an Indexed Job and runs shard i with JOB_COMPLETION_INDEX', async () => {
    expect((await cli([api.url, '--shards', '2'])).code).toBe(EXIT_CONFIG_ERROR);
    const out = join(dir, 'job.json');
    const r = await cli([api.url, '--shards', '2', '--rate', '20', '--duration', '1s', '--setup', '0', '--mix', 'list=1', '--json', out, '--progress', 'plain'], { JOB_COMPLETION_INDEX: '1' });
    expect(r.code).toBe(EXIT_OK);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { shard: unknown; requests: number; dropped: number };
    expect([report.shard, report.requests + report.dropped]).toStrictEqual([{ index: 1, count: 2 }, 10]);
  });

  it('ends with the summary: a table per operation and what setup and cleanup did', async () => {
    const out = join(dir, 'summary.json');
    const r = await cli([api.url, '--rate', '20', '--duration', '1s', '--setup', '10', '--cleanup', '--mix', 'get=1,create=1', '--seed', '3', '--json', out, '--progress', 'none']);
    expect(r.code).toBe(EXIT_OK);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { requests: number; operations: Record<string, { requests: number; statusCodes: Record<string, number> }> };
    const lines = r.stderr.trimEnd().split('\n');
    const table = lines.slice(lines.findIndex((l) => l.startsWith('operation (ms)')));
    expect(table[0]).toMatch(/^operation \(ms\) +requests +errors +conflicts +p50 +p90 +p99 +max +service p99$/);
    const rows = table.slice(1, 1 + 1 + Object.keys(report.operations).length).map((l) => l.split(/ +/));
    expect(rows.map((cells) => [cells[0], Number(cells[1]), cells.length])).toStrictEqual([
      ['all', report.requests, 9],
      ...Object.entries(report.operations).map(([name, op]) => [name, op.requests, 9]),
    ]);
    const created = 10 + (report.operations.create?.statusCodes['201'] ?? 0);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^setup created 10 portfolios in \\d+ ms; cleanup deleted ${created}, failed 0$`)));
  });

  it('exits 3 when a threshold fails, and merge re-evaluates on the whole', async () => {
    const a = join(dir, 'a.json');
    const r = await cli([api.url, '--rate', '20', '--duration', '1s', '--setup', '0', '--mix', 'list=1', '--json', a, '--threshold', 'p99<1us', '--progress', 'none']);
    expect(r.code).toBe(EXIT_THRESHOLD_FAILED);
    expect(r.stderr).toContain('threshold FAIL p99<1us');
    const m = await cli(['merge', a, a, '--json', join(dir, 'merged.json'), '--threshold', 'p99<60s']);
    expect(m.code).toBe(EXIT_OK);
    const merged = JSON.parse(readFileSync(join(dir, 'merged.json'), 'utf8')) as { shardsMerged: number; requests: number };
    const single = JSON.parse(readFileSync(a, 'utf8')) as { requests: number };
    expect([merged.shardsMerged, merged.requests]).toStrictEqual([2, single.requests * 2]);
  });
});
