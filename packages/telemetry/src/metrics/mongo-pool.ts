import type { BatchObservableResult, Meter } from '@opentelemetry/api';

/** Anything with the MongoClient event-emitter shape (no runtime import of mongodb). */
export interface PoolEventSource {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Current pool counters, as observed from the driver's connection-pool events. */
export interface PoolSnapshot {
  readonly total: number;
  readonly inUse: number;
  readonly available: number;
  readonly waitQueue: number;
}

/** Handle returned by `instrumentMongoPool`. */
export interface MongoPoolMetrics {
  snapshot(): PoolSnapshot;
  /** Removes the event listeners and metric callbacks. */
  stop(): void;
}

/** The identifying fields of the driver's CMAP event objects. */
interface PoolEvent {
  readonly address?: unknown;
  readonly connectionId?: unknown;
}

function connectionKey(event: unknown): string {
  const e = (typeof event === 'object' && event !== null ? event : {}) as PoolEvent;
  return `${String(e.address)}#${String(e.connectionId)}`;
}

function addressOf(event: unknown): string {
  return String(((typeof event === 'object' && event !== null ? event : {}) as PoolEvent).address);
}

/**
 * Tracks MongoDB connection-pool saturation from the driver's CMAP events and exports
 * `mongodb_pool_connections_in_use`, `mongodb_pool_connections_available`,
 * `mongodb_pool_connections_open` and `mongodb_pool_wait_queue_length` gauges.
 * Connections are tracked by address and id and count as open once ready: a connection still
 * handshaking when its pool is cleared is dropped by the driver without a `connectionClosed`
 * event, so counting `connectionCreated` would over-count for good after every pool clear.
 */
export function instrumentMongoPool(client: PoolEventSource, meter: Meter): MongoPoolMetrics {
  const open = new Set<string>();
  const checkedOut = new Set<string>();
  let waiting = 0;
  const dropAddress = (address: string): void => {
    for (const set of [open, checkedOut]) for (const key of set) if (key.startsWith(`${address}#`)) set.delete(key);
  };
  const handlers: Record<string, (event: unknown) => void> = {
    connectionReady: (e) => void open.add(connectionKey(e)),
    connectionClosed: (e) => {
      const key = connectionKey(e);
      open.delete(key);
      checkedOut.delete(key);
    },
    connectionCheckOutStarted: () => (waiting += 1),
    connectionCheckedOut: (e) => {
      waiting = Math.max(0, waiting - 1);
      checkedOut.add(connectionKey(e));
    },
    connectionCheckOutFailed: () => (waiting = Math.max(0, waiting - 1)),
    connectionCheckedIn: (e) => void checkedOut.delete(connectionKey(e)),
    // Every connection of a closed pool is gone, whether or not its close was reported.
    connectionPoolClosed: (e) => dropAddress(addressOf(e)),
  };
  for (const [event, handler] of Object.entries(handlers)) client.on(event, handler);

  const snapshot = (): PoolSnapshot => {
    let inUse = 0;
    for (const key of checkedOut) if (open.has(key)) inUse += 1;
    return { total: open.size, inUse, available: open.size - inUse, waitQueue: waiting };
  };
  const gauges = [
    meter.createObservableGauge('mongodb_pool_connections_in_use', { description: 'Pool connections checked out', unit: '1' }),
    meter.createObservableGauge('mongodb_pool_connections_available', { description: 'Idle pool connections', unit: '1' }),
    meter.createObservableGauge('mongodb_pool_connections_open', { description: 'Open pool connections', unit: '1' }),
    meter.createObservableGauge('mongodb_pool_wait_queue_length', { description: 'Operations waiting for a connection', unit: '1' }),
  ] as const;
  const callback = (results: BatchObservableResult): void => {
    const s = snapshot();
    results.observe(gauges[0], s.inUse);
    results.observe(gauges[1], s.available);
    results.observe(gauges[2], s.total);
    results.observe(gauges[3], s.waitQueue);
  };
  meter.addBatchObservableCallback(callback, [...gauges]);
  return {
    snapshot,
    stop() {
      for (const [event, handler] of Object.entries(handlers)) client.off(event, handler);
      meter.removeBatchObservableCallback(callback, [...gauges]);
    },
  };
}
