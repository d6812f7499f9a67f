import type { Context, Middleware } from 'koa';
import {
  BULK_MAX_ITEMS,
  isPortfolioError,
  type AlreadyExistsError,
  type BatchTooLargeError,
  type DuplicateInBatchError,
  type EmptyBatchError,
  type InternalError,
  type BulkCompensationError,
  type NotFoundError,
  type PortfolioErrorCode,
  type TimeoutError,
  type UnavailableError,
  type ValidationError,
  type ValidationIssue,
  type VersionConflictError,
} from '@globeco/portfolio-core';
import { MAX_BODY_BYTES, isJsonBodyError, type JsonBodyProblem } from './json-body.js';
import { isClientCaused } from './request-log.js';

/** The API surfaces; some errors read differently on the fast path than on v1/v2. */
export type Surface = 'v1' | 'v2' | 'fast' | 'other';

/** One entry of a 422 `detail` list, the original service's (FastAPI) shape. */
export interface FieldProblem {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
}

/** A ready HTTP answer: status, `detail` and extra headers. */
export interface Problem {
  readonly status: number;
  readonly detail: string | readonly FieldProblem[];
  readonly headers?: Readonly<Record<string, string>>;
}

/** An error that already knows its HTTP answer (routing, body and query problems). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(readonly problem: Problem) {
    super(typeof problem.detail === 'string' ? problem.detail : 'Validation error');
  }
}

/** Returns true when an error is an {@link HttpError}. */
export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError;
}

/** Where request-schema issues were found; it becomes the first element of each `loc`. */
export type IssueLocation = 'body' | 'query' | 'path';

/** Turns core validation issues into the 422 `detail` list under a location. */
export function toFieldProblems(issues: readonly ValidationIssue[], location: IssueLocation): FieldProblem[] {
  return issues.map((issue) => ({ loc: [location, ...issue.path], msg: issue.message, type: issue.type }));
}

function fastItemMessage(issue: ValidationIssue): string {
  const [index, field] = issue.path;
  if (typeof index !== 'number') return issue.message;
  if (field === undefined) {
    return `Invalid portfolio at index ${index}: Item ${index} must be an object`;
  }
  if (field === 'name' && (issue.type === 'missing' || issue.type === 'string_too_short' || issue.input === null)) {
    return `Invalid portfolio at index ${index}: Item ${index} missing required field 'name'`;
  }
  return `Invalid portfolio at index ${index}: Item ${index} field '${String(field)}': ${issue.message}`;
}

type Mapper = (error: never, surface: Surface, ctx: Context) => Problem;

/** The catalogue's error class of each code. */
interface ErrorByCode {
  VALIDATION_FAILED: ValidationError;
  NOT_FOUND: NotFoundError;
  VERSION_CONFLICT: VersionConflictError;
  DUPLICATE_IN_BATCH: DuplicateInBatchError;
  BATCH_TOO_LARGE: BatchTooLargeError;
  EMPTY_BATCH: EmptyBatchError;
  ALREADY_EXISTS: AlreadyExistsError;
  UNAVAILABLE: UnavailableError;
  TIMEOUT: TimeoutError;
  INTERNAL: InternalError;
  BULK_COMPENSATION_FAILED: BulkCompensationError;
}

/**
 * HTTP answer of every catalogue code. Typed as a total record, so a new code in the core fails
 * the build until it is mapped here (a test checks the same at run time).
 */
export const ERROR_STATUS_MAP: {
  readonly [C in PortfolioErrorCode]: (error: ErrorByCode[C], surface: Surface, ctx: Context) => Problem;
} = {
  VALIDATION_FAILED: (error, surface, ctx) => {
    if (surface === 'fast') {
      return { status: 400, detail: error.issues[0] ? fastItemMessage(error.issues[0]) : 'Invalid request' };
    }
    const location = (ctx.state.issueLocation as IssueLocation | undefined) ?? 'body';
    return { status: 422, detail: toFieldProblems(error.issues, location) };
  },
  NOT_FOUND: () => ({ status: 404, detail: 'Portfolio not found' }),
  VERSION_CONFLICT: () => ({ status: 409, detail: 'Version conflict' }),
  DUPLICATE_IN_BATCH: (error) => ({ status: 400, detail: error.message }),
  BATCH_TOO_LARGE: (error, surface) =>
    surface === 'fast'
      ? { status: 413, detail: `Bulk request too large: ${error.size} portfolios exceeds ${error.max} limit` }
      : { status: 400, detail: `Request cannot contain more than ${error.max} portfolios` },
  EMPTY_BATCH: () => ({ status: 400, detail: 'Request must contain at least 1 portfolio' }),
  ALREADY_EXISTS: (error) => ({ status: 409, detail: `Portfolio names already exist: ${error.names.join(', ')}` }),
  UNAVAILABLE: (error) => ({
    status: 503,
    detail: error.reason === 'circuit-open' ? 'Service temporarily unavailable: database circuit breaker is open' : 'Service temporarily unavailable: database unreachable',
    headers: { 'Retry-After': String(error.retryAfterSeconds) },
  }),
  TIMEOUT: () => ({
    status: 503,
    detail: 'Service temporarily unavailable: database operation timed out',
    headers: { 'Retry-After': '1' },
  }),
  INTERNAL: () => ({ status: 500, detail: 'Internal server error' }),
  // Part of a rejected batch may still be stored: a server-side failure, its ids are for the log only.
  BULK_COMPENSATION_FAILED: () => ({ status: 500, detail: 'Internal server error' }),
};

