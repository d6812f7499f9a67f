import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { portfolioJson } from './portfolio-json.js';
import type { Portfolio } from './types.js';

const portfolio = (over: Partial<Record<keyof Portfolio, unknown>> = {}): Portfolio =>
  ({ portfolioId: '6b11ac943fb1f22d8c0fe457', name: 'Growth', dateCreated: new Date('2024-01-15T10:30:00.000Z'), version: 1, ...over }) as Portfolio;

describe('portfolioJson', () => {
  it('writes the text JSON.stringify writes for any portfolio of the usual types', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f]{24}$/),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.date({ noInvalidDate: true }),
        fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        (portfolioId, name, dateCreated, version) => {
          const p: Portfolio = { portfolioId, name, dateCreated, version };
          expect(portfolioJson(p)).toBe(JSON.stringify(p));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['an invalid date', { dateCreated: new Date(Number.NaN) }],
    ['a version that is not finite', { version: Number.POSITIVE_INFINITY }],
    ['a missing name', { name: undefined }],
    ['a string date', { dateCreated: '2024-01-15' }],
  ])('falls back to JSON.stringify for %s', (_label, over) => {
    const p = portfolio(over);
    expect(portfolioJson(p)).toBe(JSON.stringify(p));
  });

  it('writes the four fields only, in their fixed order', () => {
    const p = { version: 3, extra: 'x', name: 'N', dateCreated: new Date(0), portfolioId: 'ab' } as unknown as Portfolio;
    expect(portfolioJson(p)).toBe('{"portfolioId":"ab","name":"N","dateCreated":"1970-01-01T00:00:00.000Z","version":3}');
  });
});
