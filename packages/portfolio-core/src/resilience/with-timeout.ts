/** An attempt exceeded its time budget (surfaces as the catalogue's TimeoutError). */
export class AttemptTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Attempt timed out after ${timeoutMs} ms`);
  }
}

/**
 * Settles with `fn()` or rejects with {@link AttemptTimeoutError} after `ms`. One timer per call;
 * an AbortController only when `cancellable` (cockatiel's timeout policy aborts a controller after
 * every call, and building that DOMException cost more than the rest of the policy). A plain read
 * or write is rejected at the deadline and abandoned to the driver. A cancellable operation is not
 * rejected: its signal is aborted and it settles itself — at once with the timeout error if it can
 * still undo its work, or with its true outcome once past the point of no return (a bulk commit
 * already sent), so a stored batch is never reported as failed.
 */
export function withTimeout<T>(
  ms: number,
  fn: (signal: AbortSignal | undefined) => Promise<T>,
  cancellable = false,
): Promise<T> {
  const controller = cancellable ? new AbortController() : undefined;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new AttemptTimeoutError(ms);
      // A cancellable operation decides itself how to end: before its point of no return (e.g. a
      // bulk commit sent) it rejects at once with this error; after it, it reports the real outcome.
      if (controller) controller.abort(error);
      else reject(error);
    }, ms);
    fn(controller?.signal).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
