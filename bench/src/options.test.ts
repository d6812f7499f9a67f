import { describe, expect, it } from 'vitest';
import { BenchArgsError, parseBenchArgs } from './options.js';

describe('parseBenchArgs', () => {
  it('fills the full-run defaults', () => {
    expect(parseBenchArgs([], '/r')).toStrictEqual({
      quick: false,
      rounds: 7,
      slotMs: 10_000,
      warmupMs: 5000,
      connections: 50,
      searchSizes: [10_000, 100_000],
      searchMs: 10_000,
      loadgenMs: 20_000,
      memoryMs: 180_000,
      mixMs: 10_000,
      profile: false,
      profileMs: 15_000,
      skipLoadgen: false,
      outDir: '/r',
      steps: ['overhead', 'reference', 'bulk', 'compression', 'latency', 'mix', 'memory', 'search', 'startup'],
    });
  });

  it('shortens everything in quick mode and lets flags override it (pnpm passes a bare --)', () => {
    expect(parseBenchArgs(['--', '--quick', '--rounds', '2', '--search-sizes', '100,200', '--profile', '--out', 'x'], '/r')).toStrictEqual({
      quick: true,
      rounds: 2,
      slotMs: 2000,
      warmupMs: 1000,
      connections: 50,
      searchSizes: [100, 200],
      searchMs: 2000,
      loadgenMs: 4000,
      memoryMs: 10_000,
      mixMs: 3000,
      profile: true,
      profileMs: 4000,
      skipLoadgen: false,
      outDir: 'x',
      steps: ['overhead', 'reference', 'bulk', 'compression', 'profile', 'latency', 'mix', 'memory', 'search', 'startup'],
    });
  });

  it('runs only the listed steps, in run order, and drops the loadgen steps with --skip-loadgen', () => {
    expect(parseBenchArgs(['--only', 'search,overhead'], '/r').steps).toStrictEqual(['overhead', 'search']);
    expect(parseBenchArgs(['--skip-loadgen'], '/r').steps).toStrictEqual(['overhead', 'reference', 'bulk', 'compression', 'memory', 'search', 'startup']);
    expect(() => parseBenchArgs(['--only', 'overhead,warp'], '/r')).toThrow('--only: unknown step "warp"');
  });

  it('takes a baseline build to measure beside this one', () => {
    expect(parseBenchArgs(['--baseline', '/old/apps/api/dist/main.js'], '/r').baselineMain).toBe('/old/apps/api/dist/main.js');
    expect('baselineMain' in parseBenchArgs([], '/r')).toBe(false);
  });

  it('rejects bad values naming the flag', () => {
    expect(() => parseBenchArgs(['--rounds', '1.5'], '/r')).toThrow(new BenchArgsError('--rounds must be a positive integer, got "1.5"'));
    expect(() => parseBenchArgs(['--slot', 'ten'], '/r')).toThrow('--slot must be a positive number, got "ten"');
    expect(() => parseBenchArgs(['--nope'], '/r')).toThrow(BenchArgsError);
    const help = ((): unknown => {
      try {
        return parseBenchArgs(['--help'], '/r');
      } catch (error) {
        return error;
      }
    })();
    expect(help).toBeInstanceOf(BenchArgsError);
    expect((help as BenchArgsError).exitCode).toBe(0);
    expect((help as BenchArgsError).message).toMatch(/^usage: pnpm bench/);
    // each flag is described once
    const described = (help as BenchArgsError).message.split('\n').map((line) => /^\s+(--[a-z-]+)/.exec(line)?.[1]).filter((flag) => flag !== undefined);
    expect(described.length).toBeGreaterThan(5);
    expect(new Set(described).size).toBe(described.length);
  });
});
