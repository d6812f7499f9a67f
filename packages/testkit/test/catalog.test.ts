import { ObjectId, type Document, type Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { failure, useFreshCollection } from './helpers.js';

const t = useFreshCollection('k');

/** The winning plan of an explain reply. */
function winning(explained: Document): unknown {
  return (explained.queryPlanner as Document).winningPlan;
}

/** Every `stage` name in a plan tree. */
function stages(plan: unknown): string[] {
  if (!plan || typeof plan !== 'object') return [];
  const p = plan as Document;
  const own = typeof p.stage === 'string' ? [p.stage] : [];
  const children = [p.inputStage, ...((p.inputStages as unknown[] | undefined) ?? [])];
  return [...own, ...children.flatMap(stages)];
}

describe('indexes', () => {
  it('creates, lists and drops indexes', async () => {
    expect(await t.coll.createIndex({ name: 1 }, { unique: true })).toBe('name_1');
    expect(await t.coll.createIndex({ dateCreated: -1, name: 1 })).toBe('dateCreated_-1_name_1');
    expect(await t.coll.createIndex({ name: 1 }, { unique: true })).toBe('name_1');
    const listed = (await t.coll.listIndexes().toArray()).map((i: Document) => [i.name as string, i.key as Document, (i.unique as boolean | undefined) ?? false]);
    expect(listed).toStrictEqual([
      ['_id_', { _id: 1 }, false],
      ['name_1', { name: 1 }, true],
      ['dateCreated_-1_name_1', { dateCreated: -1, name: 1 }, false],
    ]);
    await t.coll.dropIndex('dateCreated_-1_name_1');
    expect((await t.coll.listIndexes().toArray()).map((i: Document) => i.name as string)).toStrictEqual(['_id_', 'name_1']);
  });

  it('refuses a unique index over existing duplicates', async () => {
    await t.coll.insertMany([{ k: 1 }, { k: 1 }]);
    const err = await failure(t.coll.createIndex({ k: 1 }, { unique: true }));
    expect(err.code).toBe(11000);
  });

  it('enforces compound unique keys on the combination only', async () => {
    await t.coll.createIndex({ a: 1, b: 1 }, { unique: true });
    await t.coll.insertMany([{ a: 1, b: 1 }, { a: 1, b: 2 }]);
    const err = await failure(t.coll.insertOne({ a: 1, b: 2 }));
    expect([err.code, err.keyValue]).toStrictEqual([11000, { a: 1, b: 2 }]);
  });

  it('answers $text queries as a case-insensitive word match', async () => {
    await t.coll.createIndex({ name: 'text' });
    await t.coll.insertMany([{ name: 'Global Growth' }, { name: 'growth equity' }, { name: 'Income Fund' }, { name: 'Overgrowth' }]);
    const found = await t.coll.find({ $text: { $search: 'GROWTH' } }, { projection: { _id: 0, name: 1 } }).sort({ name: 1 }).toArray();
    expect(found).toStrictEqual([{ name: 'Global Growth' }, { name: 'growth equity' }]);
    expect(await t.coll.countDocuments({ $text: { $search: 'income fund' } })).toBe(1);
  });

  it('explains which plan serves a query', async () => {
    await t.coll.createIndex({ name: 1 }, { unique: true });
    await t.coll.createIndex({ dateCreated: -1 });
    await t.coll.insertMany([{ name: 'a', dateCreated: new Date(1), v: 1 }, { name: 'b', dateCreated: new Date(2), v: 2 }]);
    const byName = await t.coll.find({ name: 'a' }).explain('queryPlanner');
    expect(stages(winning(byName))).toContain('IXSCAN');
    const bySortedDate = await t.coll.find({}).sort({ dateCreated: -1 }).limit(10).explain('queryPlanner');
    expect(stages(winning(bySortedDate))).toContain('IXSCAN');
    expect(stages(winning(bySortedDate))).not.toContain('SORT');
    const unindexed = await t.coll.find({ v: 2 }).explain('queryPlanner');
    expect(stages(winning(unindexed))).toContain('COLLSCAN');
    const byId = await t.coll.find({ _id: new ObjectId() }).explain('queryPlanner');
    expect(stages(winning(byId))).not.toContain('COLLSCAN');
    const regex = await t.coll.find({ name: /^a/i }).explain('queryPlanner');
    expect(stages(winning(regex))).toContain('IXSCAN');
  });

  it('explains aggregate and count', async () => {
    await t.coll.createIndex({ name: 1 });
    await t.coll.insertOne({ name: 'a' });
    const agg: Document = await t.coll.aggregate([{ $match: { name: 'a' } }]).explain('queryPlanner');
    const cursorStage = (agg.stages as Document[] | undefined)?.[0]?.$cursor as Document | undefined;
    const planner = (agg.queryPlanner ?? cursorStage?.queryPlanner) as Document;
    expect(stages(planner.winningPlan)).toContain('IXSCAN');
    const count = await t.env.db.command({ explain: { count: t.coll.collectionName, query: { other: 1 } }, verbosity: 'queryPlanner' });
    expect(stages((count.queryPlanner as Document).winningPlan)).toContain('COLLSCAN');
  });
});

describe('cursors', () => {
  it('kills an open cursor; a later getMore is CursorNotFound', async () => {
    await t.coll.insertMany(Array.from({ length: 20 }, (_, i) => ({ i })));
    const first = await t.env.db.command({ find: t.coll.collectionName, filter: {}, batchSize: 5 }, { promoteLongs: false });
    const cursor = first.cursor as Document;
    expect((cursor.firstBatch as Document[]).length).toBe(5);
    const id = cursor.id as Long;
    expect(id.isZero()).toBe(false);
    const more = await t.env.db.command({ getMore: id, collection: t.coll.collectionName, batchSize: 10 }, { promoteLongs: false });
    expect(((more.cursor as Document).nextBatch as Document[]).map((d) => d.i as number)).toStrictEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    const killed = await t.env.db.command({ killCursors: t.coll.collectionName, cursors: [id] }, { promoteLongs: false });
    expect(killed.cursorsKilled).toStrictEqual([id]);
    const err = await failure(t.env.db.command({ getMore: id, collection: t.coll.collectionName }));
    expect(err.code).toBe(43);
  });

  it('closes the cursor after a single batch when asked', async () => {
    await t.coll.insertMany(Array.from({ length: 10 }, (_, i) => ({ i })));
    const res = await t.env.db.command({ find: t.coll.collectionName, filter: {}, batchSize: 3, singleBatch: true }, { promoteLongs: false });
    const cursor = res.cursor as Document;
    expect([(cursor.firstBatch as Document[]).length, (cursor.id as Long).isZero()]).toStrictEqual([3, true]);
  });
});

describe('namespaces', () => {
  it('lists, creates and drops collections and databases', async () => {
    const db = t.env.client.db(`${t.env.db.databaseName}_ns`);
    await db.createCollection('one');
    await db.collection('two').insertOne({ a: 1 });
    expect((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort()).toStrictEqual(['one', 'two']);
    expect((await db.listCollections({ name: 'two' }).toArray()).map((c) => c.name)).toStrictEqual(['two']);
    const exists = await failure(db.createCollection('one'));
    expect(exists.code).toBe(48);
    expect(await db.collection('two').drop()).toBe(true);
    expect((await db.listCollections().toArray()).map((c) => c.name)).toStrictEqual(['one']);
    await db.dropDatabase();
    expect(await db.listCollections().toArray()).toStrictEqual([]);
  });

  it('answers ping and buildInfo', async () => {
    expect(await t.env.db.command({ ping: 1 })).toStrictEqual({ ok: 1 });
    const info = await t.env.db.admin().buildInfo();
    expect(typeof info.version).toBe('string');
  });
});
