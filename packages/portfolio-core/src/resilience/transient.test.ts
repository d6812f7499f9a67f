import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors.js';
import { isDuplicateKeyError, isTransientDatabaseError } from './transient.js';

function serverError(code: number, labels: string[] = []): MongoServerError {
  return new MongoServerError({ code, errmsg: `code ${code}`, errorLabels: labels });
}

describe('isTransientDatabaseError', () => {
  it('accepts network, selection, stepdown and labelled errors', () => {
    expect(
      [
        new MongoNetworkError('reset'),
        new MongoServerSelectionError('no server', { type: 'Unknown', servers: new Map() } as never),
        serverError(189),
        serverError(11600),
        serverError(112, ['TransientTransactionError']),
        serverError(2, ['RetryableWriteError']),
      ].map(isTransientDatabaseError),
    ).toStrictEqual([true, true, true, true, true, true]);
  });

  it('rejects data errors, domain errors and non-errors', () => {
    expect([serverError(11000), serverError(2), new NotFoundError('x'), new Error('x'), 'text', null].map(isTransientDatabaseError)).toStrictEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('isDuplicateKeyError', () => {
  it('recognises code 11000 and bulk write errors carrying it', () => {
    expect(isDuplicateKeyError(serverError(11000))).toBe(true);
    expect(isDuplicateKeyError(Object.assign(new Error('bulk'), { writeErrors: [{ code: 11000 }] }))).toBe(true);
    expect(isDuplicateKeyError(serverError(112))).toBe(false);
  });
});
