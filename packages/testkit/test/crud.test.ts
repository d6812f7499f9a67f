import { ObjectId, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { failure, useFreshCollection } from './helpers.js';

const t = useFreshCollection('c');

describe('insert and find', () => {
  it('inserts documents and finds one by _id with all BSON types intact', async () => {
    const _id = new ObjectId();
    const doc = { _id, name: 'Alpha', dateCreated: new Date('2024-01-02T03:04:05.006Z'), version: 1, tags: ['a', 'b'], nested: { x: 1.5 } };
    await t.coll.insertOne(doc);
    expect(await t.coll.findOne({ _id })).toStrictEqual(doc);
    expect(await t.coll.findOne({ _id: new ObjectId() })).toBeNull();
  });

  it('returns results larger than one batch through getMore', async () => {
    await t.coll.insertMany(Array.from({ length: 350 }, (_, i) => ({ i })));
    const all = await t.coll.find({}, { batchSize: 40 }).sort({ i: 1 }).toArray();
    expect(all.map((d) => d.i as number)).toStrictEqual(Array.from({ length: 350 }, (_, i) => i));
    const defaultBatches = await t.coll.find({ i: { $gte: 100 } }).toArray();
    expect(defaultBatches).toHaveLength(250);
  });

  it('applies filter, sort, projection, skip and limit together', async () => {
    await t.coll.insertMany([
      { n: 'b', v: 2 },
      { n: 'a', v: 1 },
      { n: 'c', v: 3 },
      { n: 'd', v: 4 },
    ]);
    const page = await t.coll.find({ v: { $gt: 1 } }, { projection: { _id: 0, n: 1 } }).sort({ v: -1 }).skip(1).limit(2).toArray();
    expect(page).toStrictEqual([{ n: 'c' }, { n: 'b' }]);
  });

  it('matches regular expressions with options', async () => {
    await t.coll.insertMany([{ name: 'Growth Fund' }, { name: 'growth two' }, { name: 'Income' }]);
    const names = async (filter: Document): Promise<string[]> =>
      (await t.coll.find(filter, { projection: { _id: 0, name: 1 } }).sort({ name: 1 }).toArray()).map((d) => d.name as string);
    expect(await names({ name: /^growth/i })).toStrictEqual(['Growth Fund', 'growth two']);
    expect(await names({ name: { $regex: 'INC', $options: 'i' } })).toStrictEqual(['Income']);
    expect(await names({ name: /^growth/ })).toStrictEqual(['growth two']);
  });

  it('compares dates and 64-bit integers numerically', async () => {
    await t.coll.insertMany([
      { d: new Date('2024-01-01'), n: 5_000_000_000 },
      { d: new Date('2025-01-01'), n: 7_000_000_000 },
    ]);
    expect(await t.coll.countDocuments({ d: { $gt: new Date('2024-06-01') } })).toBe(1);
    expect(await t.coll.countDocuments({ n: { $gte: 6_000_000_000 } })).toBe(1);
    const sorted = await t.coll.find({}, { projection: { _id: 0, n: 1 } }).sort({ d: -1 }).toArray();
    expect(sorted).toStrictEqual([{ n: 7_000_000_000 }, { n: 5_000_000_000 }]);
  });
});

describe('unique indexes', () => {
  it('rejects a duplicate insert with E11000 and the offending key', async () => {
    await t.coll.createIndex({ name: 1 }, { unique: true });
    await t.coll.insertOne({ name: 'x' });
    const err = await failure(t.coll.insertOne({ name: 'x' }));
    expect(err).toMatchObject({ code: 11000, keyPattern: { name: 1 }, keyValue: { name: 'x' } });
    expect(await t.coll.countDocuments()).toBe(1);
  });

  it('stops an ordered insertMany at the first duplicate and continues an unordered one', async () => {
    await t.coll.createIndex({ k: 1 }, { unique: true });
    const ordered = await failure(t.coll.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]));
    expect(ordered.code).toBe(11000);
    expect(ordered.writeErrors?.map((w) => w.index as number)).toStrictEqual([1]);
    expect(await t.coll.countDocuments()).toBe(1);
    const unordered = await failure(t.coll.insertMany([{ k: 3 }, { k: 1 }, { k: 4 }], { ordered: false }));
    expect(unordered.writeErrors?.map((w) => [w.index as number, w.code as number])).toStrictEqual([[1, 11000]]);
    expect(await t.coll.countDocuments()).toBe(3);
  });

  it('enforces uniqueness on update', async () => {
    await t.coll.createIndex({ k: 1 }, { unique: true });
    await t.coll.insertMany([{ k: 1 }, { k: 2 }]);
    const err = await failure(t.coll.updateOne({ k: 2 }, { $set: { k: 1 } }));
    expect(err.code).toBe(11000);
    expect(await t.coll.find({}, { projection: { _id: 0 } }).sort({ k: 1 }).toArray()).toStrictEqual([{ k: 1 }, { k: 2 }]);
  });

  it('reports a duplicate _id', async () => {
    const _id = new ObjectId();
    await t.coll.insertOne({ _id });
    const err = await failure(t.coll.insertOne({ _id }));
    expect(err).toMatchObject({ code: 11000, keyPattern: { _id: 1 } });
  });
});

