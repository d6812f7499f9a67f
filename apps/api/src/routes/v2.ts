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
import { BAD_SEARCH_NAME, BODY_TOO_LARGE, BOTH_NAMES, DUPLICATE_NAMES, EMPTY_BATCH, EMPTY_SEARCH } from './error-examples.js';
import { createSurfaceRouter, type Handler, type RouteSpec } from './route-spec.js';
import { parseSearchQuery } from './request.js';
import type { PortfolioOperations } from './service-port.js';

const PREFIX = '/api/v2';

/** JSON shape of a search response. */
export const SearchResponseSchema = v.object({ portfolios: v.array(PortfolioJsonSchema), pagination: PaginationJsonSchema });

/** Route table of the v2 API. */
export const V2_ROUTES = [
  {
    method: 'get',
    path: `${PREFIX}/portfolios`,
    operationId: 'v2SearchPortfolios',
    summary: 'Search portfolios by exact name or substring, newest first, paginated',
    tag: 'v2',
    query: PortfolioSearchQuerySchema,
    responses: {
      200: { description: 'One page of results', schema: SearchResponseSchema },
      400: { description: 'Both names given, empty search text or a name that breaks the name rule', errors: [BOTH_NAMES, EMPTY_SEARCH, BAD_SEARCH_NAME] },
      422: {
        description: 'limit or offset not an integer in range',
        errors: [
          { summary: 'limit out of range', detail: [{ loc: ['query', 'limit'], msg: 'Limit must be between 1 and 1000', type: 'greater_than_equal' }] },
          { summary: 'limit not an integer', detail: [{ loc: ['query', 'limit'], msg: 'Limit must be an integer', type: 'int_type' }] },
        ],
      },
    },
  },
  {
    method: 'post',
    path: `${PREFIX}/portfolios`,
    operationId: 'v2CreatePortfolios',
    summary: 'Create 1..100 portfolios, all or nothing',
    tag: 'v2',
    body: PortfolioBulkCreateSchema,
    responses: {
      201: { description: 'Created, in request order', schema: v.array(PortfolioJsonSchema) },
      400: {
        description: 'Empty batch, more than 100 items or duplicate names in the batch',
        errors: [EMPTY_BATCH, { summary: 'More than 100 items', detail: 'Request cannot contain more than 100 portfolios' }, DUPLICATE_NAMES],
      },
      413: { description: 'Body larger than 1 MiB', errors: [BODY_TOO_LARGE] },
      422: {
        description: 'Body not an array, or an invalid item',
        errors: [
          { summary: 'Not an array', detail: [{ loc: ['body'], msg: 'Request must be a list of portfolios', type: 'list_type' }] },
          { summary: 'Item without a name', detail: [{ loc: ['body', 1, 'name'], msg: 'Field required: name', type: 'missing' }] },
        ],
      },
    },
  },
] as const satisfies readonly RouteSpec[];

/** Creates the router of `/api/v2`. */
export function createV2Router(service: PortfolioOperations): Router {
  const handlers = {
    v2SearchPortfolios: async (ctx) => {
      sendJson(ctx, pageJson(await service.search(parseSearchQuery(ctx, { rangeAs400: false }))));
    },
    v2CreatePortfolios: async (ctx) => {
      const body = await readJsonBody(ctx);
      ctx.state.issueLocation = 'body';
      ctx.status = 201;
      sendJson(ctx, portfoliosJson(await service.createMany(body)));
    },
  } satisfies Record<(typeof V2_ROUTES)[number]['operationId'], Handler>;
  return createSurfaceRouter('v2', V2_ROUTES, handlers);
}
