// Expensive requests are the client's cost: whole-collection lists (GET /api/v1/portfolios) stream
// from the cursor, alone and ten at once, while other clients keep being served and the database
// breaker stays closed. GLOBECO_RELIABILITY_LIST_DOCS sets the collection size (default 10 000,
// which keeps the scenario to tens of seconds; RELIABILITY.md has the figures at 100 000 and more),
// GLOBECO_RELIABILITY_LIST_CONCURRENCY the lists at once (10), GLOBECO_RELIABILITY_API_HEAP_MB an
// old-space limit for the API process (to show the lists fit in it).
import { readFileSync } from 'node:fs';
import { MongoClient, ObjectId } from 'mongodb';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startApi, stopAllApis, type ApiProcess } from './support/api-process.js';
import { createHttpClient, readPool, runLoad, sleep, waitForReady, type HttpClient, type Sample } from './support/http.js';
import { recordScenario } from './support/results.js';
import { countBy, summarize } from './support/stats.js';

const DOCUMENTS = Number(process.env.GLOBECO_RELIABILITY_LIST_DOCS ?? 10_000);
const CONCURRENT_LISTS = Number(process.env.GLOBECO_RELIABILITY_LIST_CONCURRENCY ?? 10);
/** Old-space limit of the API process (MB), to show the lists need no more; unset: Node's default. */
const API_HEAP_MB = process.env.GLOBECO_RELIABILITY_API_HEAP_MB;
/** Bound of every phase: generous for the size, so a hang fails instead of waiting forever. */
const PHASE_MS = Math.max(60_000, DOCUMENTS * 2);

let api: ApiProcess;
let listAgent: Agent;
let others: HttpClient;
let mongo: MongoClient;
let someId = '';

/** Resident set size of the API process in MB (Linux /proc). */
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Samples the API's RSS every 50 ms until stopped; resolves with the peak. */
function watchRss(pid: number): { stop(): number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(Math.max(peak, rssMb(pid)));
    },
  };
}

interface ListOutcome {
  readonly status?: number;
  readonly error?: string;
  readonly items: number;
  /** Began with `[`, ended with `]`, and the body arrived whole. */
  readonly valid: boolean;
  readonly ms: number;
  readonly mb: number;
}

/**
 * GETs the whole list and checks it as it arrives, without holding it: counts the portfolios
 * (`{"portfolioId":` openings, also across chunk boundaries) and checks the brackets at both ends.
 * A 1 000 000-document list is 113 MB of JSON; parsing it whole would stall this process, which
 * also runs the wire MongoDB unless MONGODB_URI points elsewhere.
 */
async function listAll(): Promise<ListOutcome> {
  const started = performance.now();
  const marker = '{"portfolioId":';
  let items = 0;
  let bytes = 0;
  let first = '';
  let tail = '';
  try {
    const res = await request(`${api.baseUrl}/api/v1/portfolios`, { dispatcher: listAgent, signal: AbortSignal.timeout(PHASE_MS) });
    for await (const chunk of res.body) {
      const text = (chunk as Buffer).toString('latin1');
      bytes += text.length;
      if (first === '') first = text.slice(0, 1);
      const window = tail + text;
      for (let at = window.indexOf(marker); at !== -1; at = window.indexOf(marker, at + 1)) items++;
      tail = window.slice(-(marker.length - 1));
    }
    const ms = Math.round(performance.now() - started);
    return { status: res.statusCode, items, valid: first === '[' && tail.endsWith(']'), ms, mb: Math.round((bytes / 1048576) * 10) / 10 };
  } catch (error) {
    const e = error as { code?: unknown; name?: unknown };
    return { error: String(e.code ?? e.name), items, valid: false, ms: Math.round(performance.now() - started), mb: Math.round((bytes / 1048576) * 10) / 10 };
  }
}

beforeAll(async () => {
  mongo = new MongoClient(inject('mongoUri'));
  api = await startApi({ MONGODB_URI: inject('mongoUri'), ...(API_HEAP_MB === undefined ? {} : { NODE_OPTIONS: `--max-old-space-size=${API_HEAP_MB}` }) });
  listAgent = new Agent({ connections: CONCURRENT_LISTS + 2, pipelining: 1 });
  others = createHttpClient(api.baseUrl, 8);
  expect(await waitForReady(others, 15_000)).toBe(true);
  // Seeded with the driver in the service's document shape, one minute apart.
  const collection = mongo.db(api.database).collection('portfolio');
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < DOCUMENTS; i += 10_000) {
    const docs = Array.from({ length: Math.min(10_000, DOCUMENTS - i) }, (_, k) => {
      const name = `Listed ${i + k}`;
      return { _id: new ObjectId(), name, dateCreated: new Date(start + (i + k) * 60_000), version: 1 };
    });
    await collection.insertMany(docs, { ordered: false });
    if (i === 0) someId = docs[0]!._id.toHexString();
  }
}, Math.max(60_000, DOCUMENTS / 10));

