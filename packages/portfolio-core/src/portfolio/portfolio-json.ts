import type { Portfolio } from './types.js';

const MS_PER_DAY = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * The JSON text of one portfolio as the API returns it: its four fields in their fixed order, the
 * same text `JSON.stringify` writes for a portfolio built by this library, without its generic walk
 * over the object and its `Date#toJSON` call (the date is written by {@link isoDateTime}). Fields of
 * other types (an invalid date, a version that is not a finite number) go through `JSON.stringify`
 * itself; other properties are not written.
 */
export function portfolioJson(portfolio: Portfolio): string {
  const { portfolioId, name, dateCreated, version } = portfolio;
  if (
    typeof portfolioId !== 'string' ||
    typeof name !== 'string' ||
    !(dateCreated instanceof Date) ||
    !Number.isFinite(dateCreated.getTime()) ||
    typeof version !== 'number' ||
    !Number.isFinite(version)
  ) {
    return JSON.stringify({ portfolioId, name, dateCreated, version });
  }
  return `{"portfolioId":${JSON.stringify(portfolioId)},"name":${JSON.stringify(name)},"dateCreated":"${isoDateTime(dateCreated.getTime())}","version":${version}}`;
}

/**
 * `new Date(ms).toISOString()` for years 0000..9999, computed from the milliseconds (the civil
 * date from a day count, H. Hinnant's "chrono-compatible low-level date algorithms") without
 * the Date: the formatting is most of a list's per-portfolio cost otherwise.
 */
export function isoDateTime(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(ms).toISOString();
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  return `${TWO_DIGITS[Math.floor(year / 100)]!}${TWO_DIGITS[year % 100]!}-${TWO_DIGITS[month]!}-${TWO_DIGITS[day]!}T${TWO_DIGITS[hour]!}:${TWO_DIGITS[minute]!}:${TWO_DIGITS[second]!}.${milli < 100 ? (milli < 10 ? '00' : '0') : ''}${milli}Z`;
}

