import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import type { TelemetryLogger } from './logging/logger.js';
import { runWithRequestContext } from './logging/request-context.js';
import type { HttpMetrics } from './metrics/http-metrics.js';

/** The few Koa context members the middleware uses (no runtime import of koa). */
export interface KoaLikeContext {
  readonly method: string;
  readonly path: string;
  status: number;
  /** Set by @koa/router to the matched route pattern. */
  readonly _matchedRoute?: string | RegExp | undefined;
  get(field: string): string;
  set(field: string, value: string): void;
}

/** A Koa-compatible middleware function. */
export type KoaLikeMiddleware = (ctx: KoaLikeContext, next: () => Promise<unknown>) => Promise<void>;

/** Options of `createKoaMiddleware`. */
export interface KoaMiddlewareOptions {
  /** HTTP metric recorder; omit to skip metrics. */
  httpMetrics?: HttpMetrics;
  /** Logger for access-log lines. */
  logger?: TelemetryLogger;
  /** Write one access-log line per request (default false). */
  accessLog?: boolean;
  /** Header carrying the request id in and out (default `x-request-id`). */
  requestIdHeader?: string;
  /** Header carrying a caller's correlation id (default `x-correlation-id`). */
  correlationIdHeader?: string;
  /** Generates request ids (default `crypto.randomUUID`). */
  generateId?: () => string;
}

const SAFE_ID = /^[\w.:@-]{1,128}$/;

function errorStatus(err: unknown): number {
  if (typeof err === 'object' && err !== null) {
    const s = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof s === 'number' && Number.isInteger(s) && s >= 400 && s <= 599) return s;
  }
  return 500;
}

/**
 * Creates the Koa middleware that gives each request an id (AsyncLocalStorage, so every log line
 * of the request carries it), records the HTTP metrics and optionally writes an access-log line.
 * Mount it first; a request that throws is counted with status 500 (or its HTTP error status).
 * Request ids travel in the OpenTelemetry context: `startTelemetry` (or `ensureContextManager`) must have run.
 */
export function createKoaMiddleware(options: KoaMiddlewareOptions = {}): KoaLikeMiddleware {
  const { httpMetrics, logger } = options;
  const accessLog = options.accessLog === true && logger !== undefined;
  const idHeader = options.requestIdHeader ?? 'x-request-id';
  const corrHeader = options.correlationIdHeader ?? 'x-correlation-id';
  const generateId = options.generateId ?? randomUUID;

  return function telemetryMiddleware(ctx, next) {
    const incoming = ctx.get(idHeader);
    const requestId = incoming !== '' && SAFE_ID.test(incoming) ? incoming : generateId();
    const corr = ctx.get(corrHeader);
    const correlationId = corr !== '' && SAFE_ID.test(corr) ? corr : undefined;
    ctx.set(idHeader, requestId);
    trace.getActiveSpan()?.setAttribute('http.request.id', requestId);
    return runWithRequestContext(correlationId === undefined ? { requestId } : { requestId, correlationId }, async () => {
      const token = httpMetrics?.start(ctx.method, ctx.path);
      const t0 = accessLog ? performance.now() : 0;
      let status = 500;
      try {
        await next();
        status = ctx.status;
      } catch (err) {
        status = errorStatus(err);
        throw err;
      } finally {
        const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined;
        if (token !== undefined) httpMetrics?.end(token, status, route, ctx.path);
        if (accessLog) {
          logger.info(
            { method: ctx.method, path: route ?? ctx.path, status, duration_ms: Math.round((performance.now() - t0) * 1000) / 1000 },
            'request completed',
          );
        }
      }
    });
  };
}
