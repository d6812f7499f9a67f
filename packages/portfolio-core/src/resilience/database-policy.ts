import { trace } from '@opentelemetry/api';
import {
  BrokenCircuitError,
  ExponentialBackoff,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhen,
  noJitterGenerator,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel';
import { InternalError, TimeoutError, UnavailableError } from '../errors.js';
import { isDomainError, isPortfolioError } from '../error-guards.js';
import { Emitter, type EventSource } from './events.js';
import { RecoveringBreaker, type CircuitBreakerState } from './recovering-breaker.js';
import { isDuplicateKeyError, isTransientDatabaseError } from './transient.js';
import { AttemptTimeoutError, withTimeout } from './with-timeout.js';

export type { CircuitBreakerState } from './recovering-breaker.js';

/**
 * How an operation may be retried: reads are idempotent, single writes never retried, bulk once;
 * a cursor batch (`getMore`) is one attempt, never repeated (a repeat would skip a batch).
 */
export type OperationKind = 'read' | 'write' | 'bulk' | 'batch';

/** Tunables of {@link createDatabasePolicy}; every number has the documented default. */
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

/** Payload of `onBreak`. */
export interface BreakEvent {
  /** The failure that opened the breaker. */
  readonly error: unknown;
}

/** Payload of `onRetry`. */
export interface RetryEvent {
  /** Name of the operation being retried. */
  readonly operation: string;
  /** 1 for the first retry, 2 for the second … */
  readonly attempt: number;
  /** Backoff waited before this retry, ms. */
  readonly delayMs: number;
  /** The failure that caused the retry. */
  readonly error: unknown;
}

/** Runs database calls through timeout, circuit breaker and retry, and reports breaker events. */
export interface DatabasePolicy {
  /**
   * Runs `fn` under the policy for `kind` and translates failures into catalogue errors
   * (`UNAVAILABLE`, `TIMEOUT`, `INTERNAL`); catalogue errors thrown by `fn` pass through unchanged
   * and never count as breaker failures. For `bulk`, `fn` receives a signal that is aborted when
   * the attempt times out, so a late-completing insert can undo itself before the retry lands.
   */
  execute<T>(operation: string, kind: OperationKind, fn: (signal: AbortSignal | undefined) => Promise<T>): Promise<T>;
  /** Current breaker state. */
  readonly state: CircuitBreakerState;
  /** Milliseconds until an open breaker lets a trial call through (0 unless open). */
  retryAfterMs(): number;
  /** The options in force. */
  readonly options: ResolvedDatabasePolicyOptions;
  /** Fires when the breaker opens. */
  readonly onBreak: EventSource<BreakEvent>;
  /** Fires when the breaker closes again. */
  readonly onReset: EventSource<void>;
  /** Fires when the breaker lets trial calls through. */
  readonly onHalfOpen: EventSource<void>;
  /** Fires whenever the breaker state changes. */
  readonly onStateChange: EventSource<CircuitBreakerState>;
  /** Fires before each retry attempt. */
  readonly onRetry: EventSource<RetryEvent>;
}

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

function positiveInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`Database policy option ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}


/** MongoDB's MaxTimeMSExpired: the server stopped one operation at its own time limit. */
const MAX_TIME_MS_EXPIRED = 50;

/**
 * Whether an error means only that one operation took too long: its own attempt timeout, the
 * server's time limit, or no pool connection free in time (the pool is busy, not broken).
 */
function isSlowness(error: unknown): boolean {
  if (error instanceof AttemptTimeoutError) return true;
  const e = error as { name?: unknown; code?: unknown } | null;
  return e?.name === 'MongoWaitQueueTimeoutError' || e?.code === MAX_TIME_MS_EXPIRED;
}


/**
 * Creates the database policy: per-attempt timeout inside a consecutive-failure circuit breaker,
 * inside an exponential-backoff retry for reads (and one retry for bulk inserts).
 * @param options tunables; defaults in {@link DEFAULT_DATABASE_POLICY_OPTIONS}
 */
export function createDatabasePolicy(options: DatabasePolicyOptions = {}): DatabasePolicy {
  const o: ResolvedDatabasePolicyOptions = Object.freeze({ ...DEFAULT_DATABASE_POLICY_OPTIONS, ...options });
  positiveInteger('failureThreshold', o.failureThreshold, 1);
  positiveInteger('halfOpenAfterMs', o.halfOpenAfterMs, 0);
  positiveInteger('successThreshold', o.successThreshold, 1);
  positiveInteger('timeoutMs', o.timeoutMs, 1);
  positiveInteger('readRetries', o.readRetries, 0);
  positiveInteger('bulkRetries', o.bulkRetries, 0);
  positiveInteger('retryInitialDelayMs', o.retryInitialDelayMs, 0);

  const breakEmitter = new Emitter<BreakEvent>();
  const resetEmitter = new Emitter<void>();
  const halfOpenEmitter = new Emitter<void>();
  const stateEmitter = new Emitter<CircuitBreakerState>();
  const retryEmitter = new Emitter<RetryEvent>();

  const breaker = new RecoveringBreaker(o.failureThreshold, o.successThreshold, () => {
    resetEmitter.emit();
    stateEmitter.emit('closed');
  });
  /**
   * What counts as a breaker failure: the database's connection or server failing (network errors,
   * no server selectable, a pool cleared, server errors). Not: domain outcomes, duplicate keys, and
   * slowness of one operation while the database is reachable, so one client's expensive query
   * cannot open the breaker for everyone. Slowness counts once the driver's monitor has lost the
   * server (a database that accepts connections and never answers), and during a half-open trial
   * or the recovery window after it, whose question is whether the database works again.
   */
  const countsAsFailure = (error: unknown): boolean => {
    if (isDomainError(error) || isDuplicateKeyError(error)) return false;
    if (isSlowness(error)) return breaker.phase !== 'closed' || !o.isDatabaseReachable();
    return true;
  };
  const breakerPolicy: CircuitBreakerPolicy = circuitBreaker(handleWhen(countsAsFailure), {
    halfOpenAfter: o.halfOpenAfterMs,
    breaker,
  });
  let openedAt = 0;
  breakerPolicy.onBreak((reason) => {
    openedAt = Date.now();
    breaker.enterOpen();
    breakEmitter.emit({ error: 'error' in reason ? reason.error : reason });
    stateEmitter.emit('open');
  });
  breakerPolicy.onHalfOpen(() => {
    breaker.enterHalfOpen();
    halfOpenEmitter.emit();
    stateEmitter.emit('half-open');
  });
  breakerPolicy.onReset(() => breaker.maybeRecover());

  // Once the breaker has opened, waiting out a backoff only to be rejected is pointless.
  const isRetryable = (error: unknown): boolean =>
    breaker.phase !== 'open' &&
    !(error instanceof BrokenCircuitError) &&
    !(error instanceof IsolatedCircuitError) &&
    !isPortfolioError(error) &&
    (error instanceof AttemptTimeoutError || o.isTransient(error));
  const backoff = new ExponentialBackoff({
    initialDelay: o.retryInitialDelayMs,
    maxDelay: Number.MAX_SAFE_INTEGER,
    exponent: 2,
    generator: noJitterGenerator,
  });
  const policies: Record<OperationKind, IPolicy> = {
    read: wrap(retry(handleWhen(isRetryable), { maxAttempts: o.readRetries, backoff }), breakerPolicy),
    write: breakerPolicy,
    bulk: wrap(retry(handleWhen(isRetryable), { maxAttempts: o.bulkRetries, backoff }), breakerPolicy),
    batch: breakerPolicy,
  };

  // Whether a half-open trial call is running (only one at a time is let through).
  let trialInFlight = false;
  const retryAfterMs = (): number =>
    breaker.phase === 'open' ? Math.max(0, o.halfOpenAfterMs - (Date.now() - openedAt)) : 0;

  /**
   * The open-circuit error is built without a stack trace: it is raised on the hot path of an
   * outage, where capturing async stacks would cost more than the rest of the call.
   */
  function circuitOpenError(cause?: unknown, retryAfter = retryAfterMs()): UnavailableError {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new UnavailableError('circuit-open', retryAfter, cause === undefined ? undefined : { cause });
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  function translate(operation: string, error: unknown): unknown {
    if (isPortfolioError(error)) return error;
    if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) return circuitOpenError(error);
    if (error instanceof AttemptTimeoutError) return new TimeoutError(operation, o.timeoutMs, { cause: error });
    if (o.isTransient(error)) {
      return new UnavailableError('database', breaker.phase === 'open' ? retryAfterMs() : o.retryInitialDelayMs, {
        cause: error,
      });
    }
    return new InternalError(`Database operation ${operation} failed`, { cause: error });
  }

  return {
    async execute<T>(
      operation: string,
      kind: OperationKind,
      fn: (signal: AbortSignal | undefined) => Promise<T>,
    ): Promise<T> {
      // Fail fast while open, before cockatiel builds its own error; once the wait is over,
      // cockatiel lets the half-open trial through.
      if (breaker.phase === 'open' && retryAfterMs() > 0) throw circuitOpenError();
      // Half-open (including the recovery window after the first trial): one trial call at a
      // time; the others are rejected at once instead of queueing behind it.
      const trial = breaker.phase !== 'closed';
      if (trial) {
        if (trialInFlight) throw circuitOpenError(undefined, o.timeoutMs);
        trialInFlight = true;
      }
      let lastError: unknown;
      try {
        return await policies[kind].execute(async (context) => {
          const attempt = (context as { attempt?: number }).attempt ?? 0;
          if (attempt > 0) {
            const delayMs = o.retryInitialDelayMs * 2 ** (attempt - 1);
            retryEmitter.emit({ operation, attempt, delayMs, error: lastError });
            // A no-op unless the host registered an OpenTelemetry SDK.
            trace.getActiveSpan()?.addEvent('db.retry', { 'db.operation.name': operation, attempt, delay_ms: delayMs });
          }
          try {
            return await withTimeout(o.timeoutMs, fn, kind === 'bulk');
          } catch (error) {
            lastError = error;
            throw error;
          }
        });
      } catch (error) {
        throw translate(operation, error);
      } finally {
        if (trial) trialInFlight = false;
      }
    },
    get state() {
      return breaker.phase;
    },
    retryAfterMs,
    options: o,
    onBreak: breakEmitter.event,
    onReset: resetEmitter.event,
    onHalfOpen: halfOpenEmitter.event,
    onStateChange: stateEmitter.event,
    onRetry: retryEmitter.event,
  };
}
