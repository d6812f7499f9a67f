// A slow database (latency injected by the proxy): timeouts at the configured budget, a responsive
// event loop and a bounded driver wait queue.
import { expect, inject, it } from 'vitest';
import { useApiBehindProxy } from './support/behind-proxy.js';
import { readMetrics, readPool, runLoad, sleep, waitUntil } from './support/http.js';
import { recordScenario } from './support/results.js';
import { countBy, summarize } from './support/stats.js';

const OP_TIMEOUT_MS = 300;
const LATENCY_MS = 1500; // per direction: a round trip takes >= 3 s, ten times the budget
const WORKERS = 24;
const MAX_POOL = 10;

let waitQueueMax = Number.NaN;

const setup = useApiBehindProxy(
  {
    DB_OPERATION_TIMEOUT_MS: String(OP_TIMEOUT_MS),
    // A breaker that stays closed, so every request meets the slow database.
    DB_BREAKER_FAILURES: '1000',
    MAX_POOL_SIZE: String(MAX_POOL),
    // One warn line per failed request would measure log I/O through the test's pipe, not the service.
    LOG_LEVEL: 'error',
  },
  WORKERS + 4,
);

it('slow database: 503 at the operation timeout, event-loop p99 < 50 ms, drains and recovers', async () => {
  const { proxy, api, http } = setup;
  const seed = await http.json<{ portfolioId: string }>({ method: 'POST', path: '/api/v1/portfolios', body: { name: 'slow seed' } });
  const id = seed.body.portfolioId;
  const rssBefore = (await http.json<{ memory: { rss_bytes: number } }>({ method: 'GET', path: '/health/metrics' })).body.memory.rss_bytes;
  // Noise floor of this machine: event-loop delay of the idle process over one second.
  await readMetrics(http); // each read resets the event-loop delay histogram
  await sleep(1000);
  // nodejs_eventloop_delay_p99 is in seconds.
  const idleDelayP99 = ((await readMetrics(http)).get('nodejs_eventloop_delay_p99') ?? Number.NaN) * 1000;

  proxy.setLatency(LATENCY_MS);
  const queue: number[] = [];
  let stop = false;
  const sampler = (async () => {
    for (let i = 0; i < 100 && !stop; i++) {
      queue.push((await readPool(http)).waitQueue);
      await sleep(250);
    }
  })();
  // A read is retried after 1 s, 2 s and 4 s: it gives up after four budgets plus the backoff.
  const reading = http.call({ method: 'GET', path: `/api/v1/portfolio/${id}` }, 20_000);
  // Writes are never retried: each answers after one operation budget.
  const samples = await runLoad(http, {
    workers: WORKERS,
    durationMs: 4000,
    maxRequests: 5000,
    timeoutMs: 10_000,
    next: (w, i) => ({ kind: 'create', method: 'POST', path: '/api/v1/portfolios', body: { name: `slow ${w} ${i}` } }),
  });
  const metrics = await readMetrics(http);
  const read = await reading;
  stop = true;
  await sampler;
  const rssDuring = (await http.json<{ memory: { rss_bytes: number } }>({ method: 'GET', path: '/health/metrics' })).body.memory.rss_bytes;

  proxy.setLatency(0);
  const drained = await waitUntil(async () => {
    const pool = await readPool(http);
    return pool.waitQueue === 0 && pool.inUse === 0;
  }, 10_000);
  const after = await http.call({ method: 'GET', path: `/api/v1/portfolio/${id}` });
  const pool = await readPool(http);

  const figures = {
    backend: inject('mongoBackend'),
    settings: `latency ${LATENCY_MS} ms each way, DB_OPERATION_TIMEOUT_MS=${OP_TIMEOUT_MS}, MAX_POOL_SIZE=${MAX_POOL}, ${WORKERS} workers of POST for 4 s`,
    requests: samples.length,
    statuses: countBy(samples, (s) => String(s.status ?? s.error)),
    latencyMs: summarize(samples.map((s) => s.ms)),
    readWithRetriesMs: Math.round(read.ms),
    readStatus: read.status ?? read.error,
    idleEventLoopDelayP99Ms: Math.round(idleDelayP99 * 10) / 10,
    eventLoopDelayP99Ms: Math.round((metrics.get('nodejs_eventloop_delay_p99') ?? Number.NaN) * 10_000) / 10,
    waitQueueMax: Math.max(...queue),
    waitQueueSamples: queue,
    rssBeforeMb: Math.round(rssBefore / 1048576),
    rssDuringMb: Math.round(rssDuring / 1048576),
    drainedAfterLatencyRemoved: drained,
    poolAfter: pool,
  };
  recordScenario('slow database', figures);
  waitQueueMax = figures.waitQueueMax;

  // Every write answered 503 (TIMEOUT, Retry-After) after about one budget, none hung.
  expect(samples.length).toBeGreaterThan(WORKERS * 5);
  expect(samples.filter((s) => s.status !== 503 && s.status !== 504).map((s) => s.status ?? s.error)).toStrictEqual([]);
  expect(samples.every((s) => s.headers['retry-after'] !== undefined)).toBe(true);
  expect(figures.latencyMs.p50).toBeGreaterThanOrEqual(OP_TIMEOUT_MS);
  expect(figures.latencyMs.p99).toBeLessThan(OP_TIMEOUT_MS + 1000); // far below the 3 s round trip
  expect(read.status).toBe(503);
  expect(read.ms).toBeLessThan(4 * OP_TIMEOUT_MS + 7000 + 1500);
  // The process stays responsive: under 50 ms, or (on a machine whose idle noise floor is already
  // near that, e.g. shared by other loads) no worse than that floor plus 25 ms.
  expect(figures.eventLoopDelayP99Ms).toBeLessThan(Math.max(50, idleDelayP99 + 25));
  expect(rssDuring - rssBefore).toBeLessThan(100 * 1048576);
  // Back to normal once the latency is gone.
  expect(drained).toBe(true);
  expect(after.status).toBe(200);
  expect(pool.open).toBeLessThanOrEqual(MAX_POOL);
  expect(api.alive()).toBe(true);
});

// An operation abandoned at its time budget leaves the driver's connection wait queue too
// (waitQueueTimeoutMS = DB_OPERATION_TIMEOUT_MS), so the queue stays within the requests actually
// waiting instead of growing with request rate × latency.
it('slow database: the driver wait queue stays within concurrent requests + pool size', () => {
  expect(waitQueueMax).toBeLessThanOrEqual(WORKERS + MAX_POOL);
});
