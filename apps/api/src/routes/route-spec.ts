import { Router, type RouterMiddleware } from '@koa/router';
import type { Middleware } from 'koa';
import type * as v from 'valibot';
import { HttpError, type FieldProblem, type Surface } from '../http/errors.js';

/** HTTP methods the service routes. */
export type RouteMethod = 'get' | 'post' | 'put' | 'delete';

/** One error body a response really carries, `{ "detail": ... }`, and what causes it. */
export interface ErrorExample {
  /** The cause, e.g. `Stale version` (the docs page lists the examples by it). */
  readonly summary: string;
  /** The `detail` the service answers: a message, or the 422 list of `{ loc, msg, type }`. */
  readonly detail: string | readonly FieldProblem[];
}

/** One documented response of a route. */
export interface ResponseSpec {
  readonly description: string;
  /** Body schema (JSON) — omitted for empty bodies. */
  readonly schema?: v.GenericSchema;
  /** Media type when not JSON (e.g. `text/plain`). */
  readonly contentType?: string;
  /** Example body for media types without a schema. */
  readonly example?: string;
  /** Response headers worth documenting. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Error responses: the bodies the service sends with this status, one per cause. */
  readonly errors?: readonly ErrorExample[];
}

/** Metadata of one route: the single source for the router and the OpenAPI document. */
export interface RouteSpec {
  readonly method: RouteMethod;
  /** Full path in Koa syntax (`/api/v1/portfolio/:id`). */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  /** Query parameters: an object schema whose entries are the parameters. */
  readonly query?: v.GenericSchema;
  /** Path parameters by name. */
  readonly params?: Readonly<Record<string, v.GenericSchema>>;
  /** JSON request body. */
  readonly body?: v.GenericSchema;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Served, but not an API operation (the docs page's own files): left out of the OpenAPI document. */
  readonly hidden?: boolean;
}

/** A route handler: Koa middleware with the router's `ctx.params`. */
export type Handler = RouterMiddleware;

/** A handler per operation id of a route table. */
export type RouteHandlers<TSpecs extends readonly RouteSpec[]> = {
  readonly [K in TSpecs[number]['operationId']]: Handler;
};

/** Creates the router of one API surface from its route table and handlers. */
export function createSurfaceRouter<TSpecs extends readonly RouteSpec[]>(
  surface: Surface,
  specs: TSpecs,
  handlers: RouteHandlers<TSpecs>,
  before: readonly Middleware[] = [],
): Router {
  const router = new Router();
  const tagSurface: Middleware = (ctx, next) => {
    ctx.state.surface = surface;
    return next();
  };
  for (const spec of specs) {
    const handler = (handlers as Record<string, Handler>)[spec.operationId];
    if (!handler) throw new Error(`no handler for ${spec.operationId}`);
    router[spec.method](spec.path, tagSurface, ...before, handler);
  }
  return router;
}

/** Mounts routers with JSON 405/501 answers for known paths with other methods. */
export function allowedMethodsOf(router: Router): Middleware {
  return router.allowedMethods({
    throw: true,
    methodNotAllowed: () => new HttpError({ status: 405, detail: 'Method Not Allowed' }),
    notImplemented: () => new HttpError({ status: 501, detail: 'Not Implemented' }),
  }) as Middleware;
}
