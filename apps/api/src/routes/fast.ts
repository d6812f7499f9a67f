import { performance } from 'node:perf_hooks';
import type { Router } from '@koa/router';
import * as v from 'valibot';
import {
  PaginationJsonSchema,
  PortfolioBulkCreateSchema,
  PortfolioJsonSchema,
  PortfolioSearchQuerySchema,
} from '@globeco/portfolio-core';
import { readJsonBody } from '../http/json-body.js';
import { SERVICE_NAME } from './health.js';
import { createSurfaceRouter, type Handler, type RouteSpec } from './route-spec.js';
import { parseSearchQuery } from './request.js';
import type { PortfolioOperations } from './service-port.js';

const PREFIX = '/api/fast';

const timing = { 'X-Processing-Time-Ms': 'Handler time in milliseconds' } as const;

/** Route table of the fast path. */
export const FAST_ROUTES = [
  {
    method: 'post',
    path: `${PREFIX}/portfolios/bulk`,
    operationId: 'fastBulkCreate',
    summary: 'Create 1..100 portfolios, all or nothing; names must be new',
    tag: 'fast',
    body: PortfolioBulkCreateSchema,
    responses: {
      201: {
        description: 'Created, in request order',
        schema: v.object({ portfolios: v.array(PortfolioJsonSchema), count: v.number(), processingTimeMs: v.number() }),
        headers: { ...timing, 'X-Portfolio-Count': 'Number of portfolios created' },
      },
      400: { description: 'Invalid JSON, not a list, empty, an invalid item or duplicate names' },
      409: { description: 'Names that already exist' },
      413: { description: 'Body over 1 MiB or more than 100 items' },
    },
  },
  {
    method: 'get',
    path: `${PREFIX}/portfolios/search`,
    operationId: 'fastSearch',
    summary: 'Search portfolios (as v2) with timing',
    tag: 'fast',
    query: PortfolioSearchQuerySchema,
    responses: {
      200: {
        description: 'One page of results',
        schema: v.object({ portfolios: v.array(PortfolioJsonSchema), pagination: PaginationJsonSchema, processingTimeMs: v.number() }),
        headers: { 'X-Total-Count': 'Number of matches' },
      },
      400: { description: 'Bad limit, offset or name parameters' },
      422: { description: 'limit or offset not an integer' },
    },
  },
  {
    method: 'get',
    path: `${PREFIX}/health/fast`,
    operationId: 'fastHealth',
    summary: 'Cheap health check of the fast path',
    tag: 'fast',
    responses: {
      200: {
        description: 'Healthy',
        schema: v.looseObject({ status: v.literal('healthy'), service: v.literal(`${SERVICE_NAME}-fast`), timestamp: v.string() }),
        headers: timing,
      },
    },
  },
] as const satisfies readonly RouteSpec[];

const elapsed = (start: number): number => Math.round((performance.now() - start) * 1000) / 1000;

/** Creates the router of `/api/fast`. */
export function createFastRouter(service: PortfolioOperations): Router {
  const handlers = {
    fastBulkCreate: async (ctx) => {
      const start = performance.now();
      const portfolios = await service.createMany(await readJsonBody(ctx), { rejectExisting: true });
      const processingTimeMs = elapsed(start);
      ctx.status = 201;
      ctx.set('X-Processing-Time-Ms', String(processingTimeMs));
      ctx.set('X-Portfolio-Count', String(portfolios.length));
      ctx.body = { portfolios, count: portfolios.length, processingTimeMs };
    },
    fastSearch: async (ctx) => {
      const start = performance.now();
      const page = await service.search(parseSearchQuery(ctx, { rangeAs400: true }));
      const processingTimeMs = elapsed(start);
      ctx.set('X-Total-Count', String(page.pagination.totalElements));
      ctx.set('X-Processing-Time-Ms', String(processingTimeMs));
      ctx.body = { portfolios: page.portfolios, pagination: page.pagination, processingTimeMs };
    },
    fastHealth: (ctx) => {
      const start = performance.now();
      ctx.set('Cache-Control', 'no-store');
      ctx.set('X-Processing-Time-Ms', String(elapsed(start)));
      ctx.body = { status: 'healthy', service: `${SERVICE_NAME}-fast`, timestamp: new Date().toISOString(), mode: 'fast' };
    },
  } satisfies Record<(typeof FAST_ROUTES)[number]['operationId'], Handler>;
  return createSurfaceRouter('fast', FAST_ROUTES, handlers);
}
