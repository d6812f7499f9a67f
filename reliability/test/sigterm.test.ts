// SIGTERM at a sustained request rate: no in-flight request fails, every acknowledged write persists.
import { ObjectId, MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startApi, stopAllApis, type ApiProcess } from './support/api-process.js';
import { createHttpClient, runLoad, sleep, type HttpClient, waitForReady } from './support/http.js';
import { recordScenario } from './support/results.js';
import { countBy, summarize } from './support/stats.js';

let api: ApiProcess;
let http: HttpClient;
let mongo: MongoClient;

beforeAll(async () => {
  mongo = new MongoClient(inject('mongoUri'));
  api = await startApi({ MONGODB_URI: inject('mongoUri'), SHUTDOWN_GRACE_MS: '10000', LOG_LEVEL: 'info' });
  http = createHttpClient(api.baseUrl, 12);
  expect(await waitForReady(http, 15_000)).toBe(true);
});

afterAll(async () => {
  await http?.close();
  await stopAllApis();
  await mongo?.close();
});

it('SIGTERM under sustained load: zero failed in-flight requests, every 201 persisted, exit 0', async () => {
  let signalledAt = Number.POSITIVE_INFINITY;
  let refused = false;
  const load = runLoad(http, {
    workers: 8,
    durationMs: 8000,
    maxRequests: 20_000,
    pauseMs: 5, // a sustained rate rather than saturation
    timeoutMs: 15_000,
    next: (w, i) =>
      i % 2 === 0
        ? { kind: 'create', method: 'POST', path: '/api/v1/portfolios', body: { name: `drain ${w} ${i}` } }
        : { kind: 'list', method: 'GET', path: '/api/v2/portfolios?limit=5' },
    onSample: (s) => {
      if (s.startedAt > signalledAt && s.error !== undefined) refused = true;
    },
    stop: () => refused || performance.now() > signalledAt + 3000,
  });
  await sleep(1500);
  signalledAt = performance.now();
  api.child.kill('SIGTERM');
  const samples = await load;
  const code = await api.exited;

  const inFlight = samples.filter((s) => s.startedAt < signalledAt);
  const afterSignal = samples.filter((s) => s.startedAt >= signalledAt);
  const acknowledged = inFlight.concat(afterSignal).filter((s) => s.status === 201).map((s) => (JSON.parse(s.text) as { portfolioId: string }).portfolioId);
  const stored = await mongo
    .db(api.database)
    .collection('portfolio')
    .find({ _id: { $in: acknowledged.map((id) => new ObjectId(id)) } }, { projection: { _id: 1 } })
    .toArray();
  const storedIds = new Set(stored.map((d) => d._id.toHexString()));
  const shutdownLine = api.lines.find((l) => l.msg === 'shutting down');
  const stoppedLine = api.lines.find((l) => l.msg === 'stopped');

  const figures = {
    backend: inject('mongoBackend'),
    settings: '8 workers, 5 ms pause, half POST / half GET search, SHUTDOWN_GRACE_MS=10000',
    requestsBeforeSignal: inFlight.length,
    statusesBeforeSignal: countBy(inFlight, (s) => String(s.status ?? s.error)),
    requestsAfterSignal: afterSignal.length,
    outcomesAfterSignal: countBy(afterSignal, (s) => String(s.status ?? s.error)),
    latencyBeforeSignalMs: summarize(inFlight.map((s) => s.ms)),
    acknowledgedWrites: acknowledged.length,
    acknowledgedWritesFound: storedIds.size,
    inFlightAtSignal: shutdownLine?.inFlight,
    drainMs: shutdownLine && stoppedLine ? Date.parse(String(stoppedLine.time)) - Date.parse(String(shutdownLine.time)) : null,
    forced: stoppedLine?.forced,
    exitCode: code,
  };
  recordScenario('SIGTERM under load', figures);

  expect(code).toBe(0);
  expect(stoppedLine?.forced).toBe(false);
  expect(inFlight.length).toBeGreaterThan(20);
  // Every request sent before the signal was answered successfully.
  expect(inFlight.filter((s) => s.status !== 200 && s.status !== 201).map((s) => `${s.kind} ${s.status ?? s.error}`)).toStrictEqual([]);
  // After it: answered successfully, or refused at the connection (never a 5xx or a half answer).
  expect(afterSignal.filter((s) => s.status !== undefined && s.status !== 200 && s.status !== 201)).toStrictEqual([]);
  // Every acknowledged write is in the database.
  expect(acknowledged.length).toBeGreaterThan(10);
  expect(acknowledged.filter((id) => !storedIds.has(id))).toStrictEqual([]);
});
