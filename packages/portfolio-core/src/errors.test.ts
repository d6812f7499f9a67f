import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, BatchTooLargeError, DuplicateInBatchError, ERROR_CODES, EmptyBatchError, InternalError, BulkCompensationError, NotFoundError, TimeoutError, UnavailableError, ValidationError, VersionConflictError } from './errors.js';
import { isAlreadyExistsError, isBatchTooLargeError, isBulkCompensationError, isDomainError, isDuplicateInBatchError, isEmptyBatchError, isInternalError, isNotFoundError, isPortfolioError, isTimeoutError, isUnavailableError, isValidationError, isVersionConflictError } from './error-guards.js';

const samples = [
  [new ValidationError([{ path: ['name'], message: 'bad', type: 'missing' }]), isValidationError],
  [new NotFoundError('x'), isNotFoundError],
  [new VersionConflictError('x', 1, 2), isVersionConflictError],
  [new DuplicateInBatchError([{ name: 'a', positions: [0, 1] }]), isDuplicateInBatchError],
  [new BatchTooLargeError(101, 100), isBatchTooLargeError],
  [new EmptyBatchError(), isEmptyBatchError],
  [new AlreadyExistsError(['a']), isAlreadyExistsError],
  [new UnavailableError('circuit-open', 1500), isUnavailableError],
  [new TimeoutError('findById', 5000), isTimeoutError],
  [new InternalError(), isInternalError],
  [new BulkCompensationError(['65a1b2c3d4e5f6a7b8c9d0e1'], new Error('insert'), new Error('delete')), isBulkCompensationError],
] as const;

describe('error catalogue', () => {
  it('has one class per code, each recognised only by its own guard', () => {
    expect(samples.map(([e]) => e.code)).toStrictEqual([...ERROR_CODES]);
    for (const [error, guard] of samples) {
      expect(isPortfolioError(error)).toBe(true);
      expect(error).toBeInstanceOf(Error);
      for (const [other, otherGuard] of samples) expect(otherGuard(error)).toBe(other === error ? true : false);
      expect(guard(new Error('plain'))).toBe(false);
      expect(guard({ code: error.code })).toBe(false);
    }
  });

  it('carries the data callers need for their messages', () => {
    const dup = new DuplicateInBatchError([
      { name: 'Alpha', positions: [0, 2] },
      { name: 'beta', positions: [1, 3, 4] },
    ]);
    expect(dup.message).toBe('Duplicate portfolio names found in request: Alpha, beta');
    expect(dup.names).toStrictEqual(['Alpha', 'beta']);
    expect(new NotFoundError('x').message).toBe('Portfolio not found');
    expect(new VersionConflictError('x', 1, 2).message).toBe('Version conflict');
    expect(new EmptyBatchError().message).toBe('Request must contain at least 1 portfolio');
    expect(new BatchTooLargeError(150, 100)).toMatchObject({ size: 150, max: 100 });
    const unavailable = new UnavailableError('circuit-open', 1200.4);
    expect([unavailable.retryAfterMs, unavailable.retryAfterSeconds]).toStrictEqual([1201, 2]);
    expect(new UnavailableError('database', 0).retryAfterSeconds).toBe(1);
    expect(new NotFoundError('x').name).toBe('NotFoundError');
  });

  it('tells domain errors from infrastructure errors', () => {
    expect(samples.filter(([e]) => isDomainError(e)).map(([e]) => e.code)).toStrictEqual([
      'VALIDATION_FAILED',
      'NOT_FOUND',
      'VERSION_CONFLICT',
      'DUPLICATE_IN_BATCH',
      'BATCH_TOO_LARGE',
      'EMPTY_BATCH',
      'ALREADY_EXISTS',
    ]);
    expect(isDomainError(new Error('x'))).toBe(false);
  });
});
