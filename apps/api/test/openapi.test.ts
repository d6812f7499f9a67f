import { InMemoryPortfolioStore, createPortfolioService } from '@globeco/portfolio-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Router } from '@koa/router';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createLifecycle } from '../src/lifecycle.js';
import { silentLogger } from './support.js';
import { toOpenApiPath, type OpenApiDocument } from '../src/openapi/document.js';

function build() {
  return createApp({
    service: createPortfolioService({ store: new InMemoryPortfolioStore() }),
    health: { checkDatabase: () => Promise.resolve({ ok: true, latencyMs: 0 }), details: () => ({}) },
    lifecycle: createLifecycle(),
    logger: silentLogger(),
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
