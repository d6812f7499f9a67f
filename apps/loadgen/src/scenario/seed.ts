import type { HttpClient } from '../http/client.js';
import type { Item } from './pool.js';

interface Created {
  portfolioId: string;
  name: string;
  version: number;
}

/** Runs `tasks` with at most `concurrency` at a time. */
async function inParallel<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array<T>(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await task(i);
    }
  });
  await Promise.all(lanes);
  return out;
}

/**
 * Creates `count` portfolios through v2 bulk requests of `bulkSize`, returning their ids and
 * versions. Throws with the status and body of the first failed batch.
 */
export async function seedPortfolios(client: HttpClient, count: number, bulkSize: number, namePrefix: string): Promise<Item[]> {
  const batches = Math.ceil(count / bulkSize);
  const results = await inParallel(batches, 4, async (b) => {
    const n = Math.min(bulkSize, count - b * bulkSize);
    const body = JSON.stringify(Array.from({ length: n }, (_, i) => ({ name: `${namePrefix}${b * bulkSize + i}` })));
    const res = await client.send('POST', '/api/v2/portfolios', body, true);
    if (res.status !== 201) {
      throw new Error(`seeding failed: POST /api/v2/portfolios answered ${res.error ?? res.status}${res.body === undefined ? '' : ` ${res.body.slice(0, 200)}`}`);
    }
    const created = JSON.parse(res.body ?? '[]') as Created[];
    return created.map((p) => ({ id: p.portfolioId, version: p.version, name: p.name }));
  });
  return results.flat();
}

/** Deletes the given portfolios with their last known versions; returns how many succeeded. */
export async function cleanupPortfolios(client: HttpClient, items: readonly Item[]): Promise<{ deleted: number; failed: number }> {
  const outcomes = await inParallel(items.length, 8, async (i) => {
    const item = items[i] as Item;
    let res = await client.send('DELETE', `/api/v1/portfolio/${item.id}?version=${item.version}`, undefined, false);
    if (res.status === 409) {
      // the cached version is stale: read the current one and retry once
      const cur = await client.send('GET', `/api/v1/portfolio/${item.id}`, undefined, true);
      const version = cur.status === 200 ? (JSON.parse(cur.body ?? '{}') as Created).version : item.version;
      res = await client.send('DELETE', `/api/v1/portfolio/${item.id}?version=${version}`, undefined, false);
    }
    return res.status === 204 || res.status === 404;
  });
  const deleted = outcomes.filter(Boolean).length;
  return { deleted, failed: outcomes.length - deleted };
}
