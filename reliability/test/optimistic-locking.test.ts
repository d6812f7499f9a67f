// N parallel read-modify-write updaters on one portfolio: every answer is 200 or 409, and the final
// version is exactly the number of 200s + 1.
import { MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startApi, stopAllApis, type ApiProcess } from './support/api-process.js';
import { createHttpClient, type CallResult, type HttpClient, waitForReady } from './support/http.js';
import { recordScenario } from './support/results.js';
import { countBy, summarize } from './support/stats.js';

const UPDATERS = 16;
const ROUNDS = 15;

let api: ApiProcess;
let http: HttpClient;
let mongo: MongoClient;

interface PortfolioBody {
  portfolioId: string;
  name: string;
  dateCreated: string;
  version: number;
}

beforeAll(async () => {
  mongo = new MongoClient(inject('mongoUri'));
  api = await startApi({ MONGODB_URI: inject('mongoUri') });
  http = createHttpClient(api.baseUrl, UPDATERS + 2);
  expect(await waitForReady(http, 15_000)).toBe(true);
});

afterAll(async () => {
  await http?.close();
  await stopAllApis();
  await mongo?.close();
});

it('optimistic locking under contention: final version = 200s + 1, every other answer 409', async () => {
  const created = await http.json<PortfolioBody>({ method: 'POST', path: '/api/v1/portfolios', body: { name: 'contended' } });
  expect(created.status).toBe(201);
  const id = created.body.portfolioId;

  // First a burst where all updaters hold the same version (exactly one may win) …
  const burst = await Promise.all(
    Array.from({ length: UPDATERS }, (_, u) => http.call({ method: 'PUT', path: `/api/v1/portfolio/${id}`, body: { portfolioId: id, name: `burst ${u}`, version: 1 } })),
  );
  // … then read-modify-write loops racing each other.
  const answers: CallResult[] = [];
  await Promise.all(
    Array.from({ length: UPDATERS }, async (_, u) => {
      for (let r = 0; r < ROUNDS; r++) {
        const current = await http.json<PortfolioBody>({ method: 'GET', path: `/api/v1/portfolio/${id}` });
        answers.push(
          await http.call({ method: 'PUT', path: `/api/v1/portfolio/${id}`, body: { portfolioId: id, name: `updater ${u} round ${r}`, version: current.body.version } }),
        );
      }
    }),
  );
  const all = [...burst, ...answers];
  const ok = all.filter((a) => a.status === 200);
  const final = await http.json<PortfolioBody>({ method: 'GET', path: `/api/v1/portfolio/${id}` });
  const stored = await mongo.db(api.database).collection('portfolio').findOne({ _id: new ObjectId(id) });
  const okVersions = ok.map((a) => (JSON.parse(a.text) as PortfolioBody).version).sort((a, b) => a - b);

  const figures = {
    backend: inject('mongoBackend'),
    settings: `${UPDATERS} updaters: one burst at version 1, then ${ROUNDS} read-modify-write rounds each`,
    puts: all.length,
    statuses: countBy(all, (a) => String(a.status ?? a.error)),
    burstWinners: burst.filter((a) => a.status === 200).length,
    finalVersion: final.body.version,
    storedVersion: stored?.version as unknown,
    putLatencyMs: summarize(all.map((a) => a.ms)),
  };
  recordScenario('optimistic locking under contention', figures);

  expect(burst.filter((a) => a.status === 200)).toHaveLength(1);
  expect(all.filter((a) => a.status !== 200 && a.status !== 409).map((a) => a.status ?? a.error)).toStrictEqual([]);
  expect(all.filter((a) => a.status === 409).every((a) => (JSON.parse(a.text) as { detail: string }).detail === 'Version conflict')).toBe(true);
  expect(ok.length).toBeGreaterThan(1);
  expect(final.body.version).toBe(ok.length + 1);
  expect(stored?.version).toBe(ok.length + 1);
  // Each 200 produced a distinct version: 2, 3, …, 200s + 1 — no lost update, no duplicate.
  expect(okVersions).toStrictEqual(Array.from({ length: ok.length }, (_, i) => i + 2));
  // The stored name is the one written by the update that produced the final version.
  const last = ok.find((a) => (JSON.parse(a.text) as PortfolioBody).version === final.body.version);
  expect(stored?.name).toBe((JSON.parse(last?.text ?? '{}') as PortfolioBody).name);
});
