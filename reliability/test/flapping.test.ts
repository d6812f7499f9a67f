// Connections to the database are dropped again and again under load: no crash, no 5xx other than
// 503, no leaked connections once it stops.
import { describe, expect, inject, it } from 'vitest';
import { useApiBehindProxy } from './support/behind-proxy.js';
import { readMetrics, readPool, runLoad, sleep, waitUntil } from './support/http.js';
import { recordScenario } from './support/results.js';
import { countBy, summarize } from './support/stats.js';

const MAX_POOL = 10;
const DROPS = 12;
const DROP_EVERY_MS = 300;

describe.each([
  { compressors: 'none' },
  // As shipped: zlib is what this backend negotiates, the compressor whose asynchronous compression
  // once let an operation hang on a connection dropped mid-write (guarded by portfolio-core's guardDroppedConnections).
  { compressors: 'zstd,snappy,zlib' },
])('MONGODB_COMPRESSORS=$compressors', ({ compressors }) => {
const setup = useApiBehindProxy(
  {
    MONGODB_COMPRESSORS: compressors,
    MAX_POOL_SIZE: String(MAX_POOL),
    DB_OPERATION_TIMEOUT_MS: '1000',
    DB_BREAKER_FAILURES: '5',
    DB_BREAKER_HALF_OPEN_MS: '500',
    DB_BREAKER_SUCCESSES: '1',
    MONGODB_CONNECT_TIMEOUT_MS: '1000',
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
  },
  12,
);

it('flapping connections: no crash, no hang, pool back to normal after', async () => {
  const { proxy, api, http } = setup;
  const seed = await http.json<{ portfolioId: string }>({ method: 'POST', path: '/api/v1/portfolios', body: { name: 'flap seed' } });
  const id = seed.body.portfolioId;
  const next = (w: number, i: number) =>
    i % 3 === 0
      ? { kind: 'create', method: 'POST' as const, path: '/api/v1/portfolios', body: { name: `flap ${w} ${i}` } }
      : { kind: 'get', method: 'GET' as const, path: `/api/v1/portfolio/${id}` };

  // Warm-up: the pool grows to what this load needs.
  const warm = await runLoad(http, { workers: 8, durationMs: 1000, maxRequests: 20_000, next });
  const poolBefore = await readPool(http);
  const proxyBefore = proxy.connections;

  let dropping = true;
  const flapper = (async () => {
    for (let i = 0; i < DROPS; i++) {
      await sleep(DROP_EVERY_MS);
      proxy.dropConnections();
    }
    dropping = false;
  })();
  const during = await runLoad(http, { workers: 8, durationMs: DROPS * DROP_EVERY_MS + 2000, maxRequests: 50_000, timeoutMs: 15_000, next, stop: () => !dropping });
  await flapper;
  const flapAccepted = proxy.accepted;

  // Settle: the breaker closes again and the pool has no checked-out or waiting connections.
  const settled = await waitUntil(async () => {
    const r = await http.call({ method: 'GET', path: `/api/v1/portfolio/${id}` });
    if (r.status !== 200) return false;
    const p = await readPool(http);
    return p.breaker === 'closed' && p.inUse === 0 && p.waitQueue === 0;
  }, 8000, 250);
  const afterLoad = await runLoad(http, { workers: 8, durationMs: 1000, maxRequests: 20_000, next });
  await sleep(500);
  const poolAfter = await readPool(http);
  const metrics = await readMetrics(http);
  const proxyAfter = proxy.connections;

  const figures = {
    backend: inject('mongoBackend'),
    settings: `${DROPS} drops every ${DROP_EVERY_MS} ms under 8 workers (2/3 GET, 1/3 POST), MAX_POOL_SIZE=${MAX_POOL}`,
    requestsDuringFlapping: during.length,
    statusesDuringFlapping: countBy(during, (s) => String(s.status ?? s.error)),
    latencyDuringFlappingMs: summarize(during.map((s) => s.ms)),
    statusesAfter: countBy(afterLoad, (s) => String(s.status ?? s.error)),
    connectionsAcceptedDuringRun: flapAccepted,
    poolBefore,
    poolAfter,
    proxyConnectionsBefore: proxyBefore,
    proxyConnectionsAfter: proxyAfter,
    metricPoolOpen: metrics.get('mongodb_pool_connections_open'),
    metricPoolInUse: metrics.get('mongodb_pool_connections_in_use'),
    metricPoolOpenMinusSockets: (metrics.get('mongodb_pool_connections_open') ?? 0) - Math.max(0, proxyAfter - 1),
    settled,
    processAlive: api.alive(),
    serverErrorLogs: [...new Set(api.lines.filter((l) => l.level === 'error').map((l) => `${l.msg} ${JSON.stringify((l.err as { type?: string; message?: string } | undefined)?.message ?? '')}`))].slice(0, 5),
  };
  recordScenario(`flapping connections (MONGODB_COMPRESSORS=${compressors})`, figures);

  expect(warm.every((s) => s.status === 200 || s.status === 201)).toBe(true);
  expect(api.alive()).toBe(true);
  expect(api.stderr()).toBe('');
  // While flapping: successes or 503 with Retry-After; never a 500, a dropped HTTP connection or a hang.
  expect(during.length).toBeGreaterThan(50);
  expect(
    during
      .filter((s) => !(s.status === 200 || s.status === 201 || (s.status === 503 && s.headers['retry-after'] !== undefined)))
      .map((s) => `${s.kind} ${s.status ?? s.error}`),
  ).toStrictEqual([]);
  expect(settled).toBe(true);
  expect(afterLoad.filter((s) => s.status !== 200 && s.status !== 201)).toStrictEqual([]);
  // No leak, counted on the sockets themselves (the proxy sees every connection): at most the pool's
  // maximum plus the monitor connection. The pool metric's open count over-counts after pool clears
  // (README, "Known defects"), so only its in-use and wait-queue figures are asserted.
  expect(proxyAfter).toBeLessThanOrEqual(MAX_POOL + 1);
  expect(poolAfter.inUse).toBe(0);
  expect(poolAfter.waitQueue).toBe(0);
  expect(metrics.get('mongodb_pool_connections_in_use')).toBe(0);
});
});
