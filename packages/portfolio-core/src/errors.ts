/**
 * The closed error catalogue of the portfolio domain. Every error carries a stable `code` and the
 * data a caller needs to phrase its own message; none carries a transport status.
 */

/** Every error code the library can raise; the set is closed and stable across minor versions. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'VERSION_CONFLICT',
  'DUPLICATE_IN_BATCH',
  'BATCH_TOO_LARGE',
  'EMPTY_BATCH',
  'ALREADY_EXISTS',
  'UNAVAILABLE',
  'TIMEOUT',
  'INTERNAL',
  'BULK_COMPENSATION_FAILED',
] as const;

/** A stable error code from {@link ERROR_CODES}. */
export type PortfolioErrorCode = (typeof ERROR_CODES)[number];

/**
 * Kind of a validation problem, named after the original service's issue types so callers can
 * pass them through unchanged.
 */
export type ValidationIssueType =
  | 'missing'
  | 'string_type'
  | 'int_type'
  | 'int_from_float'
  | 'model_type'
  | 'list_type'
  | 'datetime_type'
  | 'datetime_parsing'
  | 'string_too_short'
  | 'string_too_long'
  | 'string_pattern_mismatch'
  | 'object_id_format'
  | 'greater_than_equal'
  | 'less_than_equal'
  | 'mutually_exclusive'
  | 'value_error';

/** One validation problem: where it is (`path`, relative to the validated value), what and why. */
export interface ValidationIssue {
  /** Keys from the validated value down to the offending field, e.g. `['name']` or `[3, 'name']`. */
  readonly path: readonly (string | number)[];
  /** Human-readable sentence naming the problem. */
  readonly message: string;
  /** Machine-readable kind of the problem. */
  readonly type: ValidationIssueType;
  /** The offending input value (absent for missing fields). */
  readonly input?: unknown;
  /** Numeric bound involved, e.g. `1` for `greater_than_equal`, `1000` for `less_than_equal`. */
  readonly limit?: number;
}

/** Base class of every error in the catalogue. */
export abstract class PortfolioError extends Error {
  /** Stable machine-readable code. */
  abstract readonly code: PortfolioErrorCode;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The input broke the schema; `issues` lists every problem found. */
export class ValidationError extends PortfolioError {
  readonly code = 'VALIDATION_FAILED' as const;
  /** Every problem found, in input order. */
  readonly issues: readonly ValidationIssue[];

  /** @param issues problems found (at least one). */
  constructor(issues: readonly ValidationIssue[]) {
    super(issues.length > 0 ? `Invalid input: ${issues.map((i) => i.message).join('; ')}` : 'Invalid input');
    this.issues = issues;
  }
}

/** No portfolio has the given id (malformed ids included). */
export class NotFoundError extends PortfolioError {
  readonly code = 'NOT_FOUND' as const;
  /** The id that was looked up, as given. */
  readonly id: string;

  /** @param id the id that was looked up. */
  constructor(id: string) {
    super('Portfolio not found');
    this.id = id;
  }
}

/** The portfolio exists but its stored version differs from the one supplied. */
export class VersionConflictError extends PortfolioError {
  readonly code = 'VERSION_CONFLICT' as const;
  /** The portfolio id. */
  readonly id: string;
  /** The version the caller supplied. */
  readonly expectedVersion: number;
  /** The version found in the store when the conflict was detected, if known. */
  readonly actualVersion: number | undefined;