/** HTTP answer of a body that could not be read as JSON, per surface. */
export function bodyProblem(problem: JsonBodyProblem, surface: Surface): Problem {
  if (problem.kind === 'too-large') {
    return { status: 413, detail: `Request too large: ${problem.bytes} bytes exceeds ${MAX_BODY_BYTES} bytes` };
  }
  if (problem.kind === 'too-many-items') {
    if (surface === 'fast') {
      return { status: 413, detail: `Bulk request too large: ${problem.items} portfolios exceeds ${BULK_MAX_ITEMS} limit` };
    }
    if (surface === 'v2') return { status: 400, detail: `Request cannot contain more than ${BULK_MAX_ITEMS} portfolios` };
  }
  const reason = bodyReason(problem);
  if (surface === 'fast') return { status: 400, detail: `Invalid JSON: ${reason}` };
  const position = problem.kind === 'invalid-json' ? problem.position : 0;
  const type = problem.kind === 'empty' ? 'missing' : problem.kind === 'unsupported-media-type' ? 'model_attributes_type' : 'json_invalid';
  const msg = problem.kind === 'empty' ? 'Field required' : `JSON decode error: ${reason}`;
  return { status: 422, detail: [{ loc: problem.kind === 'empty' ? ['body'] : ['body', position], msg, type }] };
}

function bodyReason(problem: JsonBodyProblem): string {
  switch (problem.kind) {
    case 'empty':
      return 'Expecting value: request body is empty';
    case 'invalid-utf8':
      return 'request body is not valid UTF-8';
    case 'unsupported-media-type':
      return `Content-Type must be application/json, got ${problem.contentType.slice(0, 100)}`;
    case 'too-deep':
      return `nesting deeper than ${problem.maxDepth} levels`;
    case 'too-many-values':
      return `more than ${problem.maxValues} values`;
    case 'too-many-items':
      return `top-level array has ${problem.items} items`;
    case 'invalid-json':
      return problem.message;
    case 'too-large':
      return `${problem.bytes} bytes`;
  }
}

/** Computes the HTTP answer of any error thrown below the error middleware. */
export function toProblem(error: unknown, surface: Surface, ctx: Context): Problem {
  if (isHttpError(error)) return error.problem;
  if (isJsonBodyError(error)) return bodyProblem(error.problem, surface);
  if (isPortfolioError(error)) {
    const map = ERROR_STATUS_MAP[error.code] as Mapper | undefined;
    if (map) return map(error as never, surface, ctx);
  }
  // A request the client cut off or sent malformed (a bad chunk, a reset mid-body): its answer rarely
  // arrives, but it is the client's fault and is counted so.
  if (isClientCaused(error)) return { status: 400, detail: 'Bad Request: the request was malformed or cut off' };
  // Errors of Koa, raw-body and http-errors carry a client status and whether it may be shown.
  const e = error as { status?: unknown; expose?: unknown; message?: unknown } | null;
  if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, detail: e.expose === true && typeof e.message === 'string' ? e.message : 'Bad Request' };
  }
  return { status: 500, detail: 'Internal server error' };
}

/**
 * Turns every error below it into `{detail}` with the mapped status, never a stack trace; 5xx
 * causes and client-caused conditions are emitted as the app's `error` event, where the request log
 * writes each at its level.
 */
export function createErrorMiddleware(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { detail: 'Not Found' };
      }
    } catch (error) {
      const surface = (ctx.state.surface as Surface | undefined) ?? 'other';
      const problem = toProblem(error, surface, ctx);
      ctx.status = problem.status;
      for (const [name, value] of Object.entries(problem.headers ?? {})) ctx.set(name, value);
      ctx.body = { detail: problem.detail };
      if (problem.status >= 500 || isClientCaused(error)) ctx.app.emit('error', error, ctx);
    }
  };
}
