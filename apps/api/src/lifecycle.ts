/** Shared start-up and shutdown state read by the probes and the server. */
export interface Lifecycle {
  /** True once initialisation (index creation) has completed. */
  readonly started: boolean;
  /** True once shutdown has begun; readiness fails from then on. */
  readonly draining: boolean;
  /** Marks initialisation complete. */
  markStarted(): void;
  /** Enters the draining phase. */
  startDrain(): void;
}

/** Creates a lifecycle that is neither started nor draining. */
export function createLifecycle(): Lifecycle {
  let started = false;
  let draining = false;
  return {
    get started() {
      return started;
    },
    get draining() {
      return draining;
    },
    markStarted() {
      started = true;
    },
    startDrain() {
      draining = true;
    },
  };
}
