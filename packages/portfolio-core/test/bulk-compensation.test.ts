import { randomUUID } from 'node:crypto';
import { startFaultProxy, type FaultProxy } from '@globeco/testkit';
import type { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createMongoClient } from '../src/store/mongo-client.js';
import { BulkCompensationError } from '../src/errors.js';
import { createMongoPortfolioStore, type MongoPortfolioStore } from '../src/store/mongo-store.js';
import { topologies } from './mongo-fixture.js';

const standalone = topologies()[1]!;
const at = new Date('2024-03-01T00:00:00.000Z');
const BATCH = ['D1', 'D2', 'Clash', 'D3'].map((name) => ({ name, dateCreated: at, version: 1 }));

describe.runIf(standalone.strategy === 'compensation')('compensating delete when the database drops out mid-batch (standalone)', () => {
  let proxy: FaultProxy | undefined;
  let direct: MongoClient | undefined;
  let client: MongoClient | undefined;
  let databaseName = '';

  afterEach(async () => {
    proxy?.refuse(false);
    await direct?.db(databaseName).dropDatabase().catch(() => undefined);
    await client?.close();
    await direct?.close();
    await proxy?.stop();
  });

  /**
   * A store behind a proxy; the batch's third item collides with a unique index, and the proxy cuts
   * every connection and refuses new ones the moment the insert has been answered.
   */
  async function setup(settle: { settleAttempts: number; settleDelayMs: number }): Promise<MongoPortfolioStore> {
    proxy = await startFaultProxy(standalone.uri);
    databaseName = `t_${randomUUID().replaceAll('-', '')}`;
    direct = createMongoClient({ uri: standalone.uri, minPoolSize: 0, maxPoolSize: 2 });
    const seed = createMongoPortfolioStore({ client: direct, databaseName });
    await seed.ensureIndexes();
    await seed.collection.createIndex({ name: 1 }, { unique: true, name: 'test_unique_name' });
    await seed.insertOne({ name: 'Clash', dateCreated: at, version: 1 });
    client = createMongoClient({ uri: proxy.uri, minPoolSize: 0, maxPoolSize: 5, serverSelectionTimeoutMS: 400, monitorCommands: true });
    const store = createMongoPortfolioStore({ client, databaseName, bulkStrategy: 'compensation', ...settle });
    await store.ping();
    client.on('commandSucceeded', (e) => {
      if (e.commandName !== 'insert') return;
      proxy!.refuse(true);
      proxy!.dropConnections();
    });
    return store;
  }

  async function storedNames(): Promise<string[]> {
    return (await createMongoPortfolioStore({ client: direct!, databaseName }).findAll()).map((p) => p.name).sort();
  }

  it('retries the delete until the database answers again, leaving nothing of the batch', async () => {
    const store = await setup({ settleAttempts: 8, settleDelayMs: 50 });
    const pending = store.insertMany(BATCH).then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );
    // The database comes back while the compensation is still retrying.
    setTimeout(() => proxy!.refuse(false), 600);
    const error = await pending;
    expect((error as { code?: unknown }).code).toBe(11000);
    expect(await storedNames()).toStrictEqual(['Clash']);
  });

  it('reports exactly which ids may remain when the database stays away past the bound', async () => {
    const store = await setup({ settleAttempts: 3, settleDelayMs: 10 });
    const error = await store.insertMany(BATCH).then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );
    proxy!.refuse(false);
    expect(error).toBeInstanceOf(BulkCompensationError);
    const failure = error as BulkCompensationError;
    expect((failure.cause as { code?: unknown }).code).toBe(11000);
    const leftovers = await direct!.db(databaseName).collection('portfolio').find({ name: { $in: ['D1', 'D2'] } }).toArray();
    expect(leftovers.map((d) => d.name as string).sort()).toStrictEqual(['D1', 'D2']);
    // Every id of the batch is named: the two stored ones and the two that never reached the server.
    expect(failure.remainingIds).toHaveLength(BATCH.length);
    expect(leftovers.every((d) => failure.remainingIds.includes((d._id as { toHexString(): string }).toHexString()))).toBe(true);
    expect(failure.message).toBe(`Bulk insert failed and 4 of its documents could not be removed again: ${failure.remainingIds.join(', ')}`);
  });
});
