import {
  ERROR_CODES,
  type PortfolioError,
  type ValidationError,
  type NotFoundError,
  type VersionConflictError,
  type DuplicateInBatchError,
  type BatchTooLargeError,
  type EmptyBatchError,
  type AlreadyExistsError,
  type UnavailableError,
  type TimeoutError,
  type InternalError,
  type BulkCompensationError,
  type PortfolioErrorCode,
} from './errors.js';

/** Type guards of the error catalogue; they check `code`, so they work across package copies. */

function hasCode(error: unknown, code: PortfolioErrorCode): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code && error instanceof Error;
}

/** Whether `error` belongs to the catalogue (checked by code, so it works across package copies). */
export function isPortfolioError(error: unknown): error is PortfolioError {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/** Whether `error` is a {@link ValidationError}. */
export function isValidationError(error: unknown): error is ValidationError {
  return hasCode(error, 'VALIDATION_FAILED');
}

/** Whether `error` is a {@link NotFoundError}. */
export function isNotFoundError(error: unknown): error is NotFoundError {
  return hasCode(error, 'NOT_FOUND');
}

/** Whether `error` is a {@link VersionConflictError}. */
export function isVersionConflictError(error: unknown): error is VersionConflictError {
  return hasCode(error, 'VERSION_CONFLICT');
}

/** Whether `error` is a {@link DuplicateInBatchError}. */
export function isDuplicateInBatchError(error: unknown): error is DuplicateInBatchError {
  return hasCode(error, 'DUPLICATE_IN_BATCH');
}

/** Whether `error` is a {@link BatchTooLargeError}. */
export function isBatchTooLargeError(error: unknown): error is BatchTooLargeError {
  return hasCode(error, 'BATCH_TOO_LARGE');
}

/** Whether `error` is an {@link EmptyBatchError}. */
export function isEmptyBatchError(error: unknown): error is EmptyBatchError {
  return hasCode(error, 'EMPTY_BATCH');
}

/** Whether `error` is an {@link AlreadyExistsError}. */
export function isAlreadyExistsError(error: unknown): error is AlreadyExistsError {
  return hasCode(error, 'ALREADY_EXISTS');
}

/** Whether `error` is an {@link UnavailableError}. */
export function isUnavailableError(error: unknown): error is UnavailableError {
  return hasCode(error, 'UNAVAILABLE');
}

/** Whether `error` is a {@link TimeoutError}. */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return hasCode(error, 'TIMEOUT');
}

/** Whether `error` is an {@link InternalError}. */
export function isInternalError(error: unknown): error is InternalError {
  return hasCode(error, 'INTERNAL');
}

/** Whether `error` is a {@link BulkCompensationError}. */
export function isBulkCompensationError(error: unknown): error is BulkCompensationError {
  return hasCode(error, 'BULK_COMPENSATION_FAILED');
}

/** Whether `error` is a domain outcome (bad input, missing, conflict) rather than an infrastructure failure. */
export function isDomainError(error: unknown): boolean {
  return (
    isPortfolioError(error) &&
    error.code !== 'UNAVAILABLE' &&
    error.code !== 'TIMEOUT' &&
    error.code !== 'INTERNAL' &&
    error.code !== 'BULK_COMPENSATION_FAILED'
  );
}