describe('update, delete, findAndModify', () => {
  it('updates with operators, counts matched and modified', async () => {
    await t.coll.insertMany([{ g: 1, v: 1 }, { g: 1, v: 2 }, { g: 2, v: 3 }]);
    const r = await t.coll.updateMany({ g: 1 }, { $inc: { v: 10 }, $set: { touched: true } });
    expect([r.matchedCount, r.modifiedCount]).toStrictEqual([2, 2]);
    const noop = await t.coll.updateOne({ g: 2 }, { $set: { v: 3 } });
    expect([noop.matchedCount, noop.modifiedCount]).toStrictEqual([1, 0]);
    expect(await t.coll.find({}, { projection: { _id: 0 } }).sort({ v: 1 }).toArray()).toStrictEqual([
      { g: 2, v: 3 },
      { g: 1, v: 11, touched: true },
      { g: 1, v: 12, touched: true },
    ]);
  });

  it('lets an upsert choose its _id with $setOnInsert, and ignores it on a match', async () => {
    const id = new ObjectId();
    const first = await t.coll.updateOne({ tag: 'u' }, { $setOnInsert: { _id: id, v: 1 } }, { upsert: true });
    expect([first.upsertedId, first.matchedCount]).toStrictEqual([id, 0]);
    const again = await t.coll.updateOne({ tag: 'u' }, { $setOnInsert: { _id: new ObjectId(), v: 2 } }, { upsert: true });
    expect([again.upsertedId, again.matchedCount, again.modifiedCount]).toStrictEqual([null, 1, 0]);
    expect(await t.coll.find({ tag: 'u' }).toArray()).toStrictEqual([{ _id: id, tag: 'u', v: 1 }]);
    const clash = await t.coll.updateOne({ _id: id }, { $set: { _id: new ObjectId() } }, { upsert: true }).catch((e: unknown) => e);
    expect((clash as { code?: unknown }).code).toBe(66);
  });

  it('upserts with $setOnInsert only when inserting', async () => {
    const first = await t.coll.updateOne({ name: 'p' }, { $set: { v: 1 }, $setOnInsert: { created: 'yes' } }, { upsert: true });
    expect(first.upsertedCount).toBe(1);
    await t.coll.updateOne({ name: 'p' }, { $set: { v: 2 }, $setOnInsert: { created: 'again' } }, { upsert: true });
    expect(await t.coll.findOne({ name: 'p' }, { projection: { _id: 0 } })).toStrictEqual({ name: 'p', v: 2, created: 'yes' });
  });

  it('matches on _id and version atomically for optimistic concurrency', async () => {
    const { insertedId } = await t.coll.insertOne({ name: 'a', version: 1 });
    const ok = await t.coll.findOneAndUpdate({ _id: insertedId, version: 1 }, { $set: { name: 'b' }, $inc: { version: 1 } }, { returnDocument: 'after' });
    expect(ok).toStrictEqual({ _id: insertedId, name: 'b', version: 2 });
    const stale = await t.coll.findOneAndUpdate({ _id: insertedId, version: 1 }, { $set: { name: 'c' } });
    expect(stale).toBeNull();
    const removed = await t.coll.findOneAndDelete({ _id: insertedId, version: 2 });
    expect(removed).toStrictEqual({ _id: insertedId, name: 'b', version: 2 });
    expect(await t.coll.countDocuments()).toBe(0);
  });

  it('findOneAndUpdate upserts and returns the new document', async () => {
    const doc = await t.coll.findOneAndUpdate({ k: 'z' }, { $setOnInsert: { n: 1 } }, { upsert: true, returnDocument: 'after', projection: { _id: 0 } });
    expect(doc).toStrictEqual({ k: 'z', n: 1 });
  });

  it('deletes one or many', async () => {
    await t.coll.insertMany([{ g: 1 }, { g: 1 }, { g: 2 }]);
    expect((await t.coll.deleteOne({ g: 1 })).deletedCount).toBe(1);
    expect((await t.coll.deleteMany({})).deletedCount).toBe(2);
  });

  it('rejects changing _id', async () => {
    const { insertedId } = await t.coll.insertOne({ a: 1 });
    const err = await failure(t.coll.updateOne({ _id: insertedId }, { $set: { _id: new ObjectId() } }));
    expect(err.code).toBe(66);
  });
});

