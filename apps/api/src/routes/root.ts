import type { Router } from '@koa/router';
import type { Middleware } from 'koa';
import * as v from 'valibot';
import { createSurfaceRouter, type RouteSpec } from './route-spec.js';

/** Renders the Prometheus exposition for GET /metrics. */
export type MetricsRenderer = () => Promise<{ readonly contentType: string; readonly body: string }>;

/** Route table of `/` and `/metrics`. */
export const ROOT_ROUTES = [
  {
    method: 'get',
    path: '/',
    operationId: 'root',
    summary: 'Service banner',
    tag: 'root',
    responses: {
      200: {
        description: 'Service name, version and status',
        schema: v.object({ message: v.literal('GlobeCo Portfolio Service'), version: v.string(), status: v.literal('operational') }),
      },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    tag: 'root',
    responses: {
      200: { description: 'Prometheus text exposition', contentType: 'text/plain; version=0.0.4', example: '# HELP ...' },
      404: { description: 'Metrics are disabled (ENABLE_METRICS=false)', errors: [{ summary: 'ENABLE_METRICS=false', detail: 'Not Found' }] },
    },
  },
] as const satisfies readonly RouteSpec[];

/** Dependencies of the root routes. */
export interface RootDeps {
  readonly version: string;
  /** Absent when metrics are disabled. */
  readonly renderMetrics?: MetricsRenderer;
}

/** Creates the router of `/` and `/metrics`. */
export function createRootRouter(deps: RootDeps): Router {
  const handlers = {
    root: (ctx) => {
      ctx.body = { message: 'GlobeCo Portfolio Service', version: deps.version, status: 'operational' };
    },
    metrics: async (ctx) => {
      if (!deps.renderMetrics) {
        ctx.status = 404;
        ctx.body = { detail: 'Not Found' };
        return;
      }
      const { contentType, body } = await deps.renderMetrics();
      ctx.type = contentType;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = body;
    },
  } satisfies Record<(typeof ROOT_ROUTES)[number]['operationId'], Middleware>;
  return createSurfaceRouter('other', ROOT_ROUTES, handlers);
}
