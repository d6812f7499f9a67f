import { describe, expect, it } from 'vitest';
import { isValidName, normalizeName, parseDateTime } from './rules.js';

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
  ])('%s → %s', (text, iso) => {
    expect(parseDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each(['2024-02-31T00:00:00Z', '2023-02-29', '2024-13-01', '2024-01-15T24:00:00Z', '2024-01-15T10:30:00+25:00', 'yesterday', '15/01/2024', ''])(
    'rejects %j',
    (text) => {
      expect(parseDateTime(text)).toBeUndefined();
    },
  );
});
