import { describe, expect, it } from 'vitest';
import { createRateProfile, parseStage } from './stages.js';
import type { Stage } from './stages.js';

const close = (a: number, b: number, eps = 1e-6): void => expect(Math.abs(a - b)).toBeLessThan(eps);

describe('createRateProfile', () => {
  it('holds a constant rate and inverts arrivals exactly', () => {
    const p = createRateProfile([{ kind: 'hold', durationMs: 2000, rate: 100 }]);
    expect(p.durationMs).toBe(2000);
    expect(p.rateAt(500)).toBe(100);
    expect(p.rateAt(2000)).toBe(0);
    expect(p.arrivalsUntil(1000)).toBe(100);
    close(p.timeOfArrival(0.5), 5);
    close(p.timeOfArrival(150.5), 1505);
    expect(p.timeOfArrival(200.5)).toBe(Infinity);
  });

  it('ramps linearly from the current rate, with a quadratic cumulative count', () => {
    const p = createRateProfile([{ kind: 'ramp', durationMs: 10_000, to: 100 }], 0);
    close(p.rateAt(5000), 50);
    // ∫0^5s 10t dt = 125 arrivals
    close(p.arrivalsUntil(5000), 125);
    close(p.arrivalsUntil(10_000), 500);
    close(p.timeOfArrival(125), 5000, 1e-6);
    close(p.timeOfArrival(500), 10_000, 1e-6);
  });

  it('runs stages in order: ramp, hold, step, spike returns to the previous rate, sine', () => {
    const stages: Stage[] = [
      { kind: 'ramp', durationMs: 1000, from: 0, to: 100 },
      { kind: 'hold', durationMs: 1000 },
      { kind: 'step', durationMs: 2000, to: 300, steps: 2 },
      { kind: 'spike', durationMs: 500, to: 1000 },
      { kind: 'hold', durationMs: 500 },
      { kind: 'sine', durationMs: 4000, min: 100, max: 300, periodMs: 2000 },
    ];
    const p = createRateProfile(stages, 50);
    expect(p.durationMs).toBe(9000);
    expect([p.rateAt(500), p.rateAt(1500), p.rateAt(2500), p.rateAt(3500), p.rateAt(4200), p.rateAt(4700)]).toStrictEqual([50, 100, 200, 300, 1000, 300]);
    close(p.rateAt(5000), 100);
    close(p.rateAt(6000), 300);
    close(p.rateAt(7000), 100);
    expect(p.marks.map((m) => [m.kind, m.startMs, m.endMs])).toStrictEqual([
      ['ramp', 0, 1000],
      ['hold', 1000, 2000],
      ['step', 2000, 4000],
      ['spike', 4000, 4500],
      ['hold', 4500, 5000],
      ['sine', 5000, 9000],
    ]);
    // ramp 50 + hold 100 + step 200+300 + spike 500 + hold 150 + sine 2 periods at mean 200 = 1600
    close(p.arrivalsUntil(9000), 50 + 100 + 500 + 500 + 150 + 800);
    expect(p.stageAt(4600)).toBe(4);
  });

  it('inverts every kind of stage consistently (Λ(t(n)) = n, t monotone)', () => {
    const p = createRateProfile([
      { kind: 'ramp', durationMs: 3000, to: 400 },
      { kind: 'sine', durationMs: 3000, min: 0, max: 500, periodMs: 1500 },
      { kind: 'hold', durationMs: 1000, rate: 0 },
      { kind: 'step', durationMs: 1000, to: 250, steps: 5 },
    ]);
    let prev = -1;
    const total = p.arrivalsUntil(p.durationMs);
    for (let n = 0.5; n < total; n += 7) {
      const t = p.timeOfArrival(n);
      expect(t).toBeGreaterThan(prev);
      close(p.arrivalsUntil(t), n, 1e-6);
      expect(t < 6000 || t >= 7000).toBe(true); // never inside the zero-rate hold
      prev = t;
    }
  });
});

describe('parseStage', () => {
  it('parses every stage form', () => {
    expect(['hold:30s', 'hold:1m:200', 'ramp:30s:500', 'ramp:30s:100:500', 'step:2m:1000:4', 'spike:20s:2000', 'sine:5m:100:500:60s'].map((s) => parseStage(s))).toStrictEqual([
      { kind: 'hold', durationMs: 30_000 },
      { kind: 'hold', durationMs: 60_000, rate: 200 },
      { kind: 'ramp', durationMs: 30_000, to: 500 },
      { kind: 'ramp', durationMs: 30_000, from: 100, to: 500 },
      { kind: 'step', durationMs: 120_000, to: 1000, steps: 4 },
      { kind: 'spike', durationMs: 20_000, to: 2000 },
      { kind: 'sine', durationMs: 300_000, min: 100, max: 500, periodMs: 60_000 },
    ]);
  });

  it('names the problem in bad stages', () => {
    expect(() => parseStage('jump:10s:5')).toThrow('unknown stage kind "jump"');
    expect(() => parseStage('ramp:10x:5')).toThrow('invalid duration "10x"');
    expect(() => parseStage('step:10s:5:0')).toThrow('steps must be a positive integer');
    expect(() => parseStage('sine:10s:500:100:5s')).toThrow('max must be ≥ min');
    expect(() => parseStage('ramp:10s')).toThrow('ramp takes to');
  });
});
