import { describe, expect, it } from 'vitest';
import { MAX_DATE_TIME, MIN_DATE_TIME, isInDateRange, isValidName, normalizeName, parseDateTime } from './rules.js';

describe('name rule', () => {
  it.each([
    ['a', true],
    ['Growth Fund-2024_x', true],
    ['  padded  ', true],
    ['x'.repeat(200), true],
    [`  ${'x'.repeat(200)}\t`, true],
    ['x'.repeat(201), false],
    ['', false],
    ['   ', false],
    ['a.b', false],
    ['a$b', false],
    ['(.*)', false],
    ['café', false],
    ['a\tb', false],
  ])('%j → %s', (name, valid) => {
    expect(isValidName(name)).toBe(valid);
  });

  it('normalizes by trimming and lower-casing', () => {
    expect(normalizeName('  Growth FUND ')).toBe('growth fund');
  });
});

describe('parseDateTime', () => {
  it.each([
    ['2024-01-15T10:30:00Z', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15T10:30:00', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15T10:30:00.123456', '2024-01-15T10:30:00.123Z'],
    ['2024-01-15T12:30:00+02:00', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15T05:00:00-0530', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15 10:30', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15', '2024-01-15T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    // Years below 100 are read as written (Date.UTC would make 0001 into 1901).
    ['0001-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z'],
    ['0001-01-01', '0001-01-01T00:00:00.000Z'],
    ['0042-07-04T12:34:56.789Z', '0042-07-04T12:34:56.789Z'],
    ['0099-12-31T23:59:59.999Z', '0099-12-31T23:59:59.999Z'],
    ['0004-02-29T00:00:00Z', '0004-02-29T00:00:00.000Z'],
    ['0100-03-01T01:00:00+01:00', '0100-03-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each(['0003-02-29', '0100-02-29', '2024-02-31T00:00:00Z', '2023-02-29', '2024-13-01', '2024-01-15T24:00:00Z', '2024-01-15T10:30:00+25:00', 'yesterday', '15/01/2024', ''])(
    'rejects %j',
    (text) => {
      expect(parseDateTime(text)).toBeUndefined();
    },
  );
});

describe('isInDateRange', () => {
  it('accepts every instant of years 0001-9999 UTC and nothing outside', () => {
    expect([MIN_DATE_TIME.toISOString(), MAX_DATE_TIME.toISOString()]).toStrictEqual(['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']);
    expect(isInDateRange(MIN_DATE_TIME)).toBe(true);
    expect(isInDateRange(MAX_DATE_TIME)).toBe(true);
    expect(isInDateRange(new Date(MIN_DATE_TIME.getTime() - 1))).toBe(false);
    expect(isInDateRange(new Date(MAX_DATE_TIME.getTime() + 1))).toBe(false);
    // An offset can carry a local year-1 time into year 0, and a local 9999 into 10000.
    expect(isInDateRange(parseDateTime('0001-01-01T00:30:00+01:00')!)).toBe(false);
    expect(isInDateRange(parseDateTime('9999-12-31T23:30:00-01:00')!)).toBe(false);
    expect(isInDateRange(parseDateTime('0000-12-31T23:59:59.999Z')!)).toBe(false);
  });
});
