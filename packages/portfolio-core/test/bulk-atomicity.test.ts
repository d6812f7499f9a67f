import { afterEach, describe, expect, it } from 'vitest';
import { isInternalError } from '../src/error-guards.js';
import { createPortfolioService } from '../src/service/portfolio-service.js';
import { openMongoStore, topologies, type MongoFixture } from './mongo-fixture.js';

const cases = [
  ...topologies().map((t) => ({ label: `${t.name}, auto`, uri: t.uri, strategy: t.strategy, option: 'auto' as const })),
  {
    label: 'replset, forced compensation',
    uri: topologies()[0]!.uri,
    strategy: 'compensation' as const,
    option: 'compensation' as const,
  },
];

const at = new Date('2024-01-15T10:30:00.000Z');

describe.each(cases)('bulk insert all-or-nothing ($label)', ({ uri, strategy, option }) => {
  let fixture: MongoFixture | undefined;

  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  async function setup(): Promise<MongoFixture> {
    fixture = await openMongoStore(uri, { bulkStrategy: option });
    // A unique index only this test has: it makes the third item of a batch fail on the server.
    await fixture.store.collection.createIndex({ name: 1 }, { unique: true, name: 'test_unique_name' });
    await fixture.store.insertOne({ name: 'Clash', dateCreated: at, version: 1 });
    return fixture;
  }

  it(`uses the ${strategy} strategy and leaves nothing of a batch that fails in the middle`, async () => {
    const { store, commands } = await setup();
    expect(await store.bulkStrategy()).toBe(strategy);
    commands.length = 0;
    const batch = ['A1', 'A2', 'Clash', 'A3', 'A4'].map((name) => ({ name, dateCreated: at, version: 1 }));
    const error: unknown = await store.insertMany(batch).then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );
    expect((error as { code?: unknown }).code).toBe(11000);
    expect((await store.findAll()).map((p) => p.name)).toStrictEqual(['Clash']);
    expect(await store.collection.countDocuments({})).toBe(1);
    expect(commands).toStrictEqual(
      strategy === 'transaction' ? ['insert', 'abortTransaction', 'find', 'aggregate'] : ['insert', 'delete', 'find', 'aggregate'],
    );
  });

  it('reports the failure through the service as INTERNAL without opening the breaker, then accepts a good batch', async () => {
    const { store } = await setup();
    const service = createPortfolioService({ store });
    const error: unknown = await service.createMany([{ name: 'B1' }, { name: 'B2' }, { name: ' Clash ' }, { name: 'B3' }]).then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );
    expect(isInternalError(error)).toBe(true);
    expect(await store.collection.countDocuments({})).toBe(1);
    expect(service.policy.state).toBe('closed');
    const created = await service.createMany([{ name: 'C1' }, { name: 'C2' }, { name: 'C3' }]);
    expect(created.map((p) => p.name)).toStrictEqual(['C1', 'C2', 'C3']);
    expect((await service.list()).map((p) => p.name).sort()).toStrictEqual(['C1', 'C2', 'C3', 'Clash']);
  });
});
