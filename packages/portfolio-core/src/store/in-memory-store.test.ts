import { describe, expect, it } from 'vitest';
import { describeStoreContract } from '../../test/store-contract.js';
import { InMemoryPortfolioStore } from './in-memory-store.js';

describeStoreContract('in-memory', () => {
  const store = new InMemoryPortfolioStore();
  return Promise.resolve({
    store,
    clear: () => Promise.resolve(store.clear()),
    close: () => Promise.resolve(),
  });
});

describe('InMemoryPortfolioStore faults', () => {
  const item = { name: 'x', dateCreated: new Date('2024-01-01T00:00:00.000Z'), version: 1 };

  it('rolls back a batch that fails in the middle', async () => {
    const store = new InMemoryPortfolioStore();
    await store.insertOne(item);
    const boom = new Error('boom');
    store.injectFault('insertMany', boom, { atIndex: 2 });
    await expect(store.insertMany([item, item, item, item])).rejects.toBe(boom);
    expect(store.size).toBe(1);
    expect(await store.insertMany([item, item])).toHaveLength(2);
    expect(store.size).toBe(3);
  });

  it('fails the armed operation the given number of times, as a rejection', async () => {
    const store = new InMemoryPortfolioStore();
    const boom = new Error('down');
    store.injectFault('ping', boom, { times: 2 });
    const outcomes = await Promise.allSettled([store.ping(), store.ping(), store.ping()]);
    expect(outcomes.map((o) => o.status)).toStrictEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('returns copies, so callers cannot change stored data', async () => {
    const store = new InMemoryPortfolioStore();
    const created = await store.insertOne(item);
    created.dateCreated.setUTCFullYear(1999);
    expect((await store.findById(created.portfolioId))?.dateCreated).toStrictEqual(item.dateCreated);
  });
});
