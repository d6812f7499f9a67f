// Property-based hostile input across every endpoint: never a 5xx, never a hang, and nothing stored
// except by a 2xx create.
import fc from 'fast-check';
import { MongoClient, type Collection } from 'mongodb';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startApi, stopAllApis, type ApiProcess } from './support/api-process.js';
import { createHttpClient, waitUntil, type CallSpec, type HttpClient } from './support/http.js';
import { recordScenario } from './support/results.js';
import { countBy, summarize } from './support/stats.js';

const RUNS = 1200;
const REQUEST_TIMEOUT_MS = 5000;
const NAME_RULE = /^[A-Za-z0-9 _-]{1,200}$/;

let api: ApiProcess;
let http: HttpClient;
let mongo: MongoClient;
let portfolios: Collection;
let seededId = '';

beforeAll(async () => {
  mongo = new MongoClient(inject('mongoUri'));
  api = await startApi({ MONGODB_URI: inject('mongoUri') });
  http = createHttpClient(api.baseUrl, 4);
  expect(await waitUntil(async () => (await http.call({ method: 'GET', path: '/health/startup' })).status === 200, 15_000)).toBe(true);
  portfolios = mongo.db(api.database).collection('portfolio');
  const seeded = await http.json<{ portfolioId: string }>({ method: 'POST', path: '/api/v1/portfolios', body: { name: 'hostile seed' } });
  seededId = seeded.body.portfolioId;
});

afterAll(async () => {
  await http?.close();
  await stopAllApis();
  await mongo?.close();
});

/** Percent-encodes any string, lone surrogates included (as U+FFFD), keeping unreserved characters. */
function pct(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');
}

// Values that parse but should never be accepted as-is.
const operatorObject = fc.oneof(
  fc.constant({ $ne: null }),
  fc.constant({ $gt: '' }),
  fc.constant({ $regex: '.*' }),
  fc.constant({ $where: 'sleep(1000)' }),
  fc.record({ $in: fc.array(fc.string(), { maxLength: 3 }) }),
  fc.dictionary(fc.constantFrom('$set', '$unset', '$expr', '$function', '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
);
const nastyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '   ', '.*', '^a$', '(a+)+$', 'a|b', '\\', '\u0000', '\ud800', 'x'.repeat(201), 'y'.repeat(200), 'Ünïcödé', '<script>', "'; drop", '%00', '../..'),
);
const huge = fc.constantFrom(
  () => 'n'.repeat(1_048_577), // over the 1 MiB body limit
  () => JSON.stringify({ name: 'deep', extra: JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown }),
  () => '['.repeat(5000) + ']'.repeat(5000),
  () => JSON.stringify(Array.from({ length: 30_000 }, (_, i) => i)),
  () => JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ name: `many ${i}` }))),
  () => JSON.stringify({ name: 'z'.repeat(500_000) }),
);
const fieldValue = fc.oneof(nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), operatorObject, fc.jsonValue({ maxDepth: 3 }));
const portfolioLike = fc.record(
  {
    name: fieldValue,
    dateCreated: fc.oneof(fieldValue, fc.constantFrom('2024-01-15T10:30:00Z', '2024-13-45T99:99:99Z', '0000-00-00', '1e400', 'now')),
    version: fc.oneof(fieldValue, fc.constantFrom(0, -1, 1.5, 2 ** 53, '1', 1e308)),
    portfolioId: fieldValue,
    _id: fieldValue,
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  { weight: 3, arbitrary: portfolioLike },
  { weight: 2, arbitrary: fc.array(fc.oneof(portfolioLike, fieldValue), { maxLength: 6 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: operatorObject },
);
const rawBody = fc.oneof(
  body.map((b) => JSON.stringify(b)),
  fc.constantFrom('', '{', '{"name":', 'null', 'NaN', '{"name":"a",}', '\ufeff{"name":"bom"}', '{"__proto__":{"polluted":1},"name":"proto"}'),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])), // invalid UTF-8
  huge.map((make) => make()),
);
const badId = fc.oneof(
  fc.string({ maxLength: 30 }).map((s) => pct(s)),
  fc.constantFrom('000000000000000000000000', 'ffffffffffffffffffffffff', 'ZZZZZZZZZZZZZZZZZZZZZZZZ', '%24ne', '..%2F..', 'null', 'undefined', '[object Object]', '65A1B2C3D4E5F6A7B8C9D0E1'),
  fc.constant('seeded'),
);
const queryValue = fc.oneof(nastyString, fc.constantFrom('-1', '0', '1', '1000', '1001', '10.5', '1e3', 'abc', '', '9'.repeat(30)));
const queryString = fc
  .array(fc.tuple(fc.constantFrom('name', 'name_like', 'limit', 'offset', 'name[$regex]', 'name[$ne]', 'limit[]', '__proto__', 'version', 'x'), queryValue), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${pct(k).replace('%5B', '[').replace('%5D', ']').replace('%24', '$')}=${pct(v)}`).join('&')}`));

