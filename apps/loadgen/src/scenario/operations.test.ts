import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../engine.js';
import { createOperationPicker, prepareOperation } from './operations.js';
import type { OperationContext } from './operations.js';
import { createItemPool } from './pool.js';
import { createRandom } from './random.js';

function context(seed = 1): OperationContext {
  let n = 0;
  return { pool: createItemPool([{ id: 'a'.repeat(24), version: 3, name: 'lg-t-seed-1' }]), random: createRandom(seed), namePrefix: 'lg-t-', newName: () => `lg-t-${n++}` };
}

describe('createRandom', () => {
  it('repeats a sequence for a seed and stream, and differs across streams', () => {
    const seq = (seed: number, stream: number): number[] => {
      const r = createRandom(seed, stream);
      return Array.from({ length: 5 }, () => r.int(1000));
    };
    expect(seq(1, 0)).toStrictEqual(seq(1, 0));
    expect(seq(1, 0)).not.toStrictEqual(seq(1, 1));
    expect(seq(1, 0)).not.toStrictEqual(seq(2, 0));
  });
});

describe('createOperationPicker', () => {
  it('picks in proportion to the weights, repeatably', () => {
    const picker = createOperationPicker({ get: { weight: 3 }, update: { weight: 1 }, delete: { weight: 0 } });
    const r = createRandom(9);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 40_000; i++) {
      const op = picker.pick(r);
      counts[op] = (counts[op] ?? 0) + 1;
    }
    expect(picker.names).toStrictEqual(['get', 'update']);
    expect(Math.abs((counts.get ?? 0) / 40_000 - 0.75)).toBeLessThan(0.01);
    expect(counts.delete).toBeUndefined();
  });
});

describe('prepareOperation', () => {
  it('builds contract requests and captures ids and versions from responses', () => {
    const ctx = context();
    const id = 'a'.repeat(24);
    expect(prepareOperation('get', { weight: 1 }, ctx)).toMatchObject({ method: 'GET', path: `/api/v1/portfolio/${id}` });
    const bulk = prepareOperation('bulk', { weight: 1, size: 2 }, ctx);
    expect([bulk?.method, bulk?.path, bulk?.body]).toStrictEqual(['POST', '/api/v2/portfolios', '[{"name":"lg-t-0"},{"name":"lg-t-1"}]']);
    bulk?.then?.(201, JSON.stringify([{ portfolioId: 'b'.repeat(24), name: 'lg-t-0', version: 1, dateCreated: 'x' }]));
    const fast = prepareOperation('fastBulk', { weight: 1, size: 1 }, ctx);
    fast?.then?.(201, JSON.stringify({ portfolios: [{ portfolioId: 'c'.repeat(24), name: 'lg-t-2', version: 1 }], count: 1 }));
    expect(ctx.pool.items().map((i) => i.id)).toStrictEqual(['a'.repeat(24), 'b'.repeat(24), 'c'.repeat(24)]);
    const search = prepareOperation('search', { weight: 1, mode: 'exact', limit: 20, pages: 1, api: 'fast' }, ctx);
    expect(search?.path).toMatch(/^\/api\/fast\/portfolios\/search\?name=lg-t-[\w-]+&limit=20&offset=0$/);
  });

  it('update reads the current version, then PUTs with it; 409 is a conflict', () => {
    const ctx = context();
    const id = 'a'.repeat(24);
    const get = prepareOperation('update', { weight: 1 }, ctx);
    expect([get?.method, get?.path]).toStrictEqual(['GET', `/api/v1/portfolio/${id}`]);
    const put = get?.then?.(200, JSON.stringify({ portfolioId: id, name: 'lg-t-seed-1', version: 7 }));
    expect([put?.method, put?.path, put?.body]).toStrictEqual(['PUT', `/api/v1/portfolio/${id}`, JSON.stringify({ portfolioId: id, name: 'lg-t-seed-1', version: 7 })]);
    expect([put?.isConflict?.(409), put?.isConflict?.(500)]).toStrictEqual([true, false]);
    put?.then?.(200, JSON.stringify({ portfolioId: id, name: 'lg-t-seed-1', version: 8 }));
    expect(ctx.pool.items()[0]?.version).toBe(8);
  });

  it('an update or read racing this generator\'s own delete is neither a conflict nor an error', () => {
    const ctx = context();
    const id = 'a'.repeat(24);
    const get = prepareOperation('get', { weight: 1 }, ctx);
    const update = prepareOperation('update', { weight: 1 }, ctx);
    const put = update?.then?.(200, JSON.stringify({ portfolioId: id, name: 'lg-t-seed-1', version: 3 }));
    if (get === undefined || update === undefined || put === undefined) throw new Error('expected requests');
    // before the delete, a 404 is the service's error; a 409 is always a conflict
    expect([outcomeOf(put, 404), outcomeOf(get, 404), outcomeOf(put, 409), outcomeOf(put, 200)]).toStrictEqual(['error', 'error', 'conflict', 'ok']);
    prepareOperation('delete', { weight: 1 }, ctx);
    expect([outcomeOf(put, 404), outcomeOf(update, 404), outcomeOf(get, 404), outcomeOf(put, 409), outcomeOf(put, 500)]).toStrictEqual(['race', 'race', 'race', 'conflict', 'error']);
  });

  it('delete takes the item out of the pool with its version; nothing left means no request', () => {
    const ctx = context();
    const del = prepareOperation('delete', { weight: 1 }, ctx);
    expect([del?.method, del?.path, del?.isConflict?.(409)]).toStrictEqual(['DELETE', `/api/v1/portfolio/${'a'.repeat(24)}?version=3`, true]);
    expect(ctx.pool.size).toBe(0);
    expect(prepareOperation('delete', { weight: 1 }, ctx)).toBeUndefined();
    expect(prepareOperation('update', { weight: 1 }, ctx)).toBeUndefined();
  });
});
