import type { Portfolio } from './types.js';

/**
 * The JSON text of one portfolio as the API returns it: its four fields in their fixed order, the
 * same text `JSON.stringify` writes for a portfolio built by this library, without its generic walk
 * over the object and its `Date#toJSON` call. Fields of other types (an invalid date, a version that
 * is not a finite number) go through `JSON.stringify` itself; other properties are not written.
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
  return `{"portfolioId":${JSON.stringify(portfolioId)},"name":${JSON.stringify(name)},"dateCreated":"${dateCreated.toISOString()}","version":${version}}`;
}
