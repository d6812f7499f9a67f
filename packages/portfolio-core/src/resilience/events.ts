/** Handle returned by event subscriptions; `dispose()` unsubscribes. */
export interface Subscription {
  /** Stops delivering events to the listener. */
  dispose(): void;
}

/** Subscribes a listener to an event, cockatiel-style: `policy.onBreak((e) => …)`. */
export type EventSource<T> = (listener: (event: T) => void) => Subscription;

/** A minimal synchronous emitter; a throwing listener never breaks the caller. */
export class Emitter<T> {
  private readonly listeners = new Set<(event: T) => void>();

  /** The subscribe function handed to consumers. */
  readonly event: EventSource<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Delivers `event` to every listener. */
  emit(event: T): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // Observers must not change the outcome of a database call.
      }
    }
  }
}
