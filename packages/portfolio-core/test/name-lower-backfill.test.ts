import { randomUUID } from 'node:crypto';
import { ObjectId, type MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createMongoClient } from '../src/store/mongo-client.js';
import { createMongoPortfolioStore } from '../src/store/mongo-store.js';
import { topologies } from './mongo-fixture.js';

const at = new Date('2024-04-01T00:00:00.000Z');

describe.each(topologies())('nameLower backfill of documents written by other programs ($name)', ({ uri }) => {
  let client: MongoClient | undefined;
  let databaseName = '';

  afterEach(async () => {
    await client?.db(databaseName).dropDatabase();
    await client?.close();
  });

  it('fills nameLower in bounded batches at ensureIndexes, so exact search and the existing-name check see them', async () => {
    client = createMongoClient({ uri, minPoolSize: 0, maxPoolSize: 2, monitorCommands: true });
    databaseName = `t_${randomUUID().replaceAll('-', '')}`;
    const raw = client.db(databaseName).collection('portfolio');
    const ids = Array.from({ length: 6 }, (_, i) => new ObjectId(`65a000000000000000000${String(i).padStart(3, '0')}`));
    await raw.insertMany([
      { _id: ids[0], name: 'Legacy Alpha', dateCreated: at, version: 1 },
      { _id: ids[1], name: '  Padded Beta ', dateCreated: at, version: 1 },
      { _id: ids[2], name: 'GAMMA', dateCreated: at, version: 3 },
      { _id: ids[3], name: 42, dateCreated: at, version: 1 },
      { _id: ids[4], name: 'Kept', nameLower: 'kept', dateCreated: at, version: 1 },
      { _id: ids[5], name: 'Delta', dateCreated: at, version: 1 },
    ]);
    const store = createMongoPortfolioStore({ client, databaseName, backfillBatchSize: 2 });
    const commands: string[] = [];
    client.on('commandStarted', (e) => commands.push(e.commandName));
    await store.ensureIndexes();
    // Four documents in batches of two: three finds (the last one empty), two bulk updates.
    expect(commands.filter((c) => c === 'find' || c === 'update')).toStrictEqual(['find', 'update', 'find', 'update', 'find']);

    const docs = await raw.find({}, { projection: { _id: 1, nameLower: 1 } }).sort({ _id: 1 }).toArray();
    expect(docs).toStrictEqual([
      { _id: ids[0], nameLower: 'legacy alpha' },
      { _id: ids[1], nameLower: 'padded beta' },
      { _id: ids[2], nameLower: 'gamma' },
      { _id: ids[3] },
      { _id: ids[4], nameLower: 'kept' },
      { _id: ids[5], nameLower: 'delta' },
    ]);
    expect((await store.search({ name: 'gamma', limit: 10, offset: 0 })).items.map((p) => p.portfolioId)).toStrictEqual([
      ids[2]!.toHexString(),
    ]);
    expect(await store.findExistingNames(['legacy ALPHA', 'Padded Beta', 'Nope'])).toStrictEqual(['legacy ALPHA', 'Padded Beta']);

    // Idempotent: a second run finds nothing to do and changes nothing.
    expect(await store.backfillNameLower()).toBe(0);
    expect(await raw.countDocuments({ nameLower: { $exists: true } })).toBe(5);
  });
});