describe('aggregate and count', () => {
  it('counts with countDocuments and estimatedDocumentCount', async () => {
    await t.coll.insertMany(Array.from({ length: 12 }, (_, i) => ({ i, even: i % 2 === 0 })));
    expect(await t.coll.countDocuments({ even: true })).toBe(6);
    expect(await t.coll.countDocuments({}, { skip: 2, limit: 5 })).toBe(5);
    expect(await t.coll.estimatedDocumentCount()).toBe(12);
  });

  it('never changes stored documents while reshaping them in a pipeline', async () => {
    const { insertedId } = await t.coll.insertOne({ a: 1, nested: { b: 2 } });
    const shaped = await t.coll.aggregate([{ $addFields: { 'nested.c': 3 } }, { $unset: 'a' }, { $project: { _id: 0 } }]).toArray();
    expect(shaped).toStrictEqual([{ nested: { b: 2, c: 3 } }]);
    expect(await t.coll.findOne({ _id: insertedId })).toStrictEqual({ _id: insertedId, a: 1, nested: { b: 2 } });
  });

  it('runs $match/$group/$sort/$project pipelines', async () => {
    await t.coll.insertMany([
      { g: 'a', v: 1 },
      { g: 'b', v: 2 },
      { g: 'a', v: 3 },
    ]);
    const out = await t.coll
      .aggregate([{ $match: { v: { $gte: 1 } } }, { $group: { _id: '$g', total: { $sum: '$v' } } }, { $sort: { _id: 1 } }, { $project: { _id: 0, g: '$_id', total: 1 } }])
      .toArray();
    expect(out).toStrictEqual([
      { total: 4, g: 'a' },
      { total: 2, g: 'b' },
    ]);
    expect(await t.coll.aggregate([{ $count: 'n' }]).toArray()).toStrictEqual([{ n: 3 }]);
  });
});

