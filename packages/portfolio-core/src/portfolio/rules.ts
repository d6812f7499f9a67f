/** Longest name allowed, counted after trimming. */
export const NAME_MAX_LENGTH = 200;

/** Largest number of portfolios one bulk create accepts. */
export const BULK_MAX_ITEMS = 100;

/** Default page size of a search. */
export const DEFAULT_SEARCH_LIMIT = 50;

/** Largest page size of a search. */
export const MAX_SEARCH_LIMIT = 1000;

/**
 * The name rule on the raw (untrimmed) string: after trimming, 1–200 characters of ASCII letters,
 * digits, spaces, hyphens and underscores. Stated on the raw value so JSON Schema can carry it.
 */
export const NAME_PATTERN = /^\s*[A-Za-z0-9_-](?:[A-Za-z0-9 _-]{0,198}[A-Za-z0-9_-])?\s*$/;

/** The message of the original service for a name that breaks the rule. */
export const NAME_RULE_MESSAGE =
  'Invalid portfolio name format. Name must be 1-200 characters, alphanumeric, spaces, hyphens, and underscores only';

/** A 24-digit hex ObjectId; upper-case digits are accepted. */
export const OBJECT_ID_PATTERN = /^[0-9a-fA-F]{24}$/;

/**
 * ISO 8601 date or date-time: `YYYY-MM-DD`, optionally `THH:MM[:SS[.fraction]]` and an offset
 * (`Z`, `±HH:MM`, `±HHMM`, `±HH`); no offset means UTC.
 */
export const DATE_TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Earliest creation instant accepted: the first millisecond of year 1 (UTC), as the original's datetime. */
export const MIN_DATE_TIME = new Date('0001-01-01T00:00:00.000Z');

/** Latest creation instant accepted: the last millisecond of year 9999 (UTC). */
export const MAX_DATE_TIME = new Date('9999-12-31T23:59:59.999Z');

/** The message for an instant outside {@link MIN_DATE_TIME}..{@link MAX_DATE_TIME}. */
export const DATE_RANGE_MESSAGE = `Date must be between ${MIN_DATE_TIME.toISOString()} and ${MAX_DATE_TIME.toISOString()}`;

/**
 * Whether an instant lies in years 0001-9999 UTC, the range every write path accepts and every
 * response renders as `YYYY-MM-DDTHH:mm:ss.sssZ`.
 */
export function isInDateRange(date: Date): boolean {
  const t = date.getTime();
  return t >= MIN_DATE_TIME.getTime() && t <= MAX_DATE_TIME.getTime();
}

/** Whether `raw` satisfies the name rule (before trimming). */
export function isValidName(raw: string): boolean {
  return NAME_PATTERN.test(raw);
}

/** Trims a name and lower-cases it: the key under which two names count as equal. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Parses an ISO 8601 date-time as {@link DATE_TIME_PATTERN} describes; an offset is honoured and
 * its absence means UTC. Any four-digit year is read as written (0001 is year 1); whether the
 * instant is in the accepted range is {@link isInDateRange}'s question.
 * @returns the instant, or `undefined` when the text is not a valid date-time
 */
export function parseDateTime(text: string): Date | undefined {
  const m = DATE_TIME_PATTERN.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const ms = frac === '' ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  // Not Date.UTC: it maps years 0-99 to 1900-1999. setUTCFullYear takes the year as given.
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second, ms);
  const local = check.getTime();
  // Date.UTC rolls over out-of-range fields (Feb 31 → Mar 2); a round trip rejects them.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (offset !== undefined && offset !== 'Z' && offset !== 'z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  return new Date(local - offsetMinutes * 60_000);
}
