/** Bounds on settling a failed bulk insert: how many tries and the first backoff delay (doubling). */
export interface SettleBounds {
  readonly attempts: number;
  readonly delayMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` up to `bounds.attempts` times while its error is `retryable`, waiting `delayMs`, then
 * twice that and so on between tries; rethrows the last error.
 */
export async function withSettleBackoff<T>(bounds: SettleBounds, fn: () => Promise<T>, retryable: (error: unknown) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (attempt + 1 >= bounds.attempts || !retryable(error)) throw error;
      await sleep(bounds.delayMs * 2 ** attempt);
    }
  }
}

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts (work goes on). */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