type Kind = 'v1-create' | 'v1-put' | 'v1-get' | 'v1-delete' | 'v1-list' | 'v2-search' | 'v2-bulk' | 'fast-bulk' | 'fast-search' | 'other';
const request: fc.Arbitrary<CallSpec & { kind: Kind }> = fc.oneof(
  rawBody.map((raw) => ({ kind: 'v1-create' as const, method: 'POST' as const, path: '/api/v1/portfolios', raw })),
  fc.tuple(badId, rawBody).map(([id, raw]) => ({ kind: 'v1-put' as const, method: 'PUT' as const, path: `/api/v1/portfolio/${id === 'seeded' ? seededId : id}`, raw })),
  badId.map((id) => ({ kind: 'v1-get' as const, method: 'GET' as const, path: `/api/v1/portfolio/${id === 'seeded' ? seededId : id}` })),
  fc.tuple(badId, queryString).map(([id, q]) => ({ kind: 'v1-delete' as const, method: 'DELETE' as const, path: `/api/v1/portfolio/${id === 'seeded' ? seededId : id}${q.replace('name', 'version')}` })),
  queryString.map((q) => ({ kind: 'v1-list' as const, method: 'GET' as const, path: `/api/v1/portfolios${q}` })),
  queryString.map((q) => ({ kind: 'v2-search' as const, method: 'GET' as const, path: `/api/v2/portfolios${q}` })),
  rawBody.map((raw) => ({ kind: 'v2-bulk' as const, method: 'POST' as const, path: '/api/v2/portfolios', raw })),
  rawBody.map((raw) => ({ kind: 'fast-bulk' as const, method: 'POST' as const, path: '/api/fast/portfolios/bulk', raw })),
  queryString.map((q) => ({ kind: 'fast-search' as const, method: 'GET' as const, path: `/api/fast/portfolios/search${q}` })),
  fc.tuple(fc.constantFrom<'PATCH' | 'DELETE' | 'PUT' | 'POST'>('PATCH', 'DELETE', 'PUT', 'POST'), fc.constantFrom('/api/v1/portfolios', '/api/v2/portfolios', '/health', '/', '/api/v3/x', '/api/v1/portfolio/', '/%ff')).map(([method, path]) => ({ kind: 'other' as const, method, path, raw: '{}' })),
);

/** Documents a 2xx answer adds (+) or removes (−). */
function documentDelta(kind: Kind, status: number, text: string): number {
  if (status < 200 || status >= 300) return 0;
  if (kind === 'v1-create') return 1;
  if (kind === 'v2-bulk') return (JSON.parse(text) as unknown[]).length;
  if (kind === 'fast-bulk') return (JSON.parse(text) as { count: number }).count;
  if (kind === 'v1-delete') return -1;
  return 0;
}

it(`hostile inputs: ${RUNS} generated requests, no 5xx, no hang, nothing stored from rejected requests`, async () => {
  const seed = Number(process.env.GLOBECO_RELIABILITY_SEED ?? Date.now() % 2 ** 31);
  const before = await portfolios.countDocuments();
  let delta = 0;
  const seen: { kind: Kind; status: number | string; ms: number }[] = [];
  await fc.assert(
    fc.asyncProperty(request, async (spec) => {
      const r = await http.call(spec, REQUEST_TIMEOUT_MS);
      seen.push({ kind: spec.kind, status: r.status ?? String(r.error), ms: r.ms });
      if (r.status === undefined) throw new Error(`${spec.method} ${spec.path}: no answer (${r.error}) after ${Math.round(r.ms)} ms`);
      if (r.status >= 500) throw new Error(`${spec.method} ${spec.path}: ${r.status} ${r.text.slice(0, 200)}`);
      delta += documentDelta(spec.kind, r.status, r.text);
    }),
    { numRuns: RUNS, seed, endOnFailure: true },
  );
  const after = await portfolios.countDocuments();
  // Every stored document has exactly the service's shape: no operator, stray field or bad type got in.
  const odd = await portfolios
    .find({})
    .toArray()
    .then((docs) =>
      docs.filter(
        (d) =>
          Object.keys(d).sort().join(',') !== '_id,dateCreated,name,version' ||
          typeof d.name !== 'string' ||
          !NAME_RULE.test(d.name) ||
          !(d.dateCreated instanceof Date) ||
          !Number.isInteger(d.version) ||
          (d.version as number) < 1,
      ),
    );

  const figures = {
    backend: inject('mongoBackend'),
    seed,
    requests: seen.length,
    byEndpoint: countBy(seen, (s) => s.kind),
    statuses: countBy(seen, (s) => String(s.status)),
    latencyMs: summarize(seen.map((s) => s.ms)),
    documentsBefore: before,
    documentsAfter: after,
    documentsAddedBy2xx: delta,
    malformedDocuments: odd.length,
  };
  recordScenario('hostile inputs (property-based)', figures);

  expect(seen.length).toBe(RUNS);
  expect(after - before).toBe(delta);
  expect(odd).toStrictEqual([]);
  expect(api.alive()).toBe(true);
});
