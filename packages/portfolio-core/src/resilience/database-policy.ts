import { trace } from '@opentelemetry/api';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  IsolatedCircuitError,
  bulkhead,
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
import {
  resolveDatabasePolicyOptions,
  type DatabasePolicyOptions,
  type ResolvedDatabasePolicyOptions,
} from './policy-options.js';
import { isDuplicateKeyError } from './transient.js';
import { AttemptTimeoutError, withTimeout } from './with-timeout.js';

export { DEFAULT_DATABASE_POLICY_OPTIONS } from './policy-options.js';
export type { DatabasePolicyOptions, ResolvedDatabasePolicyOptions } from './policy-options.js';

/** Public state of the database circuit breaker. */
export type CircuitBreakerState = 'closed' | 'open' | 'half-open';

/** cockatiel's state as the policy reports it (a manually isolated circuit is open). */
const PUBLIC_STATE: Record<CircuitState, CircuitBreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * How an operation may be retried: reads are idempotent, single writes never retried, bulk once;
 * a cursor batch (`getMore`) is one attempt, never repeated (a repeat would skip a batch).
 */
export type OperationKind = 'read' | 'write' | 'bulk' | 'batch';

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

/** A listener of cockatiel's events whose throwing never changes the outcome of a database call. */
function safely<T>(listener: (event: T) => void): (event: T) => void {
  return (event) => {
    try {
      listener(event);
    } catch {
      // Observers must not break the breaker.
    }
  };
}

/** Policies kept per operation name and kind (the service uses about ten). */
const MAX_CACHED_POLICIES = 256;

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
  const o = resolveDatabasePolicyOptions(options);

  const retryEmitter = new Emitter<RetryEvent>();

  /**
   * The breaker, and the only place its state lives: cockatiel's policy (closed, open, half-open),
   * with a consecutive-failure breaker. Half-open it samples `successThreshold` calls and reopens
   * on any failure among them, so it reports closed only after that many successes.
   */
  const circuit = (): CircuitState => breaker.state;
  /**
   * What counts as a breaker failure: the database's connection or server failing (network errors,
   * no server selectable, a pool cleared, server errors). Not: domain outcomes, duplicate keys, and
   * slowness of one operation while the database is reachable, so one client's expensive query
   * cannot open the breaker for everyone. Slowness counts once the driver's monitor has lost the
   * server (a database that accepts connections and never answers), and during a half-open trial,
   * whose question is whether the database works again.
   */
  const countsAsFailure = (error: unknown): boolean => {
    if (isDomainError(error) || isDuplicateKeyError(error)) return false;
    if (isSlowness(error)) return circuit() !== CircuitState.Closed || !o.isDatabaseReachable();
    return true;
  };
  const breaker: CircuitBreakerPolicy = circuitBreaker(handleWhen(countsAsFailure), {
    halfOpenAfter: o.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(o.failureThreshold),
    halfOpenSampling: { calls: o.successThreshold, threshold: 0 },
  });
  /** Half-open, trial calls run one at a time; a call finding the slot taken is rejected at once. */
  const trialGate = bulkhead(1, 0);

  const onBreak: EventSource<BreakEvent> = (listener) =>
    breaker.onBreak(safely((reason) => listener({ error: 'error' in reason ? reason.error : reason })));
  const onStateChange: EventSource<CircuitBreakerState> = (listener) =>
    breaker.onStateChange(safely((state) => listener(PUBLIC_STATE[state])));

  /** Time until an open breaker lets a trial call through, from cockatiel's own record of when it opened. */
  const retryAfterMs = (): number => {
    if (circuit() !== CircuitState.Open) return 0;
    const { ownState } = breaker.toJSON() as { ownState: { openedAt?: number } };
    return Math.max(0, o.halfOpenAfterMs - (Date.now() - (ownState.openedAt ?? 0)));
  };

  // Once the breaker has opened, waiting out a backoff only to be rejected is pointless.
  const isRetryable = (error: unknown): boolean =>
    circuit() !== CircuitState.Open &&
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
  const maxRetries: Record<OperationKind, number> = { read: o.readRetries, write: 0, bulk: o.bulkRetries, batch: 0 };

  /**
   * The policy of an operation: the breaker, inside a retry when its kind retries. Each operation
   * has its own retry policy so its `onRetry` (with the delay cockatiel waits) names it; they are
   * built once per operation and kind (a handful), not per call. Half-open, calls also go through
   * the one-slot trial gate.
   */
  const policies = new Map<string, { closed: IPolicy; gated: IPolicy }>();
  function policyFor(operation: string, kind: OperationKind): { closed: IPolicy; gated: IPolicy } {
    const key = `${kind}\u0000${operation}`;
    let entry = policies.get(key);
    if (entry === undefined) {
      let policy: IPolicy = breaker;
      if (maxRetries[kind] > 0) {
        const retries = retry(handleWhen(isRetryable), { maxAttempts: maxRetries[kind], backoff });
        retries.onRetry((event) => {
          const error = 'error' in event ? event.error : event.value;
          retryEmitter.emit({ operation, attempt: event.attempt, delayMs: event.delay, error });
          // A no-op unless the host registered an OpenTelemetry SDK.
          trace.getActiveSpan()?.addEvent('db.retry', { 'db.operation.name': operation, attempt: event.attempt, delay_ms: event.delay });
        });
        policy = wrap(retries, breaker);
      }
      entry = { closed: policy, gated: wrap(trialGate, policy) };
      // Operation names are the caller's: past a bound, policies are built per call again.
      if (policies.size < MAX_CACHED_POLICIES) policies.set(key, entry);
    }
    return entry;
  }

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
    if (error instanceof BulkheadRejectedError) return circuitOpenError(error, o.timeoutMs);
    if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) return circuitOpenError(error);
    if (error instanceof AttemptTimeoutError) return new TimeoutError(operation, o.timeoutMs, { cause: error });
    if (o.isTransient(error)) {
      return new UnavailableError('database', circuit() === CircuitState.Open ? retryAfterMs() : o.retryInitialDelayMs, {
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
      if (circuit() === CircuitState.Open && retryAfterMs() > 0) throw circuitOpenError();
      const { closed, gated } = policyFor(operation, kind);
      // Half-open (or about to be): through the one-slot gate, so trial calls never queue.
      const policy = circuit() !== CircuitState.Closed ? gated : closed;
      try {
        return await policy.execute(() => withTimeout(o.timeoutMs, fn, kind === 'bulk'));
      } catch (error) {
        throw translate(operation, error);
      }
    },
    get state() {
      return PUBLIC_STATE[circuit()];
    },
    retryAfterMs,
    options: o,
    onBreak,
    onReset: (listener) => breaker.onReset(safely(listener)),
    onHalfOpen: (listener) => breaker.onHalfOpen(safely(listener)),
    onStateChange,
    onRetry: retryEmitter.event,
  };
}
