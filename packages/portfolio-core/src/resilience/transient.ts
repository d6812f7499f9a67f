import { TaskCancelledError } from 'cockatiel';

/** Server error codes that mean "try again": stepdowns, shutdowns, network and lock timeouts. */
const TRANSIENT_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 112, 251]);

/** Error class names of the MongoDB driver that mean the server could not be reached in time. */
const TRANSIENT_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
  'MongoTopologyClosedError',
]);

/**
 * Whether a database error is transient (network failure, stepdown, timeout) so an idempotent
 * operation may be retried. Works on driver errors without importing driver classes.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (error instanceof TaskCancelledError) return true;
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  const labelled = error as { hasErrorLabel?: (label: string) => boolean; code?: unknown };
  if (typeof labelled.hasErrorLabel === 'function') {
    if (labelled.hasErrorLabel('TransientTransactionError') || labelled.hasErrorLabel('RetryableWriteError')) {
      return true;
    }
  }
  return typeof labelled.code === 'number' && TRANSIENT_CODES.has(labelled.code);
}

/** Whether a driver error is a duplicate-key violation (a data problem, not an outage). */
export function isDuplicateKeyError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as { code?: unknown; writeErrors?: unknown };
  if (e.code === 11000 || e.code === 11001) return true;
  return Array.isArray(e.writeErrors) && e.writeErrors.some((w: { code?: unknown }) => w.code === 11000);
}
