import { InMemoryPortfolioStore, createPortfolioService } from '@globeco/portfolio-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Router } from '@koa/router';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createTestStack, testTelemetry, type TestStack } from './support.js';
import { toOpenApiPath, type OpenApiDocument } from '../src/openapi/document.js';

function build() {
  return createApp({
    service: createPortfolioService({ store: new InMemoryPortfolioStore() }),
    health: { checkDatabase: () => Promise.resolve({ ok: true, latencyMs: 0 }), details: () => ({}) },
    lifecycle: createLifecycle(),
    telemetry: testTelemetry(),
  });
}

async function fetchDocument(): Promise<OpenApiDocument> {
  const res = await supertest(build().callback()).get('/openapi.json').expect(200).expect('Content-Type', /application\/json/);
  return res.body as OpenApiDocument;
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = await fetchDocument();
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toStrictEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every API route the app serves, and nothing else (not the docs page\'s own files)', async () => {
    const app = build();
    const routes = new Set<string>();
    for (const middleware of app.middleware) {
      const router = (middleware as { router?: Router }).router;
      for (const layer of router?.stack ?? []) {
        for (const method of layer.methods) {
          if (method !== 'HEAD') routes.add(`${method.toLowerCase()} ${toOpenApiPath(String(layer.path))}`);
        }
      }
    }
    const document = await fetchDocument();
    const documented = new Set(Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    const docsFiles = ['get /docs/init.js', 'get /docs/assets/{file}'];
    expect(routes.size).toBeGreaterThan(20);
    expect(docsFiles.filter((r) => routes.has(r))).toStrictEqual(docsFiles);
    expect(documented).toStrictEqual(new Set([...routes].filter((r) => !docsFiles.includes(r))));
    expect(document.paths['/docs']?.get).toBeDefined();
  });

  it('documents request schemas from the core schemas the handlers use', async () => {
    const document = await fetchDocument();
    const create = document.paths['/api/v1/portfolios']?.post as {
      requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown>; required: string[] } } } };
    };
    const schema = create.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties).sort()).toStrictEqual(['dateCreated', 'name', 'version']);
    expect(schema.required).toStrictEqual(['name']);
    const search = document.paths['/api/v2/portfolios']?.get as { parameters: { name: string; in: string }[] };
    expect(search.parameters.map((p) => `${p.in}:${p.name}`)).toStrictEqual(['query:name', 'query:name_like', 'query:limit', 'query:offset']);
  });
});

type Http = TestStack['http'];
type Sent = Awaited<ReturnType<Http['get']>>;

const UNKNOWN_ID = '65a1b2c3d4e5f6a7b8c9d0e1';
const json = { 'Content-Type': 'application/json' };
const oversized = 'x'.repeat(1_048_577);
const items = (n: number): { name: string }[] => Array.from({ length: n }, (_, i) => ({ name: `Item ${i}` }));

async function stored(http: Http, name: string): Promise<{ portfolioId: string; version: number }> {
  return (await http.post('/api/v1/portfolios').send({ name }).expect(201)).body as { portfolioId: string; version: number };
}

