import { ObjectId, type Collection, type Document } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { failure, openDb } from './helpers.js';

describe('transactions on a replica set', () => {
  let env: Awaited<ReturnType<typeof openDb>>;
  let coll: Collection<Document>;

  beforeAll(async () => {
    env = await openDb('replset');
  });
  afterAll(async () => {
    await env.close();
  });
  beforeEach(async () => {
    coll = env.db.collection(`tx_${new ObjectId().toHexString()}`);
    await coll.createIndex({ name: 1 }, { unique: true });
  });

  const names = async (): Promise<string[]> =>
    (await coll.find({}, { projection: { _id: 0, name: 1 } }).sort({ name: 1 }).toArray()).map((d) => d.name as string);

  it('keeps writes invisible outside until commit', async () => {
    const session = env.client.startSession();
    try {
      session.startTransaction();
      await coll.insertMany([{ name: 'a' }, { name: 'b' }], { session });
      await coll.updateOne({ name: 'a' }, { $set: { v: 1 } }, { session });
      expect(await coll.countDocuments({}, { session })).toBe(2);
      expect(await coll.findOne({ name: 'a' }, { session, projection: { _id: 0 } })).toStrictEqual({ name: 'a', v: 1 });
      expect(await names()).toStrictEqual([]);
      await session.commitTransaction();
      expect(await names()).toStrictEqual(['a', 'b']);
    } finally {
      await session.endSession();
    }
  });

  it('discards writes on abort, including updates and deletes of committed documents', async () => {
    await coll.insertMany([{ name: 'keep' }, { name: 'gone' }]);
    const session = env.client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ name: 'new' }, { session });
      await coll.deleteOne({ name: 'gone' }, { session });
      await coll.updateOne({ name: 'keep' }, { $set: { name: 'renamed' } }, { session });
      expect((await coll.find({}, { session }).sort({ name: 1 }).toArray()).map((d) => d.name as string)).toStrictEqual(['new', 'renamed']);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await names()).toStrictEqual(['gone', 'keep']);
  });

  it('commits through withTransaction', async () => {
    const session = env.client.startSession();
    try {
      await session.withTransaction(async () => {
        await coll.insertOne({ name: 'w1' }, { session });
        await coll.insertOne({ name: 'w2' }, { session });
      });
    } finally {
      await session.endSession();
    }
    expect(await names()).toStrictEqual(['w1', 'w2']);
  });

  it('aborts on a duplicate key: the error is 11000, then NoSuchTransaction, and nothing is left behind', async () => {
    await coll.insertOne({ name: 'taken' });
    const session = env.client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ name: 'fresh' }, { session });
      const dup = await failure(coll.insertMany([{ name: 'other' }, { name: 'taken' }], { session }));
      expect(dup.code).toBe(11000);
      expect(dup.hasErrorLabel?.('TransientTransactionError')).toBe(false);
      const after = await failure(coll.insertOne({ name: 'late' }, { session }));
      expect([after.code, after.codeName, after.hasErrorLabel?.('TransientTransactionError')]).toStrictEqual([251, 'NoSuchTransaction', true]);
      const commit = await failure(session.commitTransaction());
      expect(commit.code).toBe(251);
    } finally {
      await session.endSession();
    }
    expect(await names()).toStrictEqual(['taken']);
  });

  it('rejects a duplicate within the transaction’s own writes', async () => {
    const session = env.client.startSession();
    try {
      const err = await failure(
        session.withTransaction(async () => {
          await coll.insertMany([{ name: 'x' }, { name: 'x' }], { session });
        }),
      );
      expect(err.code).toBe(11000);
    } finally {
      await session.endSession();
    }
    expect(await names()).toStrictEqual([]);
  });

  it('gives the second writer of a document a transient WriteConflict', async () => {
    const { insertedId } = await coll.insertOne({ name: 'shared', v: 0 });
    const s1 = env.client.startSession();
    const s2 = env.client.startSession();
    try {
      s1.startTransaction();
      s2.startTransaction();
      await coll.updateOne({ _id: insertedId }, { $inc: { v: 1 } }, { session: s1 });
      const conflict = await failure(coll.updateOne({ _id: insertedId }, { $inc: { v: 10 } }, { session: s2 }));
      expect([conflict.code, conflict.hasErrorLabel?.('TransientTransactionError')]).toStrictEqual([112, true]);
      await s1.commitTransaction();
      await s2.abortTransaction();
    } finally {
      await s1.endSession();
      await s2.endSession();
    }
    expect(await coll.findOne({ _id: insertedId }, { projection: { _id: 0 } })).toStrictEqual({ name: 'shared', v: 1 });
  });

  it('reads committed data and its own writes through aggregate, count and find inside a transaction', async () => {
    await coll.insertMany([{ name: 'c1', g: 1 }, { name: 'c2', g: 1 }]);
    const session = env.client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ name: 'c3', g: 1 }, { session });
      await coll.deleteOne({ name: 'c1' }, { session });
      const grouped = await coll.aggregate([{ $match: { g: 1 } }, { $group: { _id: '$g', n: { $sum: 1 } } }], { session }).toArray();
      expect(grouped).toStrictEqual([{ _id: 1, n: 2 }]);
      expect(await coll.countDocuments({ g: 1 })).toBe(2);
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await names()).toStrictEqual(['c2', 'c3']);
  });
});

describe('a standalone server', () => {
  let env: Awaited<ReturnType<typeof openDb>>;
  /** An external MONGODB_URI serves both topologies; these checks need a real standalone. */
  let standalone = false;

  beforeAll(async () => {
    env = await openDb('standalone');
    standalone = (await env.db.admin().command({ hello: 1 })).setName === undefined;
  });
  afterAll(async () => {
    await env.close();
  });

  it('rejects transactions as mongod does (IllegalOperation, code 20)', async (ctx) => {
    if (!standalone) ctx.skip();
    const coll = env.db.collection('standalone_tx');
    const session = env.client.startSession();
    try {
      const err = await failure(
        session.withTransaction(async () => {
          await coll.insertOne({ a: 1 }, { session });
        }),
      );
      // The driver rewraps mongod's answer (as it does for a real standalone) and keeps the original.
      expect(err.message).toContain('does not support retryable writes');
      const original = err.errorResponse?.originalError as { code?: number; codeName?: string; message?: string } | undefined;
      expect([original?.code, original?.codeName, original?.message]).toStrictEqual([
        20,
        'IllegalOperation',
        'Transaction numbers are only allowed on a replica set member or mongos',
      ]);
    } finally {
      await session.endSession();
    }
    expect(await coll.countDocuments()).toBe(0);
  });

  it('accepts ordinary writes with sessions and write concern options', async () => {
    const coll = env.db.collection('standalone_plain');
    const res = await coll.insertMany([{ a: 1 }, { a: 2 }], { writeConcern: { w: 1, j: true, wtimeoutMS: 1000 } });
    expect(res.insertedCount).toBe(2);
    expect(await coll.countDocuments({ a: { $gt: 0 } })).toBe(2);
  });
});
