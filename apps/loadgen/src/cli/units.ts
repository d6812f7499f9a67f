import { ConfigError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration such as `250ms`, `30s`, `5m`, `1h30m` or a plain number of seconds into milliseconds.
 * @param field name of the flag or field, used in the error message
 */
export function parseDuration(value: string | number, field: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new ConfigError(field, `expected a non-negative duration, got ${value}`);
    return value * 1000;
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new ConfigError(field, `invalid duration "${value}" (use e.g. 500ms, 30s, 5m, 1h30m)`);
  }
  return total;
}

/**
 * Parses a non-negative number (optionally an integer) from a flag value.
 * @param field name of the flag, used in the error message
 */
export function parseNumber(value: string | number, field: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number {
  const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n)) throw new ConfigError(field, `expected a number, got "${value}"`);
  if (opts.integer === true && !Number.isInteger(n)) throw new ConfigError(field, `expected an integer, got "${value}"`);
  const min = opts.min ?? 0;
  if (n < min) throw new ConfigError(field, `must be at least ${min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new ConfigError(field, `must be at most ${opts.max}, got ${n}`);
  return n;
}
