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

/**
 * Tracks MongoDB connection-pool saturation from the driver's CMAP events and exports
 * `mongodb_pool_connections_in_use`, `mongodb_pool_connections_available`,
 * `mongodb_pool_connections_open` and `mongodb_pool_wait_queue_length` gauges.
 */
export function instrumentMongoPool(client: PoolEventSource, meter: Meter): MongoPoolMetrics {
  let total = 0;
  let inUse = 0;
  let waiting = 0;
  const handlers: Record<string, () => void> = {
    connectionCreated: () => (total += 1),
    connectionClosed: () => (total = Math.max(0, total - 1)),
    connectionCheckOutStarted: () => (waiting += 1),
    connectionCheckedOut: () => {
      waiting = Math.max(0, waiting - 1);
      inUse += 1;
    },
    connectionCheckOutFailed: () => (waiting = Math.max(0, waiting - 1)),
    connectionCheckedIn: () => (inUse = Math.max(0, inUse - 1)),
  };
  for (const [event, handler] of Object.entries(handlers)) client.on(event, handler);

  const snapshot = (): PoolSnapshot => {
    const used = Math.min(inUse, total);
    return { total, inUse: used, available: total - used, waitQueue: waiting };
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
