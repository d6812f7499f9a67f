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
import { pageJson, portfoliosJson, sendJson } from '../http/portfolio-body.js';
import { SERVICE_NAME } from './health.js';
import { BAD_SEARCH_NAME, BODY_TOO_LARGE, BOTH_NAMES, DUPLICATE_NAMES, EMPTY_BATCH, EMPTY_SEARCH } from './error-examples.js';
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
      400: {
        description: 'Invalid JSON, not a list, empty, an invalid item or duplicate names',
        errors: [
          { summary: 'Invalid JSON', detail: "Invalid JSON: Expected property name or '}' in JSON at position 2 (line 1 column 3)" },
          { summary: 'Not an array', detail: 'Request must be a list of portfolios' },
          EMPTY_BATCH,
          { summary: 'Item not an object', detail: 'Invalid portfolio at index 0: Item 0 must be an object' },
          { summary: 'Item without a name', detail: "Invalid portfolio at index 1: Item 1 missing required field 'name'" },
          DUPLICATE_NAMES,
        ],
      },
      409: { description: 'Names that already exist', errors: [{ summary: 'A name already stored (case-insensitive)', detail: 'Portfolio names already exist: growth fund' }] },
      413: {
        description: 'Body over 1 MiB or more than 100 items',
        errors: [BODY_TOO_LARGE, { summary: 'More than 100 items', detail: 'Bulk request too large: 101 portfolios exceeds 100 limit' }],
      },
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
      400: {
        description: 'Bad limit, offset or name parameters',
        errors: [
          { summary: 'limit out of range', detail: 'Limit must be between 1 and 1000' },
          { summary: 'limit not an integer', detail: 'Limit must be an integer' },
          { summary: 'Negative offset', detail: 'Offset must be non-negative' },
          BOTH_NAMES,
          EMPTY_SEARCH,
          BAD_SEARCH_NAME,
        ],
      },
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
      sendJson(ctx, `{"portfolios":${portfoliosJson(portfolios)},"count":${portfolios.length},"processingTimeMs":${JSON.stringify(processingTimeMs)}}`);
    },
    fastSearch: async (ctx) => {
      const start = performance.now();
      const page = await service.search(parseSearchQuery(ctx, { rangeAs400: true }));
      const processingTimeMs = elapsed(start);
      ctx.set('X-Total-Count', String(page.pagination.totalElements));
      ctx.set('X-Processing-Time-Ms', String(processingTimeMs));
      sendJson(ctx, pageJson(page, `,"processingTimeMs":${JSON.stringify(processingTimeMs)}`));
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
