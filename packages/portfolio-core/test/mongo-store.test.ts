import type {} from '@globeco/testkit/vitest-setup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTFOLIO_INDEXES } from '../src/store/mongo-store.js';
import { openMongoStore, topologies, type MongoFixture } from './mongo-fixture.js';
import { describeStoreContract } from './store-contract.js';

for (const topology of topologies()) {
  describeStoreContract(`mongo (${topology.name})`, () => openMongoStore(topology.uri));
}

describe('MongoPortfolioStore specifics', () => {
  let fixture: MongoFixture;

  beforeAll(async () => {
    fixture = await openMongoStore(topologies()[0]!.uri);
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('creates its indexes idempotently', async () => {
    const names = PORTFOLIO_INDEXES.map((i) => i.name);
    expect(await fixture.store.ensureIndexes()).toStrictEqual(names);
    const indexes = await fixture.store.collection.indexes();
    expect(indexes.map((i) => i.name).sort()).toStrictEqual(['_id_', ...names].sort());
  });

  it('stores only the domain fields plus the lower-cased name', async () => {
    const created = await fixture.store.insertOne({ name: 'Mixed Case', dateCreated: new Date('2024-01-01T00:00:00Z'), version: 1 });
    const raw = await fixture.store.collection.findOne({});
    expect(raw).toStrictEqual({
      _id: expect.anything() as unknown,
      name: 'Mixed Case',
      nameLower: 'mixed case',
      dateCreated: new Date('2024-01-01T00:00:00Z'),
      version: 1,
    });
    expect(raw?._id.toHexString()).toBe(created.portfolioId);
    await fixture.store.updateVersioned(created.portfolioId, 1, { name: 'Other NAME' });
    expect((await fixture.store.collection.findOne({}))?.nameLower).toBe('other name');
  });

  it('serves searches and listings from indexes (explain)', async () => {
    const winning = async (criteria: Parameters<typeof fixture.store.explainSearch>[0]) => {
      const plan = await fixture.store.explainSearch(criteria);
      return JSON.stringify((plan as { queryPlanner: { winningPlan: unknown } }).queryPlanner.winningPlan);
    };
    expect(await winning({ name: 'x', limit: 10, offset: 0 })).toContain('"indexName":"nameLower_1_dateCreated_-1__id_-1"');
    expect(await winning({ limit: 10, offset: 0 })).toContain('"indexName":"dateCreated_-1__id_-1"');
    expect(await winning({ name: 'x', limit: 10, offset: 0 })).not.toContain('COLLSCAN');
  });
});
