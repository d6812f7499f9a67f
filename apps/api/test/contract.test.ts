// One test per row of API_CONTRACT.md, against the app on testkit's MongoDB with the real driver.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestStack, testTelemetry, type PortfolioBody, type TestStack } from './support.js';

const ISO_MS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HEX24 = /^[0-9a-f]{24}$/;
const NAME_RULE =
  'Invalid portfolio name format. Name must be 1-200 characters, alphanumeric, spaces, hyphens, and underscores only';

// Typed asymmetric matchers (expect.any() and friends are typed `any`).
const matching = (pattern: RegExp): string => expect.stringMatching(pattern) as string;
const containing = (text: string): string => expect.stringContaining(text) as string;
const ID = matching(HEX24);
const ISO = matching(ISO_MS_Z);
const ANY_STRING = expect.any(String) as string;
const ANY_NUMBER = expect.any(Number) as number;

let t: TestStack;
beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.clear();
});

async function create(body: Record<string, unknown>): Promise<PortfolioBody> {
  const res = await t.http.post('/api/v1/portfolios').send(body).expect(201);
  return res.body as PortfolioBody;
}

/** Creates portfolios one hour apart (first oldest). */
async function createSeries(names: readonly string[]): Promise<PortfolioBody[]> {
  const out: PortfolioBody[] = [];
  for (const [i, name] of names.entries()) {
    out.push(await create({ name, dateCreated: new Date(Date.UTC(2024, 0, 1, i)).toISOString() }));
  }
  return out;
}

