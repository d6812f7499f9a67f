import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { NewPortfolio, Portfolio } from '../src/portfolio/types.js';
import type { PortfolioStore } from '../src/store/portfolio-store.js';

/** A store under test plus how to empty it between tests and release it at the end. */
export interface StoreFixture {
  readonly store: PortfolioStore;
  clear(): Promise<void>;
  close(): Promise<void>;
}

const HEX_ID = /^[0-9a-f]{24}$/;

function at(iso: string): Date {
  return new Date(iso);
}

function np(name: string, iso = '2024-01-15T10:30:00.000Z', version = 1): NewPortfolio {
  return { name, dateCreated: at(iso), version };
}

/**
 * The behaviour every PortfolioStore must show; run once per implementation.
 * @param name label of the implementation
 * @param setup creates the store (called once)
 */
export function describeStoreContract(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`PortfolioStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: PortfolioStore;

    beforeEach(async () => {
      fixture ??= await setup();
      store = fixture.store;
      await fixture.clear();
    });

    afterAll(async () => {
      await fixture?.close();
    });

    it('inserts one portfolio and finds it by id, whatever the id case', async () => {
      const created = await store.insertOne(np('Growth Fund'));
      expect(created.portfolioId).toMatch(HEX_ID);
      const expected: Portfolio = {
        portfolioId: created.portfolioId,
        name: 'Growth Fund',
        dateCreated: at('2024-01-15T10:30:00.000Z'),
        version: 1,
      };
      expect(created).toStrictEqual(expected);
      expect(await store.findById(created.portfolioId)).toStrictEqual(expected);
      expect(await store.findById(created.portfolioId.toUpperCase())).toStrictEqual(expected);
    });

    it('finds nothing for unknown or malformed ids', async () => {
      await store.insertOne(np('a'));
      expect(await store.findById('65a1b2c3d4e5f6a7b8c9d0e1')).toBeNull();
      expect(await store.findById('not-an-id')).toBeNull();
    });

    it('lists every portfolio newest first', async () => {
      await store.insertOne(np('old', '2020-01-01T00:00:00.000Z'));
      await store.insertOne(np('new', '2024-01-01T00:00:00.000Z'));
      await store.insertOne(np('mid', '2022-01-01T00:00:00.000Z'));
      expect((await store.findAll()).map((p) => p.name)).toStrictEqual(['new', 'mid', 'old']);
    });

    it('streams every portfolio newest first in batches of at most batchSize, exactly as findAll lists them', async () => {
      await store.insertMany(Array.from({ length: 25 }, (_, i) => np(`p${i}`, new Date(Date.UTC(2024, 0, 1 + (i % 7), i)).toISOString())));
      const batches = store.streamAll({ batchSize: 10 });
      const sizes: number[] = [];
      const streamed: Portfolio[] = [];
      for (let batch = await batches.next(); batch !== undefined; batch = await batches.next()) {
        sizes.push(batch.length);
        streamed.push(...batch);
      }
      expect(sizes).toStrictEqual([10, 10, 5]);
      expect(streamed).toStrictEqual(await store.findAll());
      expect(await batches.next()).toBeUndefined();
      await batches.close();
    });

    it('streams nothing from an empty collection, and nothing more once closed', async () => {
      const empty = store.streamAll({ batchSize: 10 });
      expect(await empty.next()).toBeUndefined();
      await store.insertMany([np('a'), np('b'), np('c')]);
      const batches = store.streamAll({ batchSize: 2 });
      expect(await batches.next()).toHaveLength(2);
      await batches.close();
      await batches.close();
      expect(await batches.next()).toBeUndefined();
    });

    it('inserts a batch and returns it in input order', async () => {
      const batch = [np('b', '2021-01-01T00:00:00.000Z'), np('a', '2023-01-01T00:00:00.000Z', 4), np('c')];
      const stored = await store.insertMany(batch);
      expect(stored.map(({ name, dateCreated, version }) => ({ name, dateCreated, version }))).toStrictEqual(batch);
      expect(new Set(stored.map((p) => p.portfolioId)).size).toBe(3);
      for (const p of stored) expect(await store.findById(p.portfolioId)).toStrictEqual(p);
    });

    it('updates when the version matches, keeping dateCreated unless given', async () => {
      const created = await store.insertOne(np('before'));
      const first = await store.updateVersioned(created.portfolioId, 1, { name: 'after' });
      expect(first).toStrictEqual({
        status: 'updated',
        portfolio: { ...created, name: 'after', version: 2 },
      });
      const second = await store.updateVersioned(created.portfolioId, 2, {
        name: 'after',
        dateCreated: at('2030-05-05T05:05:05.005Z'),
      });
      expect(second).toStrictEqual({
        status: 'updated',
        portfolio: { ...created, name: 'after', dateCreated: at('2030-05-05T05:05:05.005Z'), version: 3 },
      });
      expect(await store.findById(created.portfolioId)).toStrictEqual({
        ...created,
        name: 'after',
        dateCreated: at('2030-05-05T05:05:05.005Z'),
        version: 3,
      });
    });

    it('tells a version conflict from a missing id on update', async () => {
      const created = await store.insertOne(np('x', undefined, 3));
      expect(await store.updateVersioned(created.portfolioId, 2, { name: 'y' })).toStrictEqual({
        status: 'conflict',
        actualVersion: 3,
      });
      expect(await store.updateVersioned('65a1b2c3d4e5f6a7b8c9d0e1', 3, { name: 'y' })).toStrictEqual({
        status: 'not-found',
      });
      expect(await store.findById(created.portfolioId)).toStrictEqual(created);
    });

    it('lets exactly one of two concurrent updates with the same version win', async () => {
      const created = await store.insertOne(np('race'));
      const results = await Promise.all([
        store.updateVersioned(created.portfolioId, 1, { name: 'left' }),
        store.updateVersioned(created.portfolioId, 1, { name: 'right' }),
      ]);
      expect(results.map((r) => r.status).sort()).toStrictEqual(['conflict', 'updated']);
      expect((await store.findById(created.portfolioId))?.version).toBe(2);
    });

    it('deletes only with the matching version', async () => {
      const created = await store.insertOne(np('gone', undefined, 2));
      expect(await store.deleteVersioned(created.portfolioId, 1)).toStrictEqual({ status: 'conflict', actualVersion: 2 });
      expect(await store.findById(created.portfolioId)).toStrictEqual(created);
      expect(await store.deleteVersioned(created.portfolioId, 2)).toStrictEqual({ status: 'deleted' });
      expect(await store.findById(created.portfolioId)).toBeNull();
      expect(await store.deleteVersioned(created.portfolioId, 2)).toStrictEqual({ status: 'not-found' });
    });

    it('searches by exact name case-insensitively, newest first', async () => {
      await store.insertMany([
        np('Growth', '2020-01-01T00:00:00.000Z'),
        np('GROWTH', '2022-01-01T00:00:00.000Z'),
        np('Growth Fund', '2023-01-01T00:00:00.000Z'),
        np('growth', '2021-01-01T00:00:00.000Z'),
      ]);
      const result = await store.search({ name: 'gRoWtH', limit: 10, offset: 0 });
      expect(result.total).toBe(3);
      expect(result.items.map((p) => [p.name, p.dateCreated.toISOString()])).toStrictEqual([
        ['GROWTH', '2022-01-01T00:00:00.000Z'],
        ['growth', '2021-01-01T00:00:00.000Z'],
        ['Growth', '2020-01-01T00:00:00.000Z'],
      ]);
    });

    it('searches by substring case-insensitively with literal _ and -', async () => {
      await store.insertMany([
        np('Tech_Fund', '2024-01-03T00:00:00.000Z'),
        np('techxfund', '2024-01-02T00:00:00.000Z'),
        np('Bio-Tech', '2024-01-01T00:00:00.000Z'),
        np('Value', '2024-01-04T00:00:00.000Z'),
      ]);
      const tech = await store.search({ nameLike: 'TECH', limit: 10, offset: 0 });
      expect(tech.items.map((p) => p.name)).toStrictEqual(['Tech_Fund', 'techxfund', 'Bio-Tech']);
      expect(tech.total).toBe(3);
      expect((await store.search({ nameLike: 'h_f', limit: 10, offset: 0 })).items.map((p) => p.name)).toStrictEqual([
        'Tech_Fund',
      ]);
      expect((await store.search({ nameLike: 'o-t', limit: 10, offset: 0 })).items.map((p) => p.name)).toStrictEqual([
        'Bio-Tech',
      ]);
    });

    it('never interprets search text as a regular expression', async () => {
      await store.insertMany([np('abc'), np('a.c x')]);
      for (const text of ['a.c', '.*', '^abc$', 'a|b', '(a)', '[a]', '\\w']) {
        const result = await store.search({ nameLike: text, limit: 10, offset: 0 });
        expect([text, result.items.map((p) => p.name)]).toStrictEqual([text, text === 'a.c' ? ['a.c x'] : []]);
      }
      expect((await store.search({ name: '.*', limit: 10, offset: 0 })).total).toBe(0);
    });

    it('pages by limit and offset with the total of all matches', async () => {
      await store.insertMany(
        Array.from({ length: 7 }, (_, i) => np(`p${i}`, `2024-01-0${i + 1}T00:00:00.000Z`)),
      );
      const page = await store.search({ limit: 3, offset: 2 });
      expect(page.total).toBe(7);
      expect(page.items.map((p) => p.name)).toStrictEqual(['p4', 'p3', 'p2']);
      expect((await store.search({ limit: 3, offset: 6 })).items.map((p) => p.name)).toStrictEqual(['p0']);
      expect(await store.search({ limit: 3, offset: 50 })).toStrictEqual({ items: [], total: 7 });
    });

    it('reports which names already exist, trimmed and case-insensitively, in input order', async () => {
      await store.insertMany([np('Alpha'), np('beta')]);
      expect(await store.findExistingNames(['gamma', 'BETA', ' alpha ', 'Alpha'])).toStrictEqual([
        'BETA',
        ' alpha ',
        'Alpha',
      ]);
      expect(await store.findExistingNames(['none'])).toStrictEqual([]);
    });

    it('answers ping and names its bulk strategy', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(['transaction', 'compensation', 'atomic']).toContain(await store.bulkStrategy());
    });
  });
}
