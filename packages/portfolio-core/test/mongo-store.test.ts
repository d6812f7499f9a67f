import type {} from '@globeco/testkit/vitest-setup';
import { Double, Long, MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPortfolioService } from '../src/service/portfolio-service.js';
import { dropLegacyNameLower, LEGACY_NAME_LOWER_INDEX } from '../src/store/legacy-name-lower.js';
import { PORTFOLIO_INDEXES } from '../src/store/mongo-store.js';
import { openMongoStore, topologies, type MongoFixture } from './mongo-fixture.js';
import { describeStoreContract } from './store-contract.js';
import { summarizePlan as planOf } from '@globeco/testkit';

for (const topology of topologies()) {
  describeStoreContract(`mongo (${topology.name})`, () => openMongoStore(topology.uri));
}

const at = new Date('2024-04-01T00:00:00.000Z');
const page = { limit: 10, offset: 0 };


describe.each(topologies())('documents written by another program ($name)', ({ uri }) => {
  let fixture: MongoFixture;
  let other: MongoClient;

  beforeAll(async () => {
    fixture = await openMongoStore(uri);
    // A second client, as another GlobeCo program would have: it knows nothing of this store.
    other = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
    await other.connect();
  });

  afterAll(async () => {
    await other.close();
    await fixture.close();
  });

  it('list as JSON read from the raw BSON exactly as the documents render, whatever other programs stored', async () => {
    const raw = other.db(fixture.store.collection.dbName).collection('portfolio');
    const day = (n: number): Date => new Date(Date.UTC(2024, 0, 1 + n, n % 24, 0, 0, n));
    await raw.insertMany([
      // Usual documents, then the other shapes a document may have: extra fields, other numeric
      // types, a version stored as int64 or double, a subdocument, a missing field, a pre-1970 date.
      ...Array.from({ length: 22 }, (_, i) => ({ _id: new ObjectId(), name: `Fund "${i}" é€😀\t`, dateCreated: day(i), version: i + 1 })),
      { _id: new ObjectId(), name: 'Legacy', nameLower: 'legacy', dateCreated: day(30), version: Long.fromNumber(7) },
      { _id: new ObjectId(), name: 'Double', dateCreated: day(31), version: new Double(2) },
      { _id: new ObjectId(), name: 'Tagged', dateCreated: day(32), version: 1, tags: { a: [1, 2] }, flag: true, none: null },
      { _id: new ObjectId(), name: 'No version', dateCreated: day(33) },
      { _id: new ObjectId(), name: 'Apollo', dateCreated: new Date('1969-07-20T20:17:40.000Z'), version: 1 },
    ]);
    const { store } = fixture;
    const expected: string[] = [];
    const objects = store.streamAll({ batchSize: 10 });
    for (let batch = await objects.next(); batch !== undefined; batch = await objects.next()) expected.push(batch.map((p) => JSON.stringify(p)).join(','));
    const json = store.streamAllJson({ batchSize: 10 });
    const batches: string[] = [];
    for (let batch = await json.next(); batch !== undefined; batch = await json.next()) batches.push(batch);
    expect(batches).toStrictEqual(expected);
    expect(batches).toHaveLength(3);
    expect(await json.next()).toBeUndefined();
    const listed = JSON.parse(`[${batches.join(',')}]`) as { name: string; version?: number }[];
    expect(listed).toHaveLength(27);
    expect(listed.find((p) => p.name === 'Legacy')?.version).toBe(7);
    expect(listed.find((p) => p.name === 'No version')).not.toHaveProperty('version');
    await json.close();
    await store.collection.deleteMany({});
  });

  it('are found by exact and partial search at once, and under their new name once renamed', async () => {
    const raw = other.db(fixture.store.collection.dbName).collection('portfolio');
    const _id = new ObjectId();
    await raw.insertOne({ _id, name: 'Legacy Alpha Fund', dateCreated: at, version: 1 });
    const expected = { portfolioId: _id.toHexString(), name: 'Legacy Alpha Fund', dateCreated: at, version: 1 };
    const { store } = fixture;
    expect(await store.search({ name: 'legacy alpha fund', ...page })).toStrictEqual({ items: [expected], total: 1 });
    expect(await store.search({ nameLike: 'ALPHA', ...page })).toStrictEqual({ items: [expected], total: 1 });
    expect(await store.findExistingNames(['LEGACY alpha FUND', 'Other'])).toStrictEqual(['LEGACY alpha FUND']);

    await raw.updateOne({ _id }, { $set: { name: 'Renamed Beta Fund' } });
    expect(await store.search({ name: 'legacy alpha fund', ...page })).toStrictEqual({ items: [], total: 0 });
    expect(await store.search({ nameLike: 'alpha', ...page })).toStrictEqual({ items: [], total: 0 });
    const renamed = { ...expected, name: 'Renamed Beta Fund' };
    expect(await store.search({ name: 'renamed BETA fund', ...page })).toStrictEqual({ items: [renamed], total: 1 });
    expect(await store.search({ nameLike: 'beta f', ...page })).toStrictEqual({ items: [renamed], total: 1 });
    expect(await store.findExistingNames(['Legacy Alpha Fund', 'renamed beta fund'])).toStrictEqual(['renamed beta fund']);
    await store.collection.deleteMany({});
  });

  it('a nameLower field left by an earlier version is ignored, and the one-off command removes it', async () => {
    const db = other.db(fixture.store.collection.dbName);
    const raw = db.collection('portfolio');
    const _id = new ObjectId();
    // An earlier version's document, renamed since by a program that did not know about nameLower.
    await raw.insertOne({ _id, name: 'Gamma Fund', nameLower: 'stale old name', dateCreated: at, version: 2 });
    await raw.createIndex({ nameLower: 1, dateCreated: -1, _id: -1 }, { name: LEGACY_NAME_LOWER_INDEX });
    const expected = { portfolioId: _id.toHexString(), name: 'Gamma Fund', dateCreated: at, version: 2 };
    expect(await fixture.store.search({ name: 'GAMMA FUND', ...page })).toStrictEqual({ items: [expected], total: 1 });
    expect(await fixture.store.search({ name: 'stale old name', ...page })).toStrictEqual({ items: [], total: 0 });
    expect(await fixture.store.findById(_id.toHexString())).toStrictEqual(expected);

    expect(await dropLegacyNameLower(raw)).toStrictEqual({ documentsUpdated: 1, indexDropped: true });
    expect(await raw.findOne({ _id })).toStrictEqual({ _id, name: 'Gamma Fund', dateCreated: at, version: 2 });
    expect((await raw.indexes()).map((i) => i.name)).not.toContain(LEGACY_NAME_LOWER_INDEX);
    // Idempotent.
    expect(await dropLegacyNameLower(raw)).toStrictEqual({ documentsUpdated: 0, indexDropped: false });
    await fixture.store.collection.deleteMany({});
  });

  it('stores exactly _id, name, dateCreated and version, through every write', async () => {
    const { store } = fixture;
    const service = createPortfolioService({ store });
    const one = await store.insertOne({ name: 'Mixed Case', dateCreated: at, version: 1 });
    await store.updateVersioned(one.portfolioId, 1, { name: 'Other NAME' });
    await service.createMany([{ name: 'Bulk One' }, { name: 'Bulk Two' }]);
    const docs = await other.db(store.collection.dbName).collection('portfolio').find({}).toArray();
    expect(docs).toHaveLength(3);
    for (const doc of docs) expect(Object.keys(doc).sort()).toStrictEqual(['_id', 'dateCreated', 'name', 'version']);
    expect(docs.find((d) => d._id.toHexString() === one.portfolioId)).toStrictEqual({
      _id: ObjectId.createFromHexString(one.portfolioId),
      name: 'Other NAME',
      dateCreated: at,
      version: 2,
    });
    await store.collection.deleteMany({});
  });
});

