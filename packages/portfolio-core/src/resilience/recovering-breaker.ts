import { CircuitState, type IBreaker } from 'cockatiel';

/** Public state of the database circuit breaker. */
export type CircuitBreakerState = 'closed' | 'open' | 'half-open';

/**
 * Counts consecutive failures while closed; after a half-open trial succeeds it requires
 * `successThreshold` consecutive successes before reporting the breaker closed, and any failure in
 * that window reopens it.
 */
export class RecoveringBreaker implements IBreaker {
  phase: CircuitBreakerState = 'closed';
  private failures = 0;
  private successes = 0;

  constructor(
    private readonly failureThreshold: number,
    private readonly successThreshold: number,
    private readonly recovered: () => void,
  ) {}

  get state(): unknown {
    return { failures: this.failures, successes: this.successes, phase: this.phase };
  }

  set state(_value: unknown) {
    // Restoring serialized state is not supported; a new breaker starts closed.
  }

  enterHalfOpen(): void {
    this.phase = 'half-open';
    this.successes = 0;
  }

  enterOpen(): void {
    this.phase = 'open';
    this.failures = 0;
    this.successes = 0;
  }

  /** Called when cockatiel itself closed after a trial: recover now if enough successes. */
  maybeRecover(): void {
    if (this.phase === 'half-open' && this.successes >= this.successThreshold) {
      this.phase = 'closed';
      this.recovered();
    }
  }

  success(state: CircuitState): void {
    this.failures = 0;
    if (this.phase !== 'half-open') return;
    this.successes += 1;
    // The trial call's success arrives before cockatiel leaves HalfOpen; recover on its onReset.
    if (state !== CircuitState.HalfOpen) this.maybeRecover();
  }

  failure(state: CircuitState): boolean {
    if (state === CircuitState.HalfOpen || this.phase === 'half-open') return true;
    this.failures += 1;
    return this.failures >= this.failureThreshold;
  }
}
