import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestMeter, points, type TestMeter } from '../../test/support/meter.js';
import { instrumentMongoPool } from './mongo-pool.js';

let tm: TestMeter;
afterEach(async () => {
  await tm.shutdown();
});

describe('instrumentMongoPool', () => {
  it('derives in-use, available, total and wait-queue gauges from CMAP events', async () => {
    tm = createTestMeter();
    const client = new EventEmitter();
    const pool = instrumentMongoPool(client, tm.meter);
    const emit = (...events: string[]) => events.forEach((e) => client.emit(e, {}));
    emit('connectionCreated', 'connectionCreated', 'connectionCreated');
    emit('connectionCheckOutStarted', 'connectionCheckedOut', 'connectionCheckOutStarted', 'connectionCheckedOut');
    emit('connectionCheckOutStarted', 'connectionCheckOutStarted', 'connectionCheckOutFailed');
    expect(pool.snapshot()).toStrictEqual({ total: 3, inUse: 2, available: 1, waitQueue: 1 });

    const m = await tm.collect();
    expect(
      ['mongodb_pool_connections_in_use', 'mongodb_pool_connections_available', 'mongodb_pool_connections_open', 'mongodb_pool_wait_queue_length'].map((n) =>
        points(m.get(n)),
      ),
    ).toStrictEqual([[[{}, 2]], [[{}, 1]], [[{}, 3]], [[{}, 1]]]);

    emit('connectionCheckedIn', 'connectionClosed');
    expect(pool.snapshot()).toStrictEqual({ total: 2, inUse: 1, available: 1, waitQueue: 1 });
    pool.stop();
    emit('connectionCreated');
    expect(pool.snapshot().total).toBe(2);
    expect(client.listenerCount('connectionCreated')).toBe(0);
  });
});