afterAll(async () => {
  await listAgent?.close();
  await others?.close();
  await stopAllApis();
  await mongo?.close();
});

it(
  `whole-collection lists of ${DOCUMENTS} portfolios, alone and ${CONCURRENT_LISTS} at once, while other traffic keeps succeeding and the breaker stays closed`,
  async () => {
    const pid = api.child.pid!;
    const idleRss = Math.round(rssMb(pid));

    const aloneRss = watchRss(pid);
    const alone = await listAll();
    const alonePeak = aloneRss.stop();
    expect(alone).toMatchObject({ status: 200, items: DOCUMENTS, valid: true });

    // Ten lists at once, and other clients meanwhile: reads by id, creates, searches, probes.
    const concurrentRss = watchRss(pid);
    const started = performance.now();
    let listsDone = false;
    const concurrent = Promise.all(Array.from({ length: CONCURRENT_LISTS }, () => listAll())).finally(() => {
      listsDone = true;
    });
    const breakerStates = new Set<string>();
    const traffic = runLoad(others, {
      workers: 4,
      durationMs: PHASE_MS,
      maxRequests: 20_000,
      timeoutMs: 5000,
      pauseMs: 5,
      stop: () => listsDone,
      next: (w, i) => {
        switch ((w + i) % 4) {
          case 0:
            return { kind: 'get', method: 'GET', path: `/api/v1/portfolio/${someId}` };
          case 1:
            return { kind: 'create', method: 'POST', path: '/api/v1/portfolios', body: { name: `Meanwhile ${w} ${i}` } };
          case 2:
            return { kind: 'search', method: 'GET', path: '/api/v2/portfolios?name_like=listed%201&limit=10' };
          default:
            return { kind: 'detailed', method: 'GET', path: '/health/detailed' };
        }
      },
      onSample: (s: Sample) => {
        // /health/detailed may answer 503 (its database check has a 2 s bound): its breaker state still counts.
        if (s.kind === 'detailed' && s.status !== undefined) breakerStates.add((JSON.parse(s.text) as { checks: { circuit_breakers: { database: { state: string } } } }).checks.circuit_breakers.database.state);
      },
    });
    const [outcomes, samples] = await Promise.all([concurrent, traffic]);
    const concurrentMs = Math.round(performance.now() - started);
    const concurrentPeak = concurrentRss.stop();
    await sleep(100);
    const pool = await readPool(others);

    const requests = samples.filter((s) => s.kind !== 'detailed');
    const failedOthers = requests.filter((s) => s.status === undefined || s.status >= 300);
    const probes = samples.filter((s) => s.kind === 'detailed');
    recordScenario('expensive lists', {
      documents: DOCUMENTS,
      backend: inject('mongoBackend'),
      'API old-space limit': API_HEAP_MB === undefined ? 'Node default' : `${API_HEAP_MB} MB`,
      'one list': `${alone.ms} ms, ${alone.mb} MB of JSON`,
      [`${CONCURRENT_LISTS} lists at once`]: `${concurrentMs} ms in all (each ${summarize(outcomes.map((o) => o.ms)).p50} ms p50, ${Math.max(...outcomes.map((o) => o.ms))} ms max)`,
      'API RSS idle / peak alone / peak concurrent': `${idleRss} / ${alonePeak} / ${concurrentPeak} MB`,
      'other requests meanwhile': `${requests.length} (${JSON.stringify(countBy(requests, (s) => String(s.status ?? s.error)))})`,
      'other requests latency': `p50 ${summarize(requests.map((s) => s.ms)).p50} ms, p99 ${summarize(requests.map((s) => s.ms)).p99} ms`,
      '/health/detailed meanwhile': JSON.stringify(countBy(probes, (s) => String(s.status ?? s.error))),
      'breaker states seen': [...breakerStates].join(', '),
    });

    for (const outcome of outcomes) {
      expect([outcome.status, outcome.error, outcome.valid]).toStrictEqual([200, undefined, true]);
      // Creates during the lists may or may not be seen by a cursor opened before them.
      expect(outcome.items).toBeGreaterThanOrEqual(DOCUMENTS);
    }
    expect(requests.length).toBeGreaterThan(20);
    expect(failedOthers.map((s) => `${s.kind} ${s.status ?? s.error}`)).toStrictEqual([]);
    expect([...breakerStates]).toStrictEqual(['closed']);
    expect(pool.breaker).toBe('closed');
  },
  PHASE_MS * 3,
);
