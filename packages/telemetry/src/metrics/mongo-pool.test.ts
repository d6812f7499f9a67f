import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestMeter, points, type TestMeter } from '../../test/support/meter.js';
import { instrumentMongoPool } from './mongo-pool.js';

let tm: TestMeter;
afterEach(async () => {
  await tm.shutdown();
});

/** Emits CMAP events shaped as the driver's (address + connectionId). */
function driverEvents(client: EventEmitter, address = 'db-0:27017') {
  return (event: string, connectionId?: number) => client.emit(event, connectionId === undefined ? { address } : { address, connectionId });
}

describe('instrumentMongoPool', () => {
  it('derives in-use, available, total and wait-queue gauges from CMAP events', async () => {
    tm = createTestMeter();
    const client = new EventEmitter();
    const pool = instrumentMongoPool(client, tm.meter);
    const emit = driverEvents(client);
    for (const id of [1, 2, 3]) {
      emit('connectionCreated', id);
      emit('connectionReady', id);
    }
    emit('connectionCheckOutStarted');
    emit('connectionCheckedOut', 1);
    emit('connectionCheckOutStarted');
    emit('connectionCheckedOut', 2);
    emit('connectionCheckOutStarted');
    emit('connectionCheckOutStarted');
    emit('connectionCheckOutFailed');
    expect(pool.snapshot()).toStrictEqual({ total: 3, inUse: 2, available: 1, waitQueue: 1 });

    const m = await tm.collect();
    expect(
      ['mongodb_pool_connections_in_use', 'mongodb_pool_connections_available', 'mongodb_pool_connections_open', 'mongodb_pool_wait_queue_length'].map((n) =>
        points(m.get(n)),
      ),
    ).toStrictEqual([[[{}, 2]], [[{}, 1]], [[{}, 3]], [[{}, 1]]]);

    emit('connectionCheckedIn', 1);
    emit('connectionClosed', 3);
    expect(pool.snapshot()).toStrictEqual({ total: 2, inUse: 1, available: 1, waitQueue: 1 });
    pool.stop();
    emit('connectionReady', 9);
    expect(pool.snapshot().total).toBe(2);
    expect(client.listenerCount('connectionReady')).toBe(0);
  });

  it('does not over-count after a pool clear drops a handshaking connection without a close event', () => {
    tm = createTestMeter();
    const client = new EventEmitter();
    const pool = instrumentMongoPool(client, tm.meter);
    const emit = driverEvents(client);
    emit('connectionCreated', 1);
    emit('connectionReady', 1);
    emit('connectionCheckOutStarted');
    emit('connectionCheckedOut', 1);
    emit('connectionCreated', 2); // still handshaking when the pool is cleared
    emit('connectionPoolCleared');
    // The driver destroys connection 2 silently (pool not ready) and closes 1 as stale on check-in.
    emit('connectionCheckedIn', 1);
    emit('connectionClosed', 1);
    expect(pool.snapshot()).toStrictEqual({ total: 0, inUse: 0, available: 0, waitQueue: 0 });
    emit('connectionCreated', 3);
    emit('connectionReady', 3);
    expect(pool.snapshot()).toStrictEqual({ total: 1, inUse: 0, available: 1, waitQueue: 0 });
    pool.stop();
  });

  it('keeps pools of different servers apart and forgets every connection of a closed pool', () => {
    tm = createTestMeter();
    const client = new EventEmitter();
    const pool = instrumentMongoPool(client, tm.meter);
    const a = driverEvents(client, 'db-0:27017');
    const b = driverEvents(client, 'db-1:27017');
    a('connectionReady', 1);
    b('connectionReady', 1);
    b('connectionCheckedOut', 1);
    expect(pool.snapshot()).toStrictEqual({ total: 2, inUse: 1, available: 1, waitQueue: 0 });
    b('connectionPoolClosed');
    expect(pool.snapshot()).toStrictEqual({ total: 1, inUse: 0, available: 1, waitQueue: 0 });
    pool.stop();
  });
});