describe('more query and write shapes', () => {
  it('matches case-insensitively under a strength-2 collation and sorts with it', async () => {
    await t.coll.insertMany([{ name: 'Alpha' }, { name: 'alpha' }, { name: 'Beta' }]);
    const collation = { locale: 'en', strength: 2 };
    expect(await t.coll.countDocuments({ name: 'ALPHA' }, { collation })).toBe(2);
    expect(await t.coll.countDocuments({ name: 'ALPHA' })).toBe(0);
    const found = await t.coll.find({ name: { $in: ['beta'] } }, { collation, projection: { _id: 0 } }).toArray();
    expect(found).toStrictEqual([{ name: 'Beta' }]);
  });

  it('looks up several _ids with $in and queries dotted paths and nulls', async () => {
    const [a, b, c] = [new ObjectId(), new ObjectId(), new ObjectId()];
    await t.coll.insertMany([{ _id: a, meta: { owner: 'x' } }, { _id: b, meta: { owner: 'y' }, gone: null }, { _id: c }]);
    const some = await t.coll.find({ _id: { $in: [c, a, new ObjectId()] } }).sort({ _id: 1 }).toArray();
    expect(some.map((d) => d._id.toHexString())).toStrictEqual([a.toHexString(), c.toHexString()]);
    expect((await t.coll.findOne({ 'meta.owner': 'y' }))?._id).toStrictEqual(b);
    expect(await t.coll.countDocuments({ gone: null })).toBe(3);
    expect(await t.coll.countDocuments({ gone: { $exists: true } })).toBe(1);
  });

  it('returns distinct values, flattening arrays', async () => {
    await t.coll.insertMany([{ t: ['a', 'b'] }, { t: 'b' }, { t: 'c' }, {}]);
    expect((await t.coll.distinct('t')).sort()).toStrictEqual(['a', 'b', 'c']);
  });

  it('replaces documents and upserts replacements', async () => {
    const { insertedId } = await t.coll.insertOne({ a: 1, b: 2 });
    const r = await t.coll.replaceOne({ _id: insertedId }, { c: 3 });
    expect([r.matchedCount, r.modifiedCount]).toStrictEqual([1, 1]);
    expect(await t.coll.findOne({ _id: insertedId })).toStrictEqual({ _id: insertedId, c: 3 });
    const up = await t.coll.replaceOne({ k: 'new' }, { k: 'new', v: 1 }, { upsert: true });
    expect(up.upsertedCount).toBe(1);
    expect(await t.coll.findOne({ _id: up.upsertedId ?? undefined }, { projection: { _id: 0 } })).toStrictEqual({ k: 'new', v: 1 });
  });

  it('runs mixed bulk writes in order', async () => {
    await t.coll.createIndex({ k: 1 }, { unique: true });
    const res = await t.coll.bulkWrite([
      { insertOne: { document: { k: 1, v: 0 } } },
      { updateOne: { filter: { k: 1 }, update: { $inc: { v: 5 } } } },
      { updateOne: { filter: { k: 2 }, update: { $set: { v: 9 } }, upsert: true } },
      { deleteOne: { filter: { k: 1 } } },
    ]);
    expect([res.insertedCount, res.matchedCount, res.modifiedCount, res.upsertedCount, res.deletedCount]).toStrictEqual([1, 1, 1, 1, 1]);
    expect(await t.coll.find({}, { projection: { _id: 0 } }).toArray()).toStrictEqual([{ k: 2, v: 9 }]);
  });

  it('reports a unique violation from findOneAndUpdate as a command error', async () => {
    await t.coll.createIndex({ k: 1 }, { unique: true });
    await t.coll.insertMany([{ k: 1 }, { k: 2 }]);
    const err = await failure(t.coll.findOneAndUpdate({ k: 2 }, { $set: { k: 1 } }));
    expect([err.code, err.keyValue]).toStrictEqual([11000, { k: 1 }]);
  });

  it('updates array elements with arrayFilters and pushes', async () => {
    const items = t.env.db.collection<{ items: { n: number; flag?: boolean }[] }>(t.coll.collectionName);
    const { insertedId } = await items.insertOne({ items: [{ n: 1 }, { n: 5 }] });
    await items.updateOne({ _id: insertedId }, { $set: { 'items.$[big].flag': true } }, { arrayFilters: [{ 'big.n': { $gt: 2 } }] });
    await items.updateOne({ _id: insertedId }, { $push: { items: { n: 7 } } });
    expect(await items.findOne({ _id: insertedId }, { projection: { _id: 0 } })).toStrictEqual({ items: [{ n: 1 }, { n: 5, flag: true }, { n: 7 }] });
  });

  it('accepts a multi-megabyte insert split over many TCP chunks', async () => {
    const pad = 'x'.repeat(10_000);
    const docs = Array.from({ length: 600 }, (_, i) => ({ i, pad }));
    expect((await t.coll.insertMany(docs)).insertedCount).toBe(600);
    const back = await t.coll.find({ i: { $gte: 598 } }, { projection: { _id: 0 } }).sort({ i: 1 }).toArray();
    expect(back).toStrictEqual([{ i: 598, pad }, { i: 599, pad }]);
  });

  it('splits results over 16 MiB into batches under the BSON limit', async () => {
    const blob = 'y'.repeat(600_000);
    await t.coll.insertMany(Array.from({ length: 40 }, (_, i) => ({ i, blob })));
    const all = await t.coll.find({}, { batchSize: 1000 }).sort({ i: 1 }).toArray();
    expect(all.map((d) => [d.i as number, (d.blob as string).length])).toStrictEqual(Array.from({ length: 40 }, (_, i) => [i, 600_000]));
  });

  it('inserts a large batch in one call and reads it back page by page', async () => {
    const docs = Array.from({ length: 2500 }, (_, i) => ({ i, name: `p${i}` }));
    expect((await t.coll.insertMany(docs)).insertedCount).toBe(2500);
    const page = await t.coll.find({}, { projection: { _id: 0, i: 1 } }).sort({ i: -1 }).skip(100).limit(3).toArray();
    expect(page).toStrictEqual([{ i: 2399 }, { i: 2398 }, { i: 2397 }]);
    expect(await t.coll.estimatedDocumentCount()).toBe(2500);
  });
});
