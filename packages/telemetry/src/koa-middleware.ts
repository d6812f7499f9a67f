import { randomUUID } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { TelemetryLogger } from './logging/logger.js';
import { runWithRequestContext } from './logging/request-context.js';
import type { HttpMetrics } from './metrics/http-metrics.js';

/** The few Koa context members the middleware uses (no runtime import of koa). */
export interface KoaLikeContext {
  readonly method: string;
  status: number;
  /** Set by @koa/router to the matched route pattern. */
  readonly _matchedRoute?: string | RegExp | undefined;
  /** Set by @koa/router to the layers whose path matched (any method). */
  readonly matched?: readonly { readonly path?: unknown; readonly methods?: readonly string[] }[];
  readonly response: { readonly length?: number | undefined };
  get(field: string): string;
  set(field: string, value: string): void;
}

/** A Koa-compatible middleware function. */
export type KoaLikeMiddleware = (ctx: KoaLikeContext, next: () => Promise<unknown>) => Promise<void>;

/** Options of the Koa middleware, as the host chooses them. */
export interface KoaMiddlewareOptions {
  /** Write one access-log line per request (default: the `log.accessLog` configuration). */
  accessLog?: boolean;
  /** Generates request ids (default `crypto.randomUUID`). */
  generateId?: () => string;
}

/** What the middleware is built from (start-telemetry's part). */
interface MiddlewareParts extends KoaMiddlewareOptions {
  httpMetrics?: HttpMetrics;
  logger: TelemetryLogger;
}

/** Request and correlation ids a caller may choose: 1–128 of letters, digits and `._:-`. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function errorStatus(err: unknown): number {
  if (typeof err === 'object' && err !== null) {
    const s = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof s === 'number' && Number.isInteger(s) && s >= 400 && s <= 599) return s;
  }
  return 500;
}

/**
 * The route pattern a request is counted and logged under: the matched route, else the first route
 * whose path matched (the method was not allowed), else undefined (an unknown path). Never the raw
 * path, which may carry anything a client put there.
 */
export function routeOf(ctx: KoaLikeContext): string | undefined {
  if (typeof ctx._matchedRoute === 'string') return ctx._matchedRoute;
  const known = ctx.matched?.find((layer) => typeof layer.path === 'string' && (layer.methods?.length ?? 0) > 0);
  return typeof known?.path === 'string' ? known.path : undefined;
}

/**
 * Creates the Koa middleware that gives each request an id (the caller's `X-Request-ID`, else its
 * `X-Correlation-ID`, when well-formed; else a fresh UUID), echoes it, scopes every log line of the
 * request to it, records the HTTP metrics under the route pattern, hands the route to the
 * request's server span (`http.route`) and optionally writes one access-log line. Mount it first; a request that throws counts with its HTTP error status or 500.
 */
export function createKoaMiddleware(parts: MiddlewareParts): KoaLikeMiddleware {
  const { httpMetrics, logger } = parts;
  const accessLog = parts.accessLog === true;
  const generateId = parts.generateId ?? randomUUID;
  return function telemetryMiddleware(ctx, next) {
    const incoming = ctx.get('x-request-id');
    const correlation = ctx.get('x-correlation-id');
    const correlationId = SAFE_ID.test(correlation) ? correlation : undefined;
    const requestId = SAFE_ID.test(incoming) ? incoming : (correlationId ?? generateId());
    ctx.set('X-Request-ID', requestId);
    trace.getActiveSpan()?.setAttribute('http.request.id', requestId);
    return runWithRequestContext(correlationId === undefined ? { requestId } : { requestId, correlationId }, async () => {
      const token = httpMetrics?.start(ctx.method);
      const t0 = accessLog ? performance.now() : 0;
      let status = 500;
      try {
        await next();
        status = ctx.status;
      } catch (err) {
        status = errorStatus(err);
        throw err;
      } finally {
        const route = routeOf(ctx);
        // The server span (http-server-spans.ts) takes its http.route and name from here when it ends.
        const rpc = route === undefined ? undefined : getRPCMetadata(context.active());
        if (rpc?.type === RPCType.HTTP) rpc.route = route;
        if (token !== undefined) httpMetrics?.end(token, status, route);
        if (accessLog) logCompleted(logger, ctx, route, status, Math.round((performance.now() - t0) * 1000) / 1000);
      }
    });
  };
}

/** One access-log line: method, route pattern (when one matched), status, sizes, duration. */
function logCompleted(logger: TelemetryLogger, ctx: KoaLikeContext, route: string | undefined, status: number, durationMs: number): void {
  const fields: Record<string, unknown> = route === undefined ? { method: ctx.method } : { method: ctx.method, route };
  fields.status = status;
  fields.duration_ms = durationMs;
  const length = ctx.get('content-length');
  const requestBytes = Number(length);
  if (length !== '' && Number.isSafeInteger(requestBytes)) fields.request_bytes = requestBytes;
  const responseBytes = ctx.response.length;
  if (typeof responseBytes === 'number') fields.response_bytes = responseBytes;
  logger.info(fields, 'request completed');
}
