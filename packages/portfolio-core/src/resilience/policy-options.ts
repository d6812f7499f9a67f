import { isTransientDatabaseError } from './transient.js';

/** Tunables of `createDatabasePolicy`; every number has the documented default. */
export interface DatabasePolicyOptions {
  /** Consecutive failures that open the breaker (5). */
  readonly failureThreshold?: number;
  /** Time the breaker stays open before letting a trial call through, ms (30 000). */
  readonly halfOpenAfterMs?: number;
  /** Consecutive successes in half-open state that close the breaker (3). */
  readonly successThreshold?: number;
  /** Time budget of one attempt, ms (5 000). */
  readonly timeoutMs?: number;
  /** Retries of an idempotent read after a transient error (3, i.e. 1 s / 2 s / 4 s). */
  readonly readRetries?: number;
  /** Retries of a bulk insert after a transient error (1). */
  readonly bulkRetries?: number;
  /** First backoff delay, ms (1 000); each further delay doubles it. */
  readonly retryInitialDelayMs?: number;
  /** Which errors are transient (retryable); default {@link isTransientDatabaseError}. */
  readonly isTransient?: (error: unknown) => boolean;
  /**
   * Whether the driver still reaches the database (its monitor's last heartbeat succeeded). While it
   * does, an operation that runs out of time is that caller's slow query, not a breaker failure;
   * default: always reachable.
   */
  readonly isDatabaseReachable?: () => boolean;
}

/** The options with every default filled in. */
export type ResolvedDatabasePolicyOptions = Required<DatabasePolicyOptions>;

/** Default tunables of the database policy. */
export const DEFAULT_DATABASE_POLICY_OPTIONS: ResolvedDatabasePolicyOptions = Object.freeze({
  failureThreshold: 5,
  halfOpenAfterMs: 30_000,
  successThreshold: 3,
  timeoutMs: 5_000,
  readRetries: 3,
  bulkRetries: 1,
  retryInitialDelayMs: 1_000,
  isTransient: isTransientDatabaseError,
  isDatabaseReachable: () => true,
});

function integerAtLeast(name: string, value: number, min: 0 | 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Database policy option ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}

/** A count or duration that must be at least 1 (0 would disable what the option is for). */
function positiveInteger(name: string, value: number): void {
  integerAtLeast(name, value, 1);
}

/** A count or delay where 0 is meaningful (no retries, retry at once). */
function nonNegativeInteger(name: string, value: number): void {
  integerAtLeast(name, value, 0);
}


/**
 * The options with every default filled in, validated and frozen.
 * @throws RangeError naming the first option that is not an integer in its range
 */
export function resolveDatabasePolicyOptions(options: DatabasePolicyOptions = {}): ResolvedDatabasePolicyOptions {
  const o: ResolvedDatabasePolicyOptions = Object.freeze({ ...DEFAULT_DATABASE_POLICY_OPTIONS, ...options });
  positiveInteger('failureThreshold', o.failureThreshold);
  positiveInteger('halfOpenAfterMs', o.halfOpenAfterMs);
  positiveInteger('successThreshold', o.successThreshold);
  positiveInteger('timeoutMs', o.timeoutMs);
  nonNegativeInteger('readRetries', o.readRetries);
  nonNegativeInteger('bulkRetries', o.bulkRetries);
  nonNegativeInteger('retryInitialDelayMs', o.retryInitialDelayMs);
  return o;
}
