import { describe, expect, it } from 'vitest';
import { createItemPool } from './pool.js';
import { createRandom } from './random.js';

const item = (n: number, version = 1): { id: string; version: number; name: string } => ({ id: `id${n}`, version, name: `p${n}` });

describe('item pool', () => {
  it('keeps the highest version seen per id', () => {
    const pool = createItemPool([item(1, 2)]);
    pool.add(item(1, 1));
    pool.add(item(2, 3));
    pool.add(item(2, 5));
    expect(pool.items()).toStrictEqual([item(1, 2), item(2, 5)]);
  });

  it('does not bring back an item taken for deletion when a late response names it', () => {
    const pool = createItemPool([item(1)]);
    const taken = pool.take(createRandom(1));
    expect(taken).toStrictEqual(item(1));
    // a GET or PUT of the same id answered after the DELETE was prepared
    pool.add(item(1, 2));
    expect({ size: pool.size, items: pool.items(), deleted: pool.wasDeleted('id1'), next: pool.take(createRandom(1)) }).toStrictEqual({
      size: 0,
      items: [],
      deleted: true,
      next: undefined,
    });
  });
});