describe('v1', () => {
  it('POST /portfolios creates with defaults: 201, id, trimmed name, now as UTC ms, version 1', async () => {
    const before = Date.now();
    const res = await t.http.post('/api/v1/portfolios').send({ name: '  Growth Fund  ' }).expect(201);
    const body = res.body as PortfolioBody;
    expect(body).toStrictEqual({ portfolioId: ID, name: 'Growth Fund', dateCreated: ISO, version: 1 });
    expect(Date.parse(body.dateCreated)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(body.dateCreated)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('POST honours an offset, treats no offset as UTC, null as absent, and keeps a given version', async () => {
    expect(await create({ name: 'A', dateCreated: '2024-01-15T12:30:00+02:00', version: 3 })).toStrictEqual({
      portfolioId: ID,
      name: 'A',
      dateCreated: '2024-01-15T10:30:00.000Z',
      version: 3,
    });
    expect((await create({ name: 'B', dateCreated: '2024-01-15T10:30:00' })).dateCreated).toBe('2024-01-15T10:30:00.000Z');
    const c = await create({ name: 'C', dateCreated: null, version: null });
    expect(c.version).toBe(1);
    expect(c.dateCreated).toMatch(ISO_MS_Z);
  });

  it('finds a portfolio another program wrote to the collection by exact and partial search at once, and by its new name once renamed', async () => {
    const raw = t.stack.store.collection;
    const dateCreated = new Date('2024-03-01T00:00:00.000Z');
    const { insertedId } = await raw.insertOne({ name: 'Legacy Alpha Fund', dateCreated, version: 1 } as Parameters<typeof raw.insertOne>[0]);
    const names = async (query: string): Promise<string[]> =>
      ((await t.http.get(`/api/v2/portfolios?${query}`).expect(200)).body as { portfolios: { name: string }[] }).portfolios.map((p) => p.name);
    expect(await names('name=legacy%20alpha%20fund')).toStrictEqual(['Legacy Alpha Fund']);
    expect(await names('name_like=alpha')).toStrictEqual(['Legacy Alpha Fund']);
    await raw.updateOne({ _id: insertedId }, { $set: { name: 'Legacy Omega Fund' } });
    expect(await names('name=legacy%20alpha%20fund')).toStrictEqual([]);
    expect(await names('name=LEGACY%20OMEGA%20FUND')).toStrictEqual(['Legacy Omega Fund']);
    expect(await names('name_like=omega')).toStrictEqual(['Legacy Omega Fund']);
  });

  it('POST ignores a client portfolioId/_id and unknown fields, and stores none of them', async () => {
    const created = await create({ name: 'X', portfolioId: 'aaaaaaaaaaaaaaaaaaaaaaaa', _id: 'bbbbbbbbbbbbbbbbbbbbbbbb', owner: 'eve' });
    expect(created.portfolioId).not.toBe('aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(created.portfolioId).not.toBe('bbbbbbbbbbbbbbbbbbbbbbbb');
    const stored = await t.stack.store.collection.find({}).toArray();
    expect(stored).toHaveLength(1);
    expect(Object.keys(stored[0] ?? {}).sort()).toStrictEqual(['_id', 'dateCreated', 'name', 'version']);
    const got = await t.http.get(`/api/v1/portfolio/${created.portfolioId}`).expect(200);
    expect(got.body).toStrictEqual(created);
  });

  it('POST with an invalid body is 422 with FastAPI-shaped detail', async () => {
    const res = await t.http.post('/api/v1/portfolios').send({ version: 1 }).expect(422);
    expect(res.body).toStrictEqual({ detail: [{ loc: ['body', 'name'], msg: ANY_STRING, type: 'missing' }] });
    const bad = await t.http.post('/api/v1/portfolios').send({ name: 'ok', version: 'two' }).expect(422);
    expect(bad.body).toStrictEqual({ detail: [{ loc: ['body', 'version'], msg: ANY_STRING, type: 'int_type' }] });
    const rule = await t.http.post('/api/v1/portfolios').send({ name: 'a.b' }).expect(422);
    expect(rule.body).toStrictEqual({ detail: [{ loc: ['body', 'name'], msg: NAME_RULE, type: 'string_pattern_mismatch' }] });
    expect(await t.count()).toBe(0);
  });

  it('names are not unique: the same name may be created twice', async () => {
    const a = await create({ name: 'Twin' });
    const b = await create({ name: 'Twin' });
    expect(a.portfolioId).not.toBe(b.portfolioId);
    expect(await t.count()).toBe(2);
  });

  it('GET /portfolios returns every portfolio', async () => {
    const created = await createSeries(['One', 'Two', 'Three']);
    const res = await t.http.get('/api/v1/portfolios').expect(200);
    expect(res.body).toStrictEqual([...created].reverse());
  });

  it('GET /portfolio/{id}: 200, upper-case hex accepted; 404 for unknown and malformed ids', async () => {
    const p = await create({ name: 'Find me' });
    expect((await t.http.get(`/api/v1/portfolio/${p.portfolioId}`).expect(200)).body).toStrictEqual(p);
    expect((await t.http.get(`/api/v1/portfolio/${p.portfolioId.toUpperCase()}`).expect(200)).body).toStrictEqual(p);
    for (const id of ['ffffffffffffffffffffffff', 'not-an-id', '123', 'zzzzzzzzzzzzzzzzzzzzzzzz']) {
      const res = await t.http.get(`/api/v1/portfolio/${id}`).expect(404);
      expect(res.body).toStrictEqual({ detail: 'Portfolio not found' });
    }
  });

  it('PUT /portfolio/{id}: 200 with version + 1, dateCreated kept unless supplied', async () => {
    const p = await create({ name: 'Old', dateCreated: '2024-01-01T00:00:00Z' });
    const res = await t.http.put(`/api/v1/portfolio/${p.portfolioId}`).send({ portfolioId: p.portfolioId, name: 'New', version: 1 }).expect(200);
    expect(res.body).toStrictEqual({ ...p, name: 'New', version: 2 });
    const res2 = await t.http
      .put(`/api/v1/portfolio/${p.portfolioId}`)
      .send({ portfolioId: p.portfolioId, name: 'Newer', version: 2, dateCreated: '2025-06-01T08:00:00+01:00' })
      .expect(200);
    expect(res2.body).toStrictEqual({ ...p, name: 'Newer', version: 3, dateCreated: '2025-06-01T07:00:00.000Z' });
  });

  it('PUT: 404 unknown or malformed id, 409 version conflict, 422 invalid body', async () => {
    const p = await create({ name: 'P' });
    const body = { portfolioId: p.portfolioId, name: 'Q', version: 1 };
    expect((await t.http.put('/api/v1/portfolio/ffffffffffffffffffffffff').send(body).expect(404)).body).toStrictEqual({ detail: 'Portfolio not found' });
    expect((await t.http.put('/api/v1/portfolio/bad').send(body).expect(404)).body).toStrictEqual({ detail: 'Portfolio not found' });
    expect((await t.http.put(`/api/v1/portfolio/${p.portfolioId}`).send({ ...body, version: 5 }).expect(409)).body).toStrictEqual({ detail: 'Version conflict' });
    const invalid = await t.http.put(`/api/v1/portfolio/${p.portfolioId}`).send({ name: 'Q' }).expect(422);
    expect(invalid.body).toStrictEqual({
      detail: [
        { loc: ['body', 'portfolioId'], msg: ANY_STRING, type: 'missing' },
        { loc: ['body', 'version'], msg: ANY_STRING, type: 'missing' },
      ],
    });
    expect((await t.http.get(`/api/v1/portfolio/${p.portfolioId}`).expect(200)).body).toStrictEqual(p);
  });

  it('DELETE /portfolio/{id}?version=N: 204 empty; 404; 409; 422 missing or non-integer version', async () => {
    const p = await create({ name: 'Del' });
    expect((await t.http.delete(`/api/v1/portfolio/${p.portfolioId}?version=2`).expect(409)).body).toStrictEqual({ detail: 'Version conflict' });
    const missing = await t.http.delete(`/api/v1/portfolio/${p.portfolioId}`).expect(422);
    expect(missing.body).toStrictEqual({ detail: [{ loc: ['query', 'version'], msg: ANY_STRING, type: 'missing' }] });
    for (const version of ['abc', '1.5', '1e0']) {
      const res = await t.http.delete(`/api/v1/portfolio/${p.portfolioId}?version=${version}`).expect(422);
      expect(res.body).toStrictEqual({ detail: [{ loc: ['query', 'version'], msg: ANY_STRING, type: ANY_STRING }] });
    }
    const ok = await t.http.delete(`/api/v1/portfolio/${p.portfolioId}?version=1`).expect(204);
    expect(ok.text).toBe('');
    expect((await t.http.delete(`/api/v1/portfolio/${p.portfolioId}?version=1`).expect(404)).body).toStrictEqual({ detail: 'Portfolio not found' });
    expect(await t.count()).toBe(0);
  });
});

describe('v2', () => {
  it('GET /portfolios: sorted by dateCreated descending with pagination', async () => {
    const created = await createSeries(['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7']);
    const res = await t.http.get('/api/v2/portfolios?limit=3&offset=2').expect(200);
    const newestFirst = [...created].reverse();
    expect(res.body).toStrictEqual({
      portfolios: newestFirst.slice(2, 5),
      pagination: { totalElements: 7, totalPages: 3, currentPage: 0, pageSize: 3, hasNext: true, hasPrevious: false },
    });
    const last = await t.http.get('/api/v2/portfolios?limit=3&offset=6').expect(200);
    expect(last.body).toStrictEqual({
      portfolios: newestFirst.slice(6),
      pagination: { totalElements: 7, totalPages: 3, currentPage: 2, pageSize: 3, hasNext: false, hasPrevious: true },
    });
    const all = await t.http.get('/api/v2/portfolios').expect(200);
    expect((all.body as { pagination: { pageSize: number } }).pagination.pageSize).toBe(50);
  });

  it('name is exact and case-insensitive; name_like is a case-insensitive substring with literal _ and -', async () => {
    const [tech, techGrowth, , underscore, dash] = await createSeries(['Tech', 'Tech Growth', 'Biotech', 'a_b', 'a-b']);
    const exact = await t.http.get('/api/v2/portfolios?name=tECH').expect(200);
    expect((exact.body as { portfolios: unknown[] }).portfolios).toStrictEqual([tech]);
    const like = await t.http.get('/api/v2/portfolios?name_like=TECH').expect(200);
    expect((like.body as { portfolios: PortfolioBody[] }).portfolios.map((p) => p.name)).toStrictEqual(['Biotech', 'Tech Growth', 'Tech']);
    expect((await t.http.get('/api/v2/portfolios?name_like=a_b').expect(200)).body).toMatchObject({ portfolios: [underscore] });
    expect((await t.http.get('/api/v2/portfolios?name_like=a-b').expect(200)).body).toMatchObject({ portfolios: [dash] });
    expect(techGrowth).toBeDefined();
    const none = await t.http.get('/api/v2/portfolios?name=nothing').expect(200);
    expect(none.body).toStrictEqual({
      portfolios: [],
      pagination: { totalElements: 0, totalPages: 0, currentPage: 0, pageSize: 50, hasNext: false, hasPrevious: false },
    });
  });

  it('limit 1..1000 and offset >= 0, integers only, else 422', async () => {
    for (const q of ['limit=0', 'limit=1001', 'limit=10.5', 'limit=1e3', 'limit=abc', 'offset=-1', 'offset=1.5']) {
      const res = await t.http.get(`/api/v2/portfolios?${q}`).expect(422);
      const param = q.split('=')[0];
      expect(res.body).toStrictEqual({ detail: [{ loc: ['query', param], msg: ANY_STRING, type: ANY_STRING }] });
    }
    await t.http.get('/api/v2/portfolios?limit=1000&offset=0').expect(200);
  });

  it('search 400s: both names, empty, whitespace, and names that break the rule', async () => {
    const cases: [string, string][] = [
      ['name=a&name_like=b', 'Only one search parameter allowed: name or name_like'],
      ['name=', 'Search parameter cannot be empty'],
      ['name_like=%20%20', 'Search parameter cannot be empty'],
      ['name=a.*', NAME_RULE],
      ['name_like=%C3%A9t%C3%A9', NAME_RULE],
      [`name=${'x'.repeat(201)}`, NAME_RULE],
      ['name_like=(a)', NAME_RULE],
    ];
    for (const [q, detail] of cases) {
      const res = await t.http.get(`/api/v2/portfolios?${q}`).expect(400);
      expect(res.body).toStrictEqual({ detail });
    }
  });

  it('operator-looking parameters are never run as operators', async () => {
    await createSeries(['Alpha', 'Beta']);
    const res = await t.http.get('/api/v2/portfolios?name[$regex]=.*&name_like[$ne]=x').expect(200);
    // Unknown parameters are ignored: the result is the unfiltered list, not a regex match.
    expect((res.body as { pagination: { totalElements: number } }).pagination.totalElements).toBe(2);
  });

  it('POST /portfolios: 201 array in request order; names already stored are accepted', async () => {
    await create({ name: 'Existing' });
    const res = await t.http.post('/api/v2/portfolios').send([{ name: 'B1' }, { name: 'Existing' }, { name: 'B3', version: 4 }]).expect(201);
    expect(res.body).toStrictEqual([
      { portfolioId: ID, name: 'B1', dateCreated: ISO, version: 1 },
      { portfolioId: ID, name: 'Existing', dateCreated: ISO, version: 1 },
      { portfolioId: ID, name: 'B3', dateCreated: ISO, version: 4 },
    ]);
    expect(await t.count()).toBe(4);
  });

  it('POST: 400 empty, 400 over 100, 400 duplicates; 422 non-array and invalid item; nothing stored', async () => {
    expect((await t.http.post('/api/v2/portfolios').send([]).expect(400)).body).toStrictEqual({ detail: 'Request must contain at least 1 portfolio' });
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `N${i}` }));
    expect((await t.http.post('/api/v2/portfolios').send(many).expect(400)).body).toStrictEqual({ detail: 'Request cannot contain more than 100 portfolios' });
    const dup = await t.http.post('/api/v2/portfolios').send([{ name: 'Same' }, { name: ' same ' }, { name: 'Other' }]).expect(400);
    expect(dup.body).toStrictEqual({ detail: 'Duplicate portfolio names found in request: same' });
    const notArray = await t.http.post('/api/v2/portfolios').send({ name: 'x' }).expect(422);
    expect(notArray.body).toStrictEqual({ detail: [{ loc: ['body'], msg: ANY_STRING, type: 'list_type' }] });
    const item = await t.http.post('/api/v2/portfolios').send([{ name: 'fine' }, { name: '' }]).expect(422);
    expect(item.body).toStrictEqual({ detail: [{ loc: ['body', 1, 'name'], msg: ANY_STRING, type: 'string_too_short' }] });
    expect(await t.count()).toBe(0);
  });
});

describe('fast path', () => {
  it('POST /portfolios/bulk: 201 with count, timing and headers', async () => {
    const res = await t.http.post('/api/fast/portfolios/bulk').send([{ name: 'F1' }, { name: 'F2' }]).expect(201);
    const body = res.body as { portfolios: PortfolioBody[]; count: number; processingTimeMs: number };
    expect(body).toStrictEqual({
      portfolios: [
        { portfolioId: ID, name: 'F1', dateCreated: ISO, version: 1 },
        { portfolioId: ID, name: 'F2', dateCreated: ISO, version: 1 },
      ],
      count: 2,
      processingTimeMs: ANY_NUMBER,
    });
    expect(res.headers['x-portfolio-count']).toBe('2');
    expect(Number(res.headers['x-processing-time-ms'])).toBeGreaterThanOrEqual(0);
  });

  it('413 for a body over 1 MiB and for more than 100 items', async () => {
    const big = JSON.stringify([{ name: 'a', pad: 'x'.repeat(1_048_576) }]);
    const res = await t.http.post('/api/fast/portfolios/bulk').set('Content-Type', 'application/json').send(big).expect(413);
    expect(res.body).toStrictEqual({ detail: `Request too large: ${Buffer.byteLength(big)} bytes exceeds 1048576 bytes` });
    const many = Array.from({ length: 150 }, (_, i) => ({ name: `M${i}` }));
    const res2 = await t.http.post('/api/fast/portfolios/bulk').send(many).expect(413);
    expect(res2.body).toStrictEqual({ detail: 'Bulk request too large: 150 portfolios exceeds 100 limit' });
    expect(await t.count()).toBe(0);
  });

  it('400s: empty array, not a list, bad JSON, empty body, item not an object, missing name, bad field, duplicates', async () => {
    const send = (body: string) => t.http.post('/api/fast/portfolios/bulk').set('Content-Type', 'application/json').send(body);
    expect((await send('[]').expect(400)).body).toStrictEqual({ detail: 'Request must contain at least 1 portfolio' });
    expect((await send('{"name":"x"}').expect(400)).body).toStrictEqual({ detail: 'Request must be a list of portfolios' });
    expect((await send('[{"name":').expect(400)).body).toStrictEqual({ detail: matching(/^Invalid JSON: .+/) });
    expect((await send('').expect(400)).body).toStrictEqual({ detail: matching(/^Invalid JSON: .+/) });
    expect((await send('[{"name":"ok"}, 5]').expect(400)).body).toStrictEqual({ detail: 'Invalid portfolio at index 1: Item 1 must be an object' });
    expect((await send('[{"version":1}]').expect(400)).body).toStrictEqual({ detail: "Invalid portfolio at index 0: Item 0 missing required field 'name'" });
    expect((await send('[{"name":""}]').expect(400)).body).toStrictEqual({ detail: "Invalid portfolio at index 0: Item 0 missing required field 'name'" });
    expect((await send('[{"name":"ok","version":0}]').expect(400)).body).toStrictEqual({ detail: matching(/^Invalid portfolio at index 0: /) });
    expect((await send('[{"name":"Dup"},{"name":"dup"}]').expect(400)).body).toStrictEqual({ detail: 'Duplicate portfolio names found in request: dup' });
    expect(await t.count()).toBe(0);
  });

  it('409 naming names that already exist (case-insensitive); nothing created', async () => {
    await create({ name: 'Taken' });
    const res = await t.http.post('/api/fast/portfolios/bulk').send([{ name: 'Fresh' }, { name: 'TAKEN' }]).expect(409);
    expect(res.body).toStrictEqual({ detail: containing('TAKEN') });
    expect(await t.count()).toBe(1);
  });

  it('GET /portfolios/search: 200 with processingTimeMs and X-Total-Count; 400 for limit, offset, both names', async () => {
    const created = await createSeries(['S1', 'S2', 'S3']);
    const res = await t.http.get('/api/fast/portfolios/search?name_like=s&limit=2').expect(200);
    expect(res.body).toStrictEqual({
      portfolios: [created[2], created[1]],
      pagination: { totalElements: 3, totalPages: 2, currentPage: 0, pageSize: 2, hasNext: true, hasPrevious: false },
      processingTimeMs: ANY_NUMBER,
    });
    expect(res.headers['x-total-count']).toBe('3');
    for (const q of ['limit=0', 'limit=1001']) {
      expect((await t.http.get(`/api/fast/portfolios/search?${q}`).expect(400)).body).toStrictEqual({ detail: 'Limit must be between 1 and 1000' });
    }
    expect((await t.http.get('/api/fast/portfolios/search?offset=-1').expect(400)).body).toStrictEqual({ detail: 'Offset must be non-negative' });
    expect((await t.http.get('/api/fast/portfolios/search?name=a&name_like=b').expect(400)).body).toStrictEqual({
      detail: 'Only one search parameter allowed: name or name_like',
    });
    expect((await t.http.get('/api/fast/portfolios/search?name=.*').expect(400)).body).toStrictEqual({ detail: NAME_RULE });
  });

  it('GET /health/fast', async () => {
    const res = await t.http.get('/api/fast/health/fast').expect(200);
    expect(res.body).toStrictEqual({ status: 'healthy', service: 'globeco-portfolio-service-fast', timestamp: ISO, mode: 'fast' });
    expect(Number(res.headers['x-processing-time-ms'])).toBeGreaterThanOrEqual(0);
  });
});

describe('health and root', () => {
  const probe = { service: 'globeco-portfolio-service', timestamp: ISO, version: '2.0.0' };

  it('GET /health is text/plain OK', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toBe('OK');
  });

  it('GET /health/live, /health/ready, /health/startup, /health/detailed, /health/metrics', async () => {
    expect((await t.http.get('/health/live').expect(200)).body).toStrictEqual({ ...probe, status: 'alive', probe_type: 'liveness', uptime_seconds: ANY_NUMBER });
    expect((await t.http.get('/health/ready').expect(200)).body).toStrictEqual({
      ...probe,
      status: 'ready',
      probe_type: 'readiness',
      checks: { database: { status: 'ready', latency_ms: ANY_NUMBER } },
    });
    expect((await t.http.get('/health/startup').expect(200)).body).toStrictEqual({ ...probe, status: 'started', probe_type: 'startup' });
    const detailed = await t.http.get('/health/detailed').expect(200);
    expect(detailed.body).toMatchObject({
      ...probe,
      status: 'healthy',
      probe_type: 'detailed',
      checks: {
        database: { status: 'healthy' },
        circuit_breakers: { database: { state: 'closed', retry_after_ms: 0 } },
        connection_pool: { max_pool_size: t.config.mongo.maxPoolSize },
        validation_cache: { maxSize: t.config.validationCacheSize },
      },
    });
    const metrics = await t.http.get('/health/metrics').expect(200);
    expect(metrics.body).toMatchObject({ service: 'globeco-portfolio-service', timestamp: ISO });
  });

  it('GET / is the banner', async () => {
    expect((await t.http.get('/').expect(200)).body).toStrictEqual({ message: 'GlobeCo Portfolio Service', version: '2.0.0', status: 'operational' });
  });

  it('unknown path 404, known path with another method (standard or not) 405 with Allow', async () => {
    expect((await t.http.get('/api/v3/portfolios').expect(404)).body).toStrictEqual({ detail: 'Not Found' });
    expect((await t.http.trace('/api/v3/portfolios').expect(404)).body).toStrictEqual({ detail: 'Not Found' });
    const answers = await Promise.all([
      t.http.delete('/api/v1/portfolios'),
      t.http.patch('/api/v1/portfolio/ffffffffffffffffffffffff'),
      t.http.trace('/api/v1/portfolio/ffffffffffffffffffffffff'),
      t.http.propfind('/api/v1/portfolios'),
      t.http.post('/health'),
    ]);
    expect(answers.map((r) => [r.status, r.headers.allow, r.body as unknown])).toStrictEqual([
      [405, 'HEAD, GET, POST, OPTIONS', { detail: 'Method Not Allowed' }],
      [405, 'HEAD, GET, PUT, DELETE, OPTIONS', { detail: 'Method Not Allowed' }],
      [405, 'HEAD, GET, PUT, DELETE, OPTIONS', { detail: 'Method Not Allowed' }],
      [405, 'HEAD, GET, POST, OPTIONS', { detail: 'Method Not Allowed' }],
      [405, 'HEAD, GET, OPTIONS', { detail: 'Method Not Allowed' }],
    ]);
    const options = await t.http.options('/api/v1/portfolios');
    expect([options.status, options.headers.allow, options.text]).toStrictEqual([200, 'HEAD, GET, POST, OPTIONS', '']);
  });
});

describe('readiness and startup while starting and draining', () => {
  it('startup and readiness are 503 before start; readiness 503 while draining', async () => {
    const s = await createTestStack();
    try {
      const fresh = (await import('../src/lifecycle.js')).createLifecycle();
      const { createApp } = await import('../src/app.js');
      const supertest = (await import('supertest')).default;
      const app = createApp({ service: s.stack.service, health: s.stack.health, lifecycle: fresh, telemetry: testTelemetry() });
      const http = supertest(app.callback());
      expect((await http.get('/health/startup').expect(503)).body).toMatchObject({ status: 'starting', probe_type: 'startup' });
      expect((await http.get('/health/ready').expect(503)).body).toMatchObject({ status: 'not_ready', probe_type: 'readiness' });
      fresh.markStarted();
      await http.get('/health/startup').expect(200);
      await http.get('/health/ready').expect(200);
      fresh.startDrain();
      expect((await http.get('/health/ready').expect(503)).body).toMatchObject({ status: 'not_ready', reason: 'shutting_down' });
      await http.get('/health/live').expect(200);
    } finally {
      await s.close();
    }
  });
});
