import { Long, ObjectId, type Collection, type Document } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDb } from './helpers.js';

let env: Awaited<ReturnType<typeof openDb>>;

beforeAll(async () => {
  env = await openDb('replset');
});
afterAll(async () => {
  await env.close();
});

/** Equality and $in on the leading field of a non-unique index are answered from a hash map. */
describe('lookups on the leading field of a non-unique index', () => {
  let coll: Collection<{ _id: number } & Document>;
  beforeEach(async () => {
    coll = env.db.collection(`fx_${new ObjectId().toHexString()}`);
    await coll.insertMany([
      { _id: 1, k: 'a', d: 1 },
      { _id: 2, k: 'b', d: 2 },
      { _id: 3, k: ['a', 'c'], d: 3 },
      { _id: 4, d: 4 },
      { _id: 5, k: null, d: 5 },
      { _id: 6, k: 7, d: 6 },
      { _id: 7, k: { x: 1 }, d: 7 },
      { _id: 8, k: 'a', d: 8 },
    ]);
    await coll.createIndex({ k: 1, d: -1 });
    await coll.createIndex({ 'p.q': 1 });
  });

  const ids = async (filter: Document): Promise<unknown[]> =>
    (await coll.find(filter, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray()).map((d) => d._id);

  it('matches values, array elements, null/missing, numbers of any type and embedded documents', async () => {
    expect(await ids({ k: 'a' })).toStrictEqual([1, 3, 8]);
    expect(await ids({ k: { $in: ['b', 'c', 'zz'] } })).toStrictEqual([2, 3]);
    expect(await ids({ k: { $eq: null } })).toStrictEqual([4, 5]);
    expect(await ids({ k: Long.fromNumber(7) })).toStrictEqual([6]);
    expect(await ids({ k: 7.0, d: 6 })).toStrictEqual([6]);
    expect(await ids({ k: { x: 1 } })).toStrictEqual([7]);
    expect(await ids({ k: ['a', 'c'] })).toStrictEqual([3]);
    expect(await ids({ k: 'a', d: { $gt: 1 } })).toStrictEqual([3, 8]);
    expect(await coll.countDocuments({ k: { $in: ['a', 'b'] } })).toBe(4);
    expect((await coll.distinct('k', { k: { $in: ['a', 'b'] } })).sort()).toStrictEqual(['a', 'b', 'c']);
  });

  it('keeps the map in step with updates and deletes', async () => {
    await coll.updateOne({ _id: 1 }, { $set: { k: 'z' } });
    await coll.deleteOne({ _id: 8 });
    await coll.insertOne({ _id: 9, k: 'a' });
    expect(await ids({ k: 'a' })).toStrictEqual([3, 9]);
    expect(await ids({ k: 'z' })).toStrictEqual([1]);
    await coll.updateMany({ k: 'a' }, { $set: { k: 'b' } });
    expect(await ids({ k: { $in: ['a', 'b'] } })).toStrictEqual([2, 3, 9]);
    expect(await ids({ k: 'a' })).toStrictEqual([]);
  });

  it('follows dotted paths, including documents whose path crosses an array', async () => {
    await coll.insertMany([
      { _id: 20, p: { q: 'x' } },
      { _id: 21, p: [{ q: 'x' }, { q: 'y' }] },
      { _id: 22, p: { q: 'y' } },
    ]);
    expect(await ids({ 'p.q': 'x' })).toStrictEqual([20, 21]);
    expect(await ids({ 'p.q': { $in: ['y'] } })).toStrictEqual([21, 22]);
  });

  it("shows a transaction its own writes and hides the committed versions it replaced", async () => {
    const session = env.client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 30, k: 'a' }, { session });
      await coll.updateOne({ _id: 1 }, { $set: { k: 'b' } }, { session });
      await coll.deleteOne({ _id: 8 }, { session });
      expect(await ids({ k: 'a' })).toStrictEqual([1, 3, 8]);
      const inside = await coll.find({ k: { $in: ['a', 'b'] } }, { session, projection: { _id: 1 } }).sort({ _id: 1 }).toArray();
      expect(inside.map((d) => d._id)).toStrictEqual([1, 2, 3, 30]);
      const onlyA = await coll.find({ k: 'a' }, { session, projection: { _id: 1 } }).sort({ _id: 1 }).toArray();
      expect(onlyA.map((d) => d._id)).toStrictEqual([3, 30]);
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await ids({ k: 'a' })).toStrictEqual([3, 30]);
  });

  it('stops using the map once the index is dropped, and still answers by scanning', async () => {
    expect(await ids({ k: 'b' })).toStrictEqual([2]);
    await coll.dropIndex('k_1_d_-1');
    await coll.insertOne({ _id: 40, k: 'b' });
    expect(await ids({ k: 'b' })).toStrictEqual([2, 40]);
    await coll.createIndex({ k: 1 });
    expect(await ids({ k: 'b' })).toStrictEqual([2, 40]);
  });
});

