import {
  MongoBulkWriteError,
  MongoErrorLabel,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
} from 'mongodb';
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

  it('accepts closed sockets, pool resets and network errors wrapped by the driver or a cause', () => {
    const ended = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
    const closed = new MongoNetworkError('connection 3 to 127.0.0.1:4000 closed');
    const reset = new MongoServerError({ code: 2, errmsg: 'x' });
    reset.addErrorLabel(MongoErrorLabel.ResetPool);
    expect(
      [
        ended,
        Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
        new MongoNetworkTimeoutError('timed out'),
        reset,
        // What insertMany throws when its connection closes mid-batch.
        new MongoBulkWriteError(closed as never, {} as never),
        new Error('wrapped', { cause: new Error('wrapped again', { cause: ended }) }),
      ].map(isTransientDatabaseError),
    ).toStrictEqual([true, true, true, true, true, true]);
  });

  it('rejects data errors, domain errors and non-errors', () => {
    const duplicate = new MongoBulkWriteError({ message: 'E11000', code: 11000, writeErrors: [] }, {} as never);
    expect([serverError(11000), serverError(2), new NotFoundError('x'), new Error('x'), 'text', null, duplicate].map(isTransientDatabaseError)).toStrictEqual([
      false,
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
