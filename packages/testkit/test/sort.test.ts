import { ObjectId, type Collection, type Document } from 'mongodb';
import { find as mingoFind } from 'mingo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortNatively } from '../src/wire/sort.js';
import { openDb } from './helpers.js';

/** A fixed pseudo-random sequence: the same documents every run. */
function sequence(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** One type per field (plus null and missing, and ties), as the service's documents have. */
function documents(count: number): Document[] {
  const random = sequence(42);
  const values: Record<string, () => unknown> = {
    a: () => new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 5) * 86_400_000),
    b: () => Math.floor(random() * 20) - 5 + (random() < 0.3 ? 0.5 : 0),
    c: () => ['a', 'B', 'b', 'ab', '', 'Zz', 'é'][Math.floor(random() * 7)],
    d: () => ObjectId.createFromTime(1_700_000_000 + Math.floor(random() * 5)),
    e: () => random() < 0.5,
  };
  return Array.from({ length: count }, (_, i) => {
    const doc: Document = { _id: i };
    for (const [field, value] of Object.entries(values)) {
      const r = random();
      if (r < 0.1) doc[field] = null;
      else if (r > 0.15) doc[field] = value();
    }
    return doc;
  });
}

const SPECS: Document[] = [{ a: 1 }, { a: -1, _id: -1 }, { b: 1, c: -1 }, { c: 1 }, { d: -1 }, { e: 1, a: -1 }];

describe('sortNatively', () => {
  it.each(SPECS)('orders like mingo for %j (one type per field, nulls and ties)', (spec) => {
    const docs = documents(500);
    expect(sortNatively(docs, spec)).toStrictEqual(mingoFind(docs, {}).sort(spec).all());
  });

  it('orders mixed types as mongod does: null and missing, numbers, strings, ObjectIds, booleans, dates', () => {
    const id = ObjectId.createFromTime(1);
    const docs = [{ _id: 1, a: new Date(0) }, { _id: 2, a: true }, { _id: 3, a: id }, { _id: 4, a: 'x' }, { _id: 5, a: 2 }, { _id: 6 }, { _id: 7, a: null }, { _id: 8, a: false }];
    expect(sortNatively(docs, { a: 1 })?.map((d) => d._id as number)).toStrictEqual([6, 7, 5, 4, 3, 8, 2, 1]);
    expect(sortNatively(docs, { a: -1 })?.map((d) => d._id as number)).toStrictEqual([1, 2, 8, 3, 4, 5, 6, 7]);
  });

  it('leaves what it cannot order to mingo: nested fields, arrays, embedded documents, NaN, $meta', () => {
    expect(sortNatively([{ a: [1, 2] }], { a: 1 })).toBeUndefined();
    expect(sortNatively([{ a: { x: 1 } }], { a: 1 })).toBeUndefined();
    expect(sortNatively([{ a: Number.NaN }], { a: 1 })).toBeUndefined();
    expect(sortNatively([{ a: 1 }], { 'a.b': 1 })).toBeUndefined();
    expect(sortNatively([{ a: 1 }], { a: { $meta: 'textScore' } })).toBeUndefined();
  });
});

describe('find with a sort on the wire server', () => {
  let env: Awaited<ReturnType<typeof openDb>>;
  let coll: Collection<Document>;
  const docs = documents(300);

  beforeAll(async () => {
    env = await openDb('replset');
    coll = env.db.collection(`sort_${new ObjectId().toHexString()}`);
    await coll.insertMany(docs.map((d) => ({ ...d })));
  });
  afterAll(async () => {
    await env.close();
  });

  it('answers every batch in sort order, with skip and limit, as mingo orders the same documents', async () => {
    const spec = { a: -1, _id: -1 } as const;
    const all = mingoFind(docs, {}).sort(spec).all();
    expect(all.length).toBe(300);
    expect(await coll.find({}, { batchSize: 7 }).sort(spec).toArray()).toStrictEqual(all);
    expect(await coll.find({}).sort(spec).skip(10).limit(25).toArray()).toStrictEqual(all.slice(10, 35));
    expect(await coll.find({}, { projection: { c: 1 } }).sort({ b: 1, _id: 1 }).limit(5).toArray()).toStrictEqual(
      mingoFind(docs, {}, { c: 1 }).sort({ b: 1, _id: 1 }).limit(5).all(),
    );
  });
});
