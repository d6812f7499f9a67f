import {
  AlreadyExistsError,
  BatchTooLargeError,
  BulkCompensationError,
  DuplicateInBatchError,
  ERROR_CODES,
  EmptyBatchError,
  InternalError,
  NotFoundError,
  TimeoutError,
  UnavailableError,
  ValidationError,
  VersionConflictError,
  type PortfolioError,
} from '@globeco/portfolio-core';
import type { Context } from 'koa';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS_MAP, toProblem, type Surface } from './errors.js';

const ctx = { state: {} } as unknown as Context;

/** One instance of every catalogue error. */
const samples: Record<(typeof ERROR_CODES)[number], PortfolioError> = {
  VALIDATION_FAILED: new ValidationError([{ path: ['name'], message: 'Field required: name', type: 'missing' }]),
  NOT_FOUND: new NotFoundError('x'),
  VERSION_CONFLICT: new VersionConflictError('x', 1, 2),
  DUPLICATE_IN_BATCH: new DuplicateInBatchError([{ name: 'a', positions: [0, 1] }]),
  BATCH_TOO_LARGE: new BatchTooLargeError(101, 100),
  EMPTY_BATCH: new EmptyBatchError(),
  ALREADY_EXISTS: new AlreadyExistsError(['a']),
  UNAVAILABLE: new UnavailableError('circuit-open', 12_300),
  TIMEOUT: new TimeoutError('findById', 5000),
  INTERNAL: new InternalError('secret detail'),
  BULK_COMPENSATION_FAILED: new BulkCompensationError(['65a1b2c3d4e5f6a7b8c9d0e1'], new Error('insert'), new Error('delete')),
};

describe('error mapping', () => {
  it('maps every code of the core catalogue', () => {
    for (const code of ERROR_CODES) {
      expect(ERROR_STATUS_MAP, `no HTTP mapping for ${code}`).toHaveProperty(code);
      expect(samples[code].code).toBe(code);
    }
    expect(Object.keys(ERROR_STATUS_MAP).sort()).toStrictEqual([...ERROR_CODES].sort());
  });

  it.each([
    ['v1', 'VALIDATION_FAILED', { status: 422, detail: [{ loc: ['body', 'name'], msg: 'Field required: name', type: 'missing' }] }],
    ['fast', 'VALIDATION_FAILED', { status: 400, detail: 'Field required: name' }],
    ['v1', 'NOT_FOUND', { status: 404, detail: 'Portfolio not found' }],
    ['v1', 'VERSION_CONFLICT', { status: 409, detail: 'Version conflict' }],
    ['v2', 'DUPLICATE_IN_BATCH', { status: 400, detail: 'Duplicate portfolio names found in request: a' }],
    ['v2', 'BATCH_TOO_LARGE', { status: 400, detail: 'Request cannot contain more than 100 portfolios' }],
    ['fast', 'BATCH_TOO_LARGE', { status: 413, detail: 'Bulk request too large: 101 portfolios exceeds 100 limit' }],
    ['v2', 'EMPTY_BATCH', { status: 400, detail: 'Request must contain at least 1 portfolio' }],
    ['fast', 'ALREADY_EXISTS', { status: 409, detail: 'Portfolio names already exist: a' }],
    [
      'v1',
      'UNAVAILABLE',
      { status: 503, detail: 'Service temporarily unavailable: database circuit breaker is open', headers: { 'Retry-After': '13' } },
    ],
    ['v1', 'TIMEOUT', { status: 503, detail: 'Service temporarily unavailable: database operation timed out', headers: { 'Retry-After': '1' } }],
    ['v1', 'INTERNAL', { status: 500, detail: 'Internal server error' }],
    ['v2', 'BULK_COMPENSATION_FAILED', { status: 500, detail: 'Internal server error' }],
  ] as const)('%s %s', (surface, code, problem) => {
    expect(toProblem(samples[code], surface as Surface, ctx)).toStrictEqual(problem);
  });

  it('unknown errors are a generic 500; client errors of libraries keep their status', () => {
    expect(toProblem(new Error('db password is hunter2'), 'v1', ctx)).toStrictEqual({ status: 500, detail: 'Internal server error' });
    expect(toProblem(Object.assign(new Error('request aborted'), { status: 400, expose: true }), 'v1', ctx)).toStrictEqual({
      status: 400,
      detail: 'request aborted',
    });
    expect(toProblem(Object.assign(new Error('hidden'), { status: 400, expose: false }), 'v1', ctx)).toStrictEqual({
      status: 400,
      detail: 'Bad Request',
    });
  });
});