/** A request that makes the service answer each documented error example, keyed `operationId status summary`. */
const TRIGGERS: Record<string, (http: Http) => Promise<Sent>> = {
  'v1CreatePortfolio 413 Body over 1 MiB': (http) => http.post('/api/v1/portfolios').set(json).send(oversized),
  'v1CreatePortfolio 422 No name': (http) => http.post('/api/v1/portfolios').send({}),
  'v1CreatePortfolio 422 Name breaks the name rule': (http) => http.post('/api/v1/portfolios').send({ name: 'Growth & Income' }),
  'v1GetPortfolio 404 No portfolio has this id': (http) => http.get(`/api/v1/portfolio/${UNKNOWN_ID}`),
  'v1GetPortfolio 404 Malformed id': (http) => http.get('/api/v1/portfolio/not-an-id'),
  'v1UpdatePortfolio 404 No portfolio has this id': (http) => http.put(`/api/v1/portfolio/${UNKNOWN_ID}`).send({ portfolioId: UNKNOWN_ID, name: 'Growth', version: 1 }),
  'v1UpdatePortfolio 409 The stored version is another': async (http) => {
    const p = await stored(http, 'Growth');
    return http.put(`/api/v1/portfolio/${p.portfolioId}`).send({ portfolioId: p.portfolioId, name: 'Growth', version: p.version + 1 });
  },
  'v1UpdatePortfolio 422 No version': (http) => http.put(`/api/v1/portfolio/${UNKNOWN_ID}`).send({ portfolioId: UNKNOWN_ID, name: 'Growth' }),
  'v1DeletePortfolio 404 No portfolio has this id': (http) => http.delete(`/api/v1/portfolio/${UNKNOWN_ID}?version=1`),
  'v1DeletePortfolio 409 The stored version is another': async (http) => {
    const p = await stored(http, 'Growth');
    return http.delete(`/api/v1/portfolio/${p.portfolioId}?version=${p.version + 1}`);
  },
  'v1DeletePortfolio 422 No version': (http) => http.delete(`/api/v1/portfolio/${UNKNOWN_ID}`),
  'v1DeletePortfolio 422 Version not an integer': (http) => http.delete(`/api/v1/portfolio/${UNKNOWN_ID}?version=abc`),
  'v2SearchPortfolios 400 name and name_like together': (http) => http.get('/api/v2/portfolios?name=a&name_like=b'),
  'v2SearchPortfolios 400 Empty search text': (http) => http.get('/api/v2/portfolios?name=%20'),
  'v2SearchPortfolios 400 Search text breaks the name rule': (http) => http.get('/api/v2/portfolios?name_like=a.*'),
  'v2SearchPortfolios 422 limit out of range': (http) => http.get('/api/v2/portfolios?limit=0'),
  'v2SearchPortfolios 422 limit not an integer': (http) => http.get('/api/v2/portfolios?limit=1.5'),
  'v2CreatePortfolios 400 Empty array': (http) => http.post('/api/v2/portfolios').send([]),
  'v2CreatePortfolios 400 More than 100 items': (http) => http.post('/api/v2/portfolios').send(items(101)),
  'v2CreatePortfolios 400 A name twice in the batch (trimmed, case-insensitive)': (http) => http.post('/api/v2/portfolios').send([{ name: 'Growth Fund' }, { name: ' growth fund' }]),
  'v2CreatePortfolios 413 Body over 1 MiB': (http) => http.post('/api/v2/portfolios').set(json).send(oversized),
  'v2CreatePortfolios 422 Not an array': (http) => http.post('/api/v2/portfolios').send({ name: 'Growth' }),
  'v2CreatePortfolios 422 Item without a name': (http) => http.post('/api/v2/portfolios').send([{ name: 'Growth' }, {}]),
  'fastBulkCreate 400 Invalid JSON': (http) => http.post('/api/fast/portfolios/bulk').set(json).send('[{'),
  'fastBulkCreate 400 Not an array': (http) => http.post('/api/fast/portfolios/bulk').send({ name: 'Growth' }),
  'fastBulkCreate 400 Empty array': (http) => http.post('/api/fast/portfolios/bulk').send([]),
  'fastBulkCreate 400 Item not an object': (http) => http.post('/api/fast/portfolios/bulk').send([1]),
  "fastBulkCreate 400 Item without a name": (http) => http.post('/api/fast/portfolios/bulk').send([{ name: 'Growth' }, { name: '' }]),
  'fastBulkCreate 400 A name twice in the batch (trimmed, case-insensitive)': (http) => http.post('/api/fast/portfolios/bulk').send([{ name: 'Growth Fund' }, { name: 'growth fund ' }]),
  'fastBulkCreate 409 A name already stored (case-insensitive)': async (http) => {
    await stored(http, 'Growth Fund');
    return http.post('/api/fast/portfolios/bulk').send([{ name: 'growth fund' }, { name: 'Something New' }]);
  },
  'fastBulkCreate 413 Body over 1 MiB': (http) => http.post('/api/fast/portfolios/bulk').set(json).send(oversized),
  'fastBulkCreate 413 More than 100 items': (http) => http.post('/api/fast/portfolios/bulk').send(items(101)),
  'fastSearch 400 limit out of range': (http) => http.get('/api/fast/portfolios/search?limit=0'),
  'fastSearch 400 limit not an integer': (http) => http.get('/api/fast/portfolios/search?limit=1.5'),
  'fastSearch 400 Negative offset': (http) => http.get('/api/fast/portfolios/search?offset=-1'),
  'fastSearch 400 name and name_like together': (http) => http.get('/api/fast/portfolios/search?name=a&name_like=b'),
  'fastSearch 400 Empty search text': (http) => http.get('/api/fast/portfolios/search?name_like='),
  'fastSearch 400 Search text breaks the name rule': (http) => http.get('/api/fast/portfolios/search?name=%C3%A9t%C3%A9'),
  'metrics 404 ENABLE_METRICS=false': (http) => http.get('/metrics'),
};

