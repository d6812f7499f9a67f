import { TaskCancelledError } from 'cockatiel';
import {
  MongoErrorLabel,
  MongoNetworkError,
  MongoServerClosedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';

/** Server error codes that mean "try again": stepdowns, shutdowns, network and lock timeouts. */
const TRANSIENT_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 112, 251]);

/**
 * Error class names of the MongoDB driver that mean the server could not be reached in time; the
 * names also match errors of another copy of the driver, where `instanceof` does not.
 */
const TRANSIENT_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
  'MongoTopologyClosedError',
  'MongoWaitQueueTimeoutError',
]);

/** Driver error classes (and their subclasses, e.g. the pool-cleared and network-timeout errors) of the same kind. */
const TRANSIENT_CLASSES = [MongoNetworkError, MongoServerSelectionError, MongoServerClosedError, MongoTopologyClosedError];

/** Driver error labels that mark an error as retryable or the connection pool as reset. */
const TRANSIENT_LABELS = [
  MongoErrorLabel.TransientTransactionError,
  MongoErrorLabel.RetryableWriteError,
  MongoErrorLabel.ResetPool,
];

/** Node.js socket error codes: the connection was closed, reset, refused or timed out. */
const SOCKET_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

/** How deep `cause` / wrapped driver errors are followed. */
const MAX_DEPTH = 5;

/** Whether a driver error carries the label (e.g. `UnknownTransactionCommitResult`). */
export function hasErrorLabel(error: unknown, label: string): boolean {
  const labelled = error as { hasErrorLabel?: (name: string) => boolean } | null;
  return typeof labelled?.hasErrorLabel === 'function' && labelled.hasErrorLabel(label) === true;
}

/** Whether an error's own `code` is `code` (a server error number or a Node.js socket code). */
export function hasErrorCode(error: unknown, code: number | string): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}

function isTransientItself(error: Error): boolean {
  if (TRANSIENT_CLASSES.some((type) => error instanceof type) || TRANSIENT_NAMES.has(error.name)) return true;
  if (TRANSIENT_LABELS.some((label) => hasErrorLabel(error, label))) return true;
  const { code } = error as { code?: unknown };
  if (typeof code === 'number') return TRANSIENT_CODES.has(code);
  return typeof code === 'string' && SOCKET_CODES.has(code);
}

/** The error an error wraps: its `cause`, or the driver error a `MongoBulkWriteError` was built from. */
function wrapped(error: Error): unknown {
  if (error.cause !== undefined) return error.cause;
  const response = (error as { errorResponse?: unknown }).errorResponse;
  return response instanceof Error && response !== error ? response : undefined;
}

/**
 * Whether a database error is transient (network failure, closed socket, pool cleared, stepdown,
 * timeout) so an idempotent operation may be retried and the database reported unavailable.
 * Follows `cause` and the driver error wrapped by a bulk write error.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (error instanceof TaskCancelledError) return true;
  let current: unknown = error;
  for (let depth = 0; depth < MAX_DEPTH && current instanceof Error; depth += 1) {
    if (isTransientItself(current)) return true;
    current = wrapped(current);
  }
  return false;
}

/** Whether a driver error is a duplicate-key violation (a data problem, not an outage). */
export function isDuplicateKeyError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as { code?: unknown; writeErrors?: unknown };
  if (e.code === 11000 || e.code === 11001) return true;
  return Array.isArray(e.writeErrors) && e.writeErrors.some((w: { code?: unknown }) => w.code === 11000);
}
