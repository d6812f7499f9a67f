// Collation as mongod implements it: on indexes (listed, honoured by unique indexes, chosen by the
// planner only for queries with the same collation) and on every read and write command. Runs
// against real mongod too when MONGODB_URI is set.
import type { CollationOptions, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { failure, useFreshCollection } from './helpers.js';
import { summarizePlan as planOf } from '../src/plan-summary.js';

const t = useFreshCollection('coll');
const ci = { locale: 'en', strength: 2 };


async function seed(): Promise<void> {
  await t.coll.insertMany([
    { name: 'Alpha', n: 1 },
    { name: 'alpha', n: 2 },
    { name: 'Beta', n: 3 },
    { name: 'gamma', n: 4 },
    { name: 'Delta', n: 5 },
  ]);
}

describe('collation on queries', () => {
  it('find, count and aggregate match strings case-insensitively at strength 2, only when asked', async () => {
    await seed();
    const ns = async (filter: Document, collation?: CollationOptions): Promise<number[]> =>
      (await t.coll.find(filter, collation ? { collation } : {}).sort({ n: 1 }).toArray()).map((d) => d.n as number);
    expect(await ns({ name: 'ALPHA' }, ci)).toStrictEqual([1, 2]);
    expect(await ns({ name: 'ALPHA' })).toStrictEqual([]);
    expect(await ns({ name: { $in: ['beta', 'GAMMA'] } }, ci)).toStrictEqual([3, 4]);
    expect(await ns({ name: { $ne: 'alpha' } }, ci)).toStrictEqual([3, 4, 5]);
    expect(await ns({ name: 'alpha' }, { locale: 'en', strength: 1 })).toStrictEqual([1, 2]);
    expect(await t.coll.countDocuments({ name: 'alpha' }, { collation: ci })).toBe(2);
    const grouped = await t.coll.aggregate([{ $match: { name: 'BETA' } }, { $project: { _id: 0, n: 1 } }], { collation: ci }).toArray();
    expect(grouped).toStrictEqual([{ n: 3 }]);
  });

  it('compares strings case-insensitively ($gt, $lte) and only against strings', async () => {
    await seed();
    await t.coll.insertOne({ name: 7, n: 6 });
    const ns = async (filter: Document): Promise<number[]> =>
      (await t.coll.find(filter, { collation: ci }).sort({ n: 1 }).toArray()).map((d) => d.n as number);
    expect(await ns({ name: { $gt: 'ALPHA' } })).toStrictEqual([3, 4, 5]);
    expect(await ns({ name: { $lte: 'BETA' } })).toStrictEqual([1, 2, 3]);
    // Without the collation, upper case sorts before lower case: only 'alpha' and 'gamma' follow 'Zeta'.
    expect((await t.coll.find({ name: { $gt: 'Zeta' } }).sort({ n: 1 }).toArray()).map((d) => d.n as number)).toStrictEqual([2, 4]);
  });

  it('sorts by the collated key', async () => {
    await t.coll.insertMany([{ name: 'b', n: 1 }, { name: 'C', n: 2 }, { name: 'a', n: 3 }, { name: 'B', n: 4 }]);
    const names = async (collation?: CollationOptions): Promise<string[]> =>
      (await t.coll.find({}, collation ? { collation } : {}).sort({ name: 1, n: 1 }).toArray()).map((d) => d.name as string);
    expect(await names(ci)).toStrictEqual(['a', 'b', 'B', 'C']);
    expect(await names()).toStrictEqual(['B', 'C', 'a', 'b']);
  });

  it('update, delete and findAndModify select case-insensitively under the collation', async () => {
    await seed();
    expect((await t.coll.updateMany({ name: 'ALPHA' }, { $set: { hit: true } }, { collation: ci })).modifiedCount).toBe(2);
    expect((await t.coll.updateMany({ name: 'ALPHA' }, { $set: { miss: true } })).matchedCount).toBe(0);
    const renamed = await t.coll.findOneAndUpdate({ name: 'beta' }, { $set: { name: 'Beta Two' } }, { collation: ci, returnDocument: 'after' });
    expect(renamed?.n).toBe(3);
    expect((await t.coll.deleteMany({ name: 'GAMMA' }, { collation: ci })).deletedCount).toBe(1);
    expect((await t.coll.deleteMany({ name: 'DELTA' })).deletedCount).toBe(0);
    expect(await t.coll.countDocuments({ hit: true })).toBe(2);
  });
});

describe('collation on indexes', () => {
  it('listIndexes returns the index collation with its options filled in', async () => {
    await t.coll.createIndex({ name: 1 }, { name: 'name_ci', collation: ci });
    const indexes = (await t.coll.listIndexes().toArray()) as Document[];
    const named = indexes.find((i) => i.name === 'name_ci');
    expect(named?.key).toStrictEqual({ name: 1 });
    expect(named?.collation).toMatchObject({ locale: 'en', strength: 2, caseLevel: false, caseFirst: 'off', numericOrdering: false });
    expect(indexes.find((i) => i.name === '_id_')?.collation).toBeUndefined();
    // Creating it again is a no-op; the same key with another collation is another index.
    await t.coll.createIndex({ name: 1 }, { name: 'name_ci', collation: ci });
    await t.coll.createIndex({ name: 1 }, { name: 'name_binary' });
    expect(((await t.coll.listIndexes().toArray()) as Document[]).map((i) => i.name as string).sort()).toStrictEqual(['_id_', 'name_binary', 'name_ci']);
  });

  it('a unique index with a strength-2 collation rejects names differing only in case (E11000)', async () => {
    await t.coll.createIndex({ name: 1 }, { unique: true, collation: ci });
    await t.coll.insertOne({ name: 'Alpha' });
    const dup = await failure(t.coll.insertOne({ name: 'alpha' }));
    expect(dup.code).toBe(11000);
    expect(dup.message).toContain('E11000');
    await t.coll.insertOne({ name: 'Alphä' });
    expect(await t.coll.countDocuments({})).toBe(2);
  });

  it('a unique index without collation tells case apart', async () => {
    await t.coll.createIndex({ name: 1 }, { unique: true });
    await t.coll.insertMany([{ name: 'Alpha' }, { name: 'alpha' }]);
    expect(await t.coll.countDocuments({})).toBe(2);
  });

  it('explain: IXSCAN on the collated index only when the query has the same collation', async () => {
    await t.coll.createIndex({ name: 1, n: -1 }, { name: 'name_ci_n', collation: ci });
    await t.coll.createIndex({ n: -1 }, { name: 'n_-1' });
    await seed();
    const withCollation = planOf(await t.coll.find({ name: 'alpha' }, { collation: ci }).sort({ n: -1 }).explain('queryPlanner'));
    expect(withCollation.indexes).toStrictEqual(['name_ci_n']);
    expect(withCollation.stages).toContain('IXSCAN');
    expect(withCollation.stages).not.toContain('SORT');

    const without = planOf(await t.coll.find({ name: 'alpha' }).explain('queryPlanner'));
    expect(without.indexes).toStrictEqual([]);
    expect(without.stages).toContain('COLLSCAN');

    const otherCollation = planOf(await t.coll.find({ name: 'alpha' }, { collation: { locale: 'fr', strength: 1 } }).explain('queryPlanner'));
    expect(otherCollation.stages).toContain('COLLSCAN');

    // A sort the binary index provides still uses it for a query without collation.
    const sorted = planOf(await t.coll.find({ name: { $regex: 'ALP', $options: 'i' } }).sort({ n: -1 }).explain('queryPlanner'));
    expect(sorted.indexes).toStrictEqual(['n_-1']);
    expect(sorted.stages).not.toContain('SORT');
  });
});