interface ErrorMedia {
  schema: { properties?: { detail?: unknown } };
  examples?: Record<string, { value: unknown }>;
}

interface DocumentedError {
  status: number;
  body: unknown;
}

/** Every error example of the document, keyed `operationId status summary`. */
function documentedErrors(document: OpenApiDocument): Map<string, DocumentedError> {
  const out = new Map<string, DocumentedError>();
  for (const ops of Object.values(document.paths)) {
    for (const op of Object.values(ops) as { operationId: string; responses: Record<string, { content?: Record<string, ErrorMedia> }> }[]) {
      for (const [status, response] of Object.entries(op.responses)) {
        const media = response.content?.['application/json'];
        if (Number(status) < 400 || media?.schema.properties?.detail === undefined) continue;
        // every documented {detail} error shows at least one real body
        expect(media.examples, `${op.operationId} ${status}`).toBeDefined();
        for (const [summary, example] of Object.entries(media.examples ?? {})) out.set(`${op.operationId} ${status} ${summary}`, { status: Number(status), body: example.value });
      }
    }
  }
  return out;
}

describe('error examples in /openapi.json', () => {
  let t: TestStack;
  beforeAll(async () => {
    // the app as serve.ts builds it (ENABLE_METRICS=false, so that /metrics answers its 404)
    t = await createTestStack({ ENABLE_METRICS: 'false' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are the bodies the service answers, one request per example', async () => {
    const document = (await t.http.get('/openapi.json').expect(200)).body as OpenApiDocument;
    const documented = documentedErrors(document);
    expect([...documented.keys()].sort()).toStrictEqual(Object.keys(TRIGGERS).sort());
    const answered: Record<string, DocumentedError> = {};
    for (const key of documented.keys()) {
      const res = await (TRIGGERS[key] as (http: Http) => Promise<Sent>)(t.http);
      answered[key] = { status: res.status, body: res.body as unknown };
    }
    expect(answered).toStrictEqual(Object.fromEntries(documented));
  });

  it('show the real messages, not a placeholder', async () => {
    const document = (await t.http.get('/openapi.json').expect(200)).body as OpenApiDocument;
    const put = document.paths['/api/v1/portfolio/{id}']?.put as { responses: Record<string, { content: { 'application/json': { examples: Record<string, { value: unknown }> } } }> };
    expect(Object.values(put.responses['409']?.content['application/json'].examples ?? {}).map((e) => e.value)).toStrictEqual([{ detail: 'Version conflict' }]);
    expect(Object.values(put.responses['404']?.content['application/json'].examples ?? {}).map((e) => e.value)).toStrictEqual([{ detail: 'Portfolio not found' }]);
    expect(Object.values(put.responses['422']?.content['application/json'].examples ?? {}).map((e) => e.value)).toStrictEqual([
      { detail: [{ loc: ['body', 'version'], msg: 'Field required: version', type: 'missing' }] },
    ]);
  });
});
