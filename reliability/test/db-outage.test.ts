// The database disappears under load and comes back: breaker, fast 503s, readiness, self-recovery.
import { expect, inject, it } from 'vitest';
import { useApiBehindProxy } from './support/behind-proxy.js';
import { runLoad, sleep, type CallResult, type Sample, waitForReady } from './support/http.js';
import { recordScenario } from './support/results.js';
import { countBy, summarize } from './support/stats.js';

const BREAKER_FAILURES = 5;
const HALF_OPEN_MS = 1000;
const OP_TIMEOUT_MS = 1500; // generous: a busy 2-core machine must not time out healthy calls
const WORKERS = 6;
const OUTAGE_MS = 4000;

const setup = useApiBehindProxy(
  {
    DB_OPERATION_TIMEOUT_MS: String(OP_TIMEOUT_MS),
    DB_BREAKER_FAILURES: String(BREAKER_FAILURES),
    DB_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
    DB_BREAKER_SUCCESSES: '2',
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
    MONGODB_CONNECT_TIMEOUT_MS: '1000',
    DB_INDEX_RETRY_MS: '500',
  },
  16,
);

it('database killed under load: breaker opens, fast 503s with Retry-After, readiness 503, recovers by itself', async () => {
  const { proxy, api, http } = setup;
  const created = await http.json<{ portfolioId: string }>({ method: 'POST', path: '/api/v1/portfolios', body: { name: 'outage seed' } });
  expect(created.status).toBe(201);
  const id = created.body.portfolioId;

  const t0 = performance.now();
  let killedAt = Number.NaN;
  let restoredAt = Number.NaN;
  let acceptedAtRestore = 0;
  let lastFailureEnd = Number.NaN;
  let stop = false;
  const probes: { at: number; status: number | undefined }[] = [];
  const probeLoop = (async () => {
    for (let i = 0; i < 300 && !stop; i++) {
      const r = await http.call({ method: 'GET', path: '/health/ready' }, 5000);
      probes.push({ at: r.startedAt + r.ms, status: r.status });
      await sleep(100);
    }
  })();

  const fault = (async () => {
    await sleep(1500);
    killedAt = performance.now();
    await proxy.stop();
    await sleep(OUTAGE_MS);
    restoredAt = performance.now();
    acceptedAtRestore = proxy.accepted;
    await proxy.start();
  })();

  // Recovery: once the database is back, stop 1.5 s after the last failed request (bounded at 20 s).
  const samples = await runLoad(http, {
    workers: WORKERS,
    durationMs: 1500 + OUTAGE_MS + 6000,
    maxRequests: 200_000,
    timeoutMs: 10_000,
    next: (w, i) =>
      (w + i) % 4 === 0
        ? { kind: 'create', method: 'POST', path: '/api/v1/portfolios', body: { name: `outage ${w} ${i}` } }
        : { kind: 'get', method: 'GET', path: `/api/v1/portfolio/${id}` },
    onSample: (s) => {
      if (s.status === undefined || s.status >= 300) lastFailureEnd = Math.max(Number.isNaN(lastFailureEnd) ? 0 : lastFailureEnd, s.startedAt + s.ms);
    },
    stop: () => !Number.isNaN(restoredAt) && performance.now() - Math.max(restoredAt, Number.isNaN(lastFailureEnd) ? 0 : lastFailureEnd) > 1500,
  });
  await fault;
  const readyAgain = await waitForReady(http, 4000);
  const acceptedAfterRestore = proxy.accepted - acceptedAtRestore;
  stop = true;
  await probeLoop;

  const wallOf = (t: number): number => Date.now() - (performance.now() - t);
  const openedLine = api.lines.find((l) => l.msg === 'database circuit breaker open');
  const closedLine = api.lines.find((l) => l.msg === 'database circuit breaker closed' && openedLine !== undefined && String(l.time) > String(openedLine.time));

  const failed = (s: CallResult): boolean => s.status === undefined || s.status >= 300;
  const before = samples.filter((s) => s.startedAt + s.ms < killedAt);
  const during = samples.filter((s) => s.startedAt >= killedAt && s.startedAt < restoredAt);
  const failures = samples.filter(failed);
  const firstFailure = Math.min(...failures.map((s) => s.startedAt + s.ms));
  // Requests sent while the database was down, after the breaker had had time to open.
  const failuresBeforeOpen = failures.filter((s) => s.startedAt < killedAt + 250).length;
  const openPhase = during.filter((s) => s.startedAt > killedAt + 1000 && s.startedAt + s.ms < restoredAt);
  // Requests that waited on the database (about one operation timeout) rather than being refused at once.
  const slowInOpenPhase = openPhase.filter((s) => s.ms > OP_TIMEOUT_MS * 0.8);

  const figures = {
    backend: inject('mongoBackend'),
    settings: `DB_BREAKER_FAILURES=${BREAKER_FAILURES} DB_BREAKER_HALF_OPEN_MS=${HALF_OPEN_MS} DB_OPERATION_TIMEOUT_MS=${OP_TIMEOUT_MS}, outage ${OUTAGE_MS} ms, ${WORKERS} workers`,
    requests: samples.length,
    statuses: countBy(samples, (s) => String(s.status ?? s.error)),
    baselineLatencyMs: summarize(before.map((s) => s.ms)),
    outageLatencyMs: summarize(during.map((s) => s.ms)),
    openPhaseLatencyMs: summarize(openPhase.map((s) => s.ms)),
    slowRequestsInOpenPhase: slowInOpenPhase.length,
    firstFailureAfterKillMs: Math.round(firstFailure - killedAt),
    errorWindowMs: Math.round(lastFailureEnd - firstFailure),
    failuresStartedInFirst250Ms: failuresBeforeOpen,
    breakerOpenedAfterKillMs: Math.round(Date.parse(String(openedLine?.time)) - wallOf(killedAt)),
    recovered: readyAgain,
    recoveryAfterRestoreMs: readyAgain ? Math.max(0, Math.round(lastFailureEnd - restoredAt)) : null,
    driverConnectionsAfterRestore: acceptedAfterRestore,
    breakerTransitions: api.lines.filter((l) => String(l.msg).startsWith('database circuit breaker')).length,
    readinessStatusesDuringOutage: countBy(probes.filter((p) => p.at > killedAt + 500 && p.at < restoredAt), (p) => String(p.status)),
    readinessBackAfterRestoreMs: Math.round((probes.find((p) => p.at > restoredAt && p.status === 200)?.at ?? Number.NaN) - restoredAt),
    processAlive: api.alive(),
    testDurationMs: Math.round(performance.now() - t0),
  };
  recordScenario('database killed under load', figures);

  // While down: the breaker opened; every failure is a 503 with Retry-After (no 500s, no dropped
  // connections, no hangs); readiness is 503; the process stays up.
  expect(openedLine).toBeDefined();
  expect(before.length).toBeGreaterThan(20);
  expect(before.filter(failed)).toStrictEqual([]);
  expect(failures.length).toBeGreaterThan(0);
  // Even requests caught mid-flight by the kill get a 503 with Retry-After, never a 500.
  expect(
    failures
      .filter((s) => !(s.status === 503 && s.headers['retry-after'] !== undefined))
      .map((s) => `${s.kind} ${s.status ?? s.error} at +${Math.round(s.startedAt - killedAt)} ms`),
  ).toStrictEqual([]);
  expect(Object.keys(figures.readinessStatusesDuringOutage)).toStrictEqual(['503']);
  expect(api.alive()).toBe(true);
  // Once open, answers are immediate; only the one trial call let through at each half-open moment
  // waits on the database.
  expect(openPhase.length).toBeGreaterThan(50);
  expect(openPhase.filter((s) => !failed(s))).toStrictEqual([]);
  expect(figures.openPhaseLatencyMs.p50).toBeLessThan(100);
  expect(slowInOpenPhase.length).toBeLessThanOrEqual(Math.ceil(OUTAGE_MS / HALF_OPEN_MS) + 1);
  expect(slowInOpenPhase.filter((s) => s.ms > OP_TIMEOUT_MS + 250)).toStrictEqual([]);

  // Back up: the breaker closed, readiness 200, no failure after recovery, data still there.
  expect(readyAgain).toBe(true);
  expect(closedLine).toBeDefined();
  expect(figures.recoveryAfterRestoreMs).toBeLessThan(HALF_OPEN_MS * 2 + 5000);
  expect(samples.filter((s: Sample) => s.startedAt > lastFailureEnd).filter(failed)).toStrictEqual([]);
  expect((await http.call({ method: 'GET', path: `/api/v1/portfolio/${id}` })).status).toBe(200);
});
