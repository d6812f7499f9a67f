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

/** The part of a @koa/router layer the method gate reads: the methods its route answers. */
interface MatchedLayer {
  readonly methods: readonly string[];
}

/**
 * Answers requests that no route handled: a path some route knows gets 405 with `Allow` listing its
 * methods, whatever the request's method (standard or an extension such as PROPFIND or TRACE);
 * OPTIONS there gets 200 with `Allow`. Unknown paths fall through to the error middleware's 404.
 * Mounted once, in front of every router: it reads the layers they matched by path (`ctx.matched`).
 */
export function createMethodGate(): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status !== 404 || ctx.body !== undefined) return;
    const matched = (ctx as { matched?: readonly MatchedLayer[] }).matched ?? [];
    const methods = new Set(matched.flatMap((layer) => layer.methods));
    if (methods.size === 0) return;
    methods.add('OPTIONS');
    const allow = [...methods].join(', ');
    if (ctx.method === 'OPTIONS') {
      ctx.status = 200;
      ctx.body = '';
      ctx.set('Allow', allow);
      return;
    }
    throw new HttpError({ status: 405, detail: 'Method Not Allowed', headers: { Allow: allow } });
  };
}