/**
 * Equality and $in under a case-insensitive collation, on the leading field of an index: found in
 * any case, kept in step with writes, inside a transaction too (the test backend answers these from
 * a case-folded hash map; mongod from the collated index).
 */
describe('collated equality on the leading field of an index', () => {
  const collation = { locale: 'en', strength: 2 };
  let coll: Collection<{ _id: number } & Document>;
  beforeEach(async () => {
    coll = env.db.collection(`fxc_${new ObjectId().toHexString()}`);
    await coll.createIndex({ name: 1, d: -1 }, { collation });
    await coll.insertMany([
      { _id: 1, name: 'Alpha Fund', d: 1 },
      { _id: 2, name: 'alpha fund', d: 2 },
      { _id: 3, name: 'Beta', d: 3 },
      { _id: 4, name: 'ΣΟΦΊΑ', d: 4 },
      { _id: 5, name: 7, d: 5 },
    ]);
  });

  const ids = async (filter: Document): Promise<unknown[]> =>
    (await coll.find(filter, { collation, projection: { _id: 1 } }).sort({ _id: 1 }).toArray()).map((d) => d._id);

  it('finds every spelling of a name, by equality, $eq and $in, and leaves other values alone', async () => {
    expect(await ids({ name: 'ALPHA FUND' })).toStrictEqual([1, 2]);
    expect(await ids({ name: { $eq: 'alpha FUND' } })).toStrictEqual([1, 2]);
    expect(await ids({ name: { $in: ['beta', 'σοφία', 'nothing'] } })).toStrictEqual([3, 4]);
    expect(await ids({ name: 7 })).toStrictEqual([5]);
    expect(await ids({ name: 'alpha' })).toStrictEqual([]);
    expect((await coll.distinct('name', { name: { $in: ['BETA'] } }, { collation })).sort()).toStrictEqual(['Beta']);
  });

  it("keeps up with renames, deletes and a transaction's own writes", async () => {
    await coll.updateOne({ _id: 3 }, { $set: { name: 'Gamma' } });
    await coll.deleteOne({ _id: 1 });
    expect(await ids({ name: { $in: ['BETA', 'gamma', 'ALPHA FUND'] } })).toStrictEqual([2, 3]);
    const session = env.client.startSession();
    try {
      await session.withTransaction(async () => {
        await coll.insertOne({ _id: 6, name: 'Delta', d: 6 }, { session });
        await coll.updateOne({ _id: 2 }, { $set: { name: 'Epsilon' } }, { session });
        const inside = await coll.find({ name: { $in: ['DELTA', 'alpha fund', 'epsilon'] } }, { collation, session }).sort({ _id: 1 }).toArray();
        expect(inside.map((d) => d._id)).toStrictEqual([2, 6]);
      });
    } finally {
      await session.endSession();
    }
    expect(await ids({ name: { $in: ['delta', 'EPSILON'] } })).toStrictEqual([2, 6]);
  });
});