describe('MongoPortfolioStore indexes', () => {
  let fixture: MongoFixture;

  beforeAll(async () => {
    fixture = await openMongoStore(topologies()[0]!.uri);
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('creates its indexes idempotently, the name index with the case-insensitive collation', async () => {
    const names = PORTFOLIO_INDEXES.map((i) => i.name);
    expect(await fixture.store.ensureIndexes()).toStrictEqual(names);
    const indexes = await fixture.store.collection.indexes();
    expect(indexes.map((i) => i.name).sort()).toStrictEqual(['_id_', ...names].sort());
    const byName = indexes.find((i) => i.name === 'name_1_dateCreated_-1__id_-1');
    expect(byName?.key).toStrictEqual({ name: 1, dateCreated: -1, _id: -1 });
    expect(byName?.collation).toMatchObject({ locale: 'en', strength: 2 });
    expect(indexes.find((i) => i.name === 'dateCreated_-1__id_-1')?.collation).toBeUndefined();
  });

  it('serves every query from an index (explain)', async () => {
    const { store } = fixture;
    await store.insertOne({ name: 'Explained', dateCreated: at, version: 1 });
    const exact = planOf(await store.explainSearch({ name: 'explained', ...page }));
    expect(exact.indexes).toStrictEqual(['name_1_dateCreated_-1__id_-1']);
    expect(exact.stages).not.toContain('SORT');
    const listing = planOf(await store.explainSearch(page));
    expect(listing.indexes).toStrictEqual(['dateCreated_-1__id_-1']);
    // A regex cannot use the collated index; the listing index gives the order, the filter runs on fetch.
    const like = planOf(await store.explainSearch({ nameLike: 'plain', ...page }));
    expect(like.indexes).toStrictEqual(['dateCreated_-1__id_-1']);
    expect(like.stages).not.toContain('SORT');
    const existing = planOf(await store.explainExistingNames(['Explained', 'other']));
    expect(existing.indexes).toStrictEqual(['name_1_dateCreated_-1__id_-1']);
    for (const plan of [exact, listing, like, existing]) expect(plan.stages).not.toContain('COLLSCAN');
  });
});
