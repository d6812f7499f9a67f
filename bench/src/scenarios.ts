import type { HttpLoadSpec } from './load.js';
import type { Scenario } from './results.js';
import { SEARCH_LIMIT, createNameSource } from './workload.js';

/** The v2 search term of the throughput scenario (matches a handful of seeded portfolios). */
export const SEARCH_TERM = 'fund 12';

/** HTTP load of a scenario on one server (same paths on the service and the bare Koa baseline). */
export function scenarioLoad(
  scenario: Scenario,
  url: string,
  ids: readonly string[],
  tag: string,
  connections: number,
  durationMs: number,
): HttpLoadSpec {
  switch (scenario) {
    case 'getById':
      return { url, method: 'GET', path: (i) => `/api/v1/portfolio/${ids[i % ids.length]!}`, connections, durationMs };
    case 'search':
      return {
        url,
        method: 'GET',
        path: () => `/api/v2/portfolios?name_like=${encodeURIComponent(SEARCH_TERM)}&limit=${SEARCH_LIMIT}`,
        connections,
        durationMs,
      };
    case 'create': {
      const next = createNameSource(tag);
      return { url, method: 'POST', path: () => '/api/v1/portfolios', body: () => JSON.stringify({ name: next() }), connections, durationMs };
    }
  }
}

/** HTTP load of the bulk comparison: `size` portfolios per request on the v2 or fast path. */
export function bulkLoad(path: 'v2' | 'fast', url: string, size: number, tag: string, connections: number, durationMs: number): HttpLoadSpec {
  const next = createNameSource(tag);
  return {
    url,
    method: 'POST',
    path: () => (path === 'v2' ? '/api/v2/portfolios' : '/api/fast/portfolios/bulk'),
    body: () => JSON.stringify(Array.from({ length: size }, () => ({ name: next() }))),
    connections,
    durationMs,
  };
}
