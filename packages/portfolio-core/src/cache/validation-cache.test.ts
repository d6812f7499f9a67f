import { describe, expect, it } from 'vitest';
import { createValidationCache } from './validation-cache.js';

describe('validation cache', () => {
  it('answers verdicts and counts hits and misses', () => {
    const cache = createValidationCache({ maxSize: 2 });
    expect([cache.isValidName('ok'), cache.isValidName('bad$'), cache.isValidName('ok'), cache.isValidName('bad$')]).toStrictEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(cache.stats()).toStrictEqual({ hits: 2, misses: 2, size: 2, maxSize: 2, hitRatio: 0.5 });
  });

  it('evicts least recently used entries beyond its size', () => {
    const cache = createValidationCache({ maxSize: 1 });
    cache.isValidName('a');
    cache.isValidName('b');
    cache.isValidName('c');
    cache.isValidName('a');
    expect(cache.stats().hits).toBe(0);
    expect(cache.stats().misses).toBe(4);
  });

  it('does not cache very long inputs', () => {
    const cache = createValidationCache();
    const long = 'x'.repeat(1000);
    expect([cache.isValidName(long), cache.isValidName(long)]).toStrictEqual([false, false]);
    expect(cache.stats()).toStrictEqual({ hits: 0, misses: 2, size: 0, maxSize: 1000, hitRatio: 0 });
  });

  it('clears entries and counters', () => {
    const cache = createValidationCache();
    cache.isValidName('a');
    cache.isValidName('a');
    cache.clear();
    expect(cache.stats()).toStrictEqual({ hits: 0, misses: 0, size: 0, maxSize: 1000, hitRatio: 0 });
  });

  it('rejects a bad size', () => {
    expect(() => createValidationCache({ maxSize: 0 })).toThrow('Validation cache maxSize must be a positive integer, got 0');
  });
});
