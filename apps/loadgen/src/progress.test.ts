import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';
import type { IntervalRow } from './report/types.js';

const row = (index: number): IntervalRow => ({
  index, t: index, targetRate: 200, sentRate: 200, achievedRate: 198, requests: 198, errors: 2, conflicts: 0, late: 1, lateGenerator: 0, dropped: 0, inFlight: 7, stage: 0,
  latency: { p50: 3, p90: 9, p99: 23.44, max: 40 }, serviceTime: { p50: 3, p90: 9, p99: 20, max: 40 }, operations: {}, generator: { elu: 0, lagP99Ms: 0, lagMaxMs: 0 }, histograms: { latency: '', serviceTime: '' },
});

function sink(isTTY: boolean): { out: string[]; write(s: string): void; isTTY: boolean } {
  const out: string[] = [];
  return { out, isTTY, write: (s) => out.push(s) };
}

describe('createProgress', () => {
  it('rewrites one line on a TTY', () => {
    const s = sink(true);
    const p = createProgress('auto', s, 60, 1000);
    p.update(row(0), 'ramp 60s →200');
    p.update(row(1), 'ramp 60s →200');
    p.done();
    expect(s.out).toStrictEqual([
      '\r\x1b[2K[1s/60s] ramp 60s →200 | target 200/s achieved 198/s | in-flight 7 | p99 23.4ms | errors 2 (1.01%) | late 1 dropped 0',
      '\r\x1b[2K[2s/60s] ramp 60s →200 | target 200/s achieved 198/s | in-flight 7 | p99 23.4ms | errors 2 (1.01%) | late 1 dropped 0',
      '\n',
    ]);
  });

  it('prints a plain line every 5 s otherwise, and warnings on their own line', () => {
    const s = sink(false);
    const p = createProgress('auto', s, 60, 1000);
    for (let i = 0; i < 11; i++) p.update(row(i), 'hold');
    p.warn('slow');
    expect(s.out.map((l) => l.slice(0, 9))).toStrictEqual(['[1s/60s] ', '[6s/60s] ', '[11s/60s]', 'warning: ']);
  });
});
