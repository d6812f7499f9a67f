/** An attempt exceeded its time budget (surfaces as the catalogue's TimeoutError). */
export class AttemptTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Attempt timed out after ${timeoutMs} ms`);
  }
}

/**
 * Settles with `fn()` or rejects with {@link AttemptTimeoutError} after `ms`. One timer per call;
 * an AbortController only when `cancellable` (cockatiel's timeout policy aborts a controller after
 * every call, and building that DOMException cost more than the rest of the policy). On timeout the
 * signal is aborted so the operation can undo itself (e.g. a bulk insert that completes late); a
 * plain read or write is simply abandoned to the driver's own socket timeouts.
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
      controller?.abort(error);
      reject(error);
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
