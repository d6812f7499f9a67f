import type { Router } from '@koa/router';
import * as v from 'valibot';
import {
  NAME_RULE_MESSAGE,
  ObjectIdSchema,
  PortfolioCreateSchema,
  PortfolioJsonSchema,
  PortfolioUpdateSchema,
  VersionSchema,
  toQueryInteger,
} from '@globeco/portfolio-core';
import { createJsonArrayStream } from '../http/json-array-stream.js';
import { readJsonBody } from '../http/json-body.js';
import { BODY_TOO_LARGE, NOT_FOUND, VERSION_CONFLICT } from './error-examples.js';
import { createSurfaceRouter, type Handler, type RouteSpec } from './route-spec.js';
import { parseIn, queryValue } from './request.js';
import type { PortfolioOperations } from './service-port.js';

const PREFIX = '/api/v1';

const DeleteQuerySchema = v.object({ version: VersionSchema });

/** Route table of the v1 API. */
export const V1_ROUTES = [
  {
    method: 'get',
    path: `${PREFIX}/portfolios`,
    operationId: 'v1ListPortfolios',
    summary: 'List all portfolios',
    tag: 'v1',
    responses: { 200: { description: 'Every portfolio', schema: v.array(PortfolioJsonSchema) } },
  },
  {
    method: 'post',
    path: `${PREFIX}/portfolios`,
    operationId: 'v1CreatePortfolio',
    summary: 'Create a portfolio',
    tag: 'v1',
    body: PortfolioCreateSchema,
    responses: {
      201: { description: 'Created', schema: PortfolioJsonSchema },
      413: { description: 'Body larger than 1 MiB', errors: [BODY_TOO_LARGE] },
      422: {
        description: 'Invalid body',
        errors: [
          { summary: 'No name', detail: [{ loc: ['body', 'name'], msg: 'Field required: name', type: 'missing' }] },
          { summary: 'Name breaks the name rule', detail: [{ loc: ['body', 'name'], msg: NAME_RULE_MESSAGE, type: 'string_pattern_mismatch' }] },
        ],
      },
    },
  },
  {
    method: 'get',
    path: `${PREFIX}/portfolio/:id`,
    operationId: 'v1GetPortfolio',
    summary: 'Get one portfolio',
    tag: 'v1',
    params: { id: ObjectIdSchema },
    responses: {
      200: { description: 'The portfolio', schema: PortfolioJsonSchema },
      404: { description: 'Portfolio not found (also for malformed ids)', errors: [NOT_FOUND, { summary: 'Malformed id', detail: 'Portfolio not found' }] },
    },
  },
  {
    method: 'put',
    path: `${PREFIX}/portfolio/:id`,
    operationId: 'v1UpdatePortfolio',
    summary: 'Update a portfolio (optimistic concurrency)',
    tag: 'v1',
    params: { id: ObjectIdSchema },
    body: PortfolioUpdateSchema,
    responses: {
      200: { description: 'Updated; version incremented', schema: PortfolioJsonSchema },
      404: { description: 'Portfolio not found', errors: [NOT_FOUND] },
      409: { description: 'Version conflict', errors: [VERSION_CONFLICT] },
      422: { description: 'Invalid body', errors: [{ summary: 'No version', detail: [{ loc: ['body', 'version'], msg: 'Field required: version', type: 'missing' }] }] },
    },
  },
  {
    method: 'delete',
    path: `${PREFIX}/portfolio/:id`,
    operationId: 'v1DeletePortfolio',
    summary: 'Delete a portfolio (optimistic concurrency)',
    tag: 'v1',
    params: { id: ObjectIdSchema },
    query: DeleteQuerySchema,
    responses: {
      204: { description: 'Deleted' },
      404: { description: 'Portfolio not found', errors: [NOT_FOUND] },
      409: { description: 'Version conflict', errors: [VERSION_CONFLICT] },
      422: {
        description: 'Missing or non-integer version',
        errors: [
          { summary: 'No version', detail: [{ loc: ['query', 'version'], msg: 'Field required: version', type: 'missing' }] },
          { summary: 'Version not an integer', detail: [{ loc: ['query', 'version'], msg: 'Version must be an integer', type: 'int_type' }] },
        ],
      },
    },
  },
] as const satisfies readonly RouteSpec[];

/** Options of {@link createV1Router}. */
export interface V1Options {
  /** Longest a client may read nothing of a streamed list before it is cut off, ms. */
  readonly listStallTimeoutMs: number;
}

/** Creates the router of `/api/v1`. */
export function createV1Router(service: PortfolioOperations, options: V1Options): Router {
  const handlers = {
    v1ListPortfolios: async (ctx) => {
      // The whole collection streams from the cursor to the client, a batch at a time: its size
      // costs the client time, not the service memory. The first batch is awaited here, so a
      // database that fails at once still gets an ordinary 503.
      const batches = service.listJsonBatches();
      let first;
      try {
        first = await batches.next();
      } catch (error) {
        await batches.close().catch(() => undefined);
        throw error;
      }
      ctx.type = 'application/json';
      ctx.body = createJsonArrayStream(first, batches, options.listStallTimeoutMs);
    },
    v1CreatePortfolio: async (ctx) => {
      const body = await readJsonBody(ctx);
      ctx.state.issueLocation = 'body';
      ctx.status = 201;
      ctx.body = await service.create(body);
    },
    v1GetPortfolio: async (ctx) => {
      ctx.body = await service.get(ctx.params.id ?? '');
    },
    v1UpdatePortfolio: async (ctx) => {
      const body = await readJsonBody(ctx);
      ctx.state.issueLocation = 'body';
      // The service validates the body before the id, as the original did (422 before 404).
      ctx.body = await service.update(ctx.params.id ?? '', body);
    },
    v1DeletePortfolio: async (ctx) => {
      const { version } = parseIn(ctx, 'query', DeleteQuerySchema, {
        version: toQueryInteger(queryValue(ctx, 'version')),
      });
      await service.delete(ctx.params.id ?? '', version);
      ctx.status = 204;
    },
  } satisfies Record<(typeof V1_ROUTES)[number]['operationId'], Handler>;
  return createSurfaceRouter('v1', V1_ROUTES, handlers);
}