  /** Creates the error for `id` with the supplied and (if known) stored versions. */
  constructor(id: string, expectedVersion: number, actualVersion?: number) {
    super('Version conflict');
    this.id = id;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** One name that occurs more than once in a batch. */
export interface DuplicateName {
  /** The name (trimmed) as written at its first repeated occurrence, as the original service reported it. */
  readonly name: string;
  /** Zero-based positions of every occurrence in the batch. */
  readonly positions: readonly number[];
}

/** A batch contains names that are equal after trimming and lower-casing. */
export class DuplicateInBatchError extends PortfolioError {
  readonly code = 'DUPLICATE_IN_BATCH' as const;
  /** Each duplicated name with all its positions, ordered by first occurrence. */
  readonly duplicates: readonly DuplicateName[];

  /** @param duplicates every duplicated name with its positions. */
  constructor(duplicates: readonly DuplicateName[]) {
    super(`Duplicate portfolio names found in request: ${duplicates.map((d) => d.name).join(', ')}`);
    this.duplicates = duplicates;
  }

  /** The duplicated names, ordered by first occurrence (see {@link DuplicateName.name}). */
  get names(): string[] {
    return this.duplicates.map((d) => d.name);
  }
}

/** A batch holds more items than allowed. */
export class BatchTooLargeError extends PortfolioError {
  readonly code = 'BATCH_TOO_LARGE' as const;
  /** Number of items received. */
  readonly size: number;
  /** Maximum number of items allowed. */
  readonly max: number;

  /** Creates the error for a batch of `size` items where `max` are allowed. */
  constructor(size: number, max: number) {
    super(`Request cannot contain more than ${max} portfolios`);
    this.size = size;
    this.max = max;
  }
}

/** A batch holds no items. */
export class EmptyBatchError extends PortfolioError {
  readonly code = 'EMPTY_BATCH' as const;
  /** Minimum number of items required. */
  readonly min = 1;

  /** Creates the error. */
  constructor() {
    super('Request must contain at least 1 portfolio');
  }
}

/** Names of a batch already exist in the store (case-insensitive); raised only when asked to check. */
export class AlreadyExistsError extends PortfolioError {
  readonly code = 'ALREADY_EXISTS' as const;
  /** The batch's names (trimmed, as written in the batch) that already exist. */
  readonly names: readonly string[];

  /** @param names the batch's names that already exist. */
  constructor(names: readonly string[]) {
    super(`Portfolio names already exist: ${names.join(', ')}`);
    this.names = names;
  }
}

/** Why the database is unavailable. */
export type UnavailableReason = 'circuit-open' | 'database';

/** The database cannot be reached, or the circuit breaker is open; retry after `retryAfterMs`. */
export class UnavailableError extends PortfolioError {
  readonly code = 'UNAVAILABLE' as const;
  /** Whether the breaker rejected the call or the database failed it. */
  readonly reason: UnavailableReason;
  /** Suggested wait before retrying, in milliseconds (0 when unknown). */
  readonly retryAfterMs: number;

  /** Creates the error; `cause` is the underlying driver error, if any. */
  constructor(reason: UnavailableReason, retryAfterMs: number, options?: { cause?: unknown }) {
    super(reason === 'circuit-open' ? 'Database circuit breaker is open' : 'Database unavailable', options);
    this.reason = reason;
    this.retryAfterMs = Math.max(0, Math.ceil(retryAfterMs));
  }

  /** Suggested wait before retrying in whole seconds, rounded up (at least 1). */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }
}

/** A database operation exceeded its time budget. */
export class TimeoutError extends PortfolioError {
  readonly code = 'TIMEOUT' as const;
  /** Name of the operation, e.g. `findById`. */
  readonly operation: string;
  /** The budget that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  /** Creates the error for `operation` exceeding `timeoutMs`. */
  constructor(operation: string, timeoutMs: number, options?: { cause?: unknown }) {
    super(`Database operation ${operation} timed out after ${timeoutMs} ms`, options);
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/** An unexpected failure; details are in `cause` and must not be shown to end users. */
export class InternalError extends PortfolioError {
  readonly code = 'INTERNAL' as const;

  /** Creates the error wrapping `cause`. */
  constructor(message = 'Internal error', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A compensating delete of a failed standalone bulk insert kept failing within its bound: the listed
 * documents of the rejected batch may still be stored (`cause` is the insert's own failure).
 */
export class BulkCompensationError extends PortfolioError {
  readonly code = 'BULK_COMPENSATION_FAILED' as const;
  /** Hex ids of the batch whose removal could not be confirmed. */
  readonly remainingIds: readonly string[];
  /** The last failure of the compensating delete. */
  readonly deleteError: unknown;

  /** Creates the error for the ids still possibly stored after `insertError` and the failed `deleteError`. */
  constructor(remainingIds: readonly string[], insertError: unknown, deleteError: unknown) {
    super(
      `Bulk insert failed and ${remainingIds.length} of its documents could not be removed again: ${remainingIds.join(', ')}`,
      { cause: insertError },
    );
    this.remainingIds = remainingIds;
    this.deleteError = deleteError;
  }
}
