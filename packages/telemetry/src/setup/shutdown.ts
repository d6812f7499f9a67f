/** Longest `shutdown()` waits for the final export: a dead or hanging collector must not hold up a pod's exit. */
export const SHUTDOWN_BUDGET_MS = 1_500;

/**
 * What the builders register for shutdown, in three phases: stop producing (instrumentations,
 * monitors), flush the providers together within one budget, release the globals.
 */
export interface ShutdownSteps {
  readonly stops: (() => void)[];
  readonly flushes: (() => Promise<void>)[];
  readonly releases: (() => void)[];
}

/** Creates the empty step lists the builders fill. */
export function createShutdownSteps(): ShutdownSteps {
  return { stops: [], flushes: [], releases: [] };
}

/** Resolves when `p` settles or after `ms`, whichever comes first; never rejects. */
export function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs cleanup steps in reverse order of registration; one failing step does not stop the others. */
function runAll(steps: (() => void)[]): void {
  for (const step of steps.splice(0).reverse()) {
    try {
      step();
    } catch {
      // shutdown never fails the host
    }
  }
}

/**
 * Creates the host's `shutdown()`: runs every phase once (later calls get the same promise), the
 * flushes within {@link SHUTDOWN_BUDGET_MS}; never rejects.
 */
export function createShutdown(steps: ShutdownSteps, after: () => void = () => undefined): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () => {
    stopped ??= (async () => {
      runAll(steps.stops);
      await withTimeout(Promise.allSettled(steps.flushes.splice(0).map(async (flush) => flush())), SHUTDOWN_BUDGET_MS);
      runAll(steps.releases);
      after();
    })();
    return stopped;
  };
}

/** Undoes a failed start at once: stops, flushes in the background, releases. */
export function abandon(steps: ShutdownSteps): void {
  runAll(steps.stops);
  for (const flush of steps.flushes.splice(0)) void flush().catch(() => undefined);
  runAll(steps.releases);
}
