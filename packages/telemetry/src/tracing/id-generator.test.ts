import { describe, expect, it } from 'vitest';
import { createIdGenerator } from './id-generator.js';

describe('createIdGenerator', () => {
  it('makes lower-case hex ids of 32 and 16 characters that differ from call to call', () => {
    const ids = createIdGenerator();
    const traceIds = new Set(Array.from({ length: 1000 }, () => ids.generateTraceId()));
    const spanIds = new Set(Array.from({ length: 1000 }, () => ids.generateSpanId()));
    expect([traceIds.size, spanIds.size]).toStrictEqual([1000, 1000]);
    expect([...traceIds].every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
    expect([...spanIds].every((id) => /^[0-9a-f]{16}$/.test(id) && id !== '0000000000000000')).toBe(true);
  });

  it('uses every hex digit in every position (no fixed or truncated bytes)', () => {
    const ids = createIdGenerator();
    const digits = Array.from({ length: 32 }, () => new Set<string>());
    for (let i = 0; i < 2000; i += 1) [...ids.generateTraceId()].forEach((c, p) => digits[p]?.add(c));
    expect(digits.map((d) => d.size)).toStrictEqual(Array.from({ length: 32 }, () => 16));
  });
});
