import { performance } from 'node:perf_hooks';
import cors from '@koa/cors';
import Koa, { type Middleware } from 'koa';
import { createErrorMiddleware } from './http/errors.js';
import { createRequestIdMiddleware, type ContextRunner } from './http/request-id.js';
import { createRequestLog, type RequestLog } from './http/request-log.js';
import { createSecurityHeaders } from './http/security-headers.js';
import type { Lifecycle } from './lifecycle.js';
import { runWithRequestContext } from '@globeco/telemetry';
import type { Logger } from './observability.js';
import { createApiDocument } from './openapi/api-document.js';
import { createDocsRouter } from './routes/docs.js';
import { createFastRouter } from './routes/fast.js';
import { createHealthRouter, type HealthSource } from './routes/health.js';
import { createRootRouter, type MetricsRenderer } from './routes/root.js';
import { createMethodGate } from './routes/route-spec.js';
import type { PortfolioOperations } from './routes/service-port.js';
import { createV1Router } from './routes/v1.js';
import { createV2Router } from './routes/v2.js';

/** Everything the app needs; it reads no environment and opens no port. */
export interface AppDeps {
  readonly service: PortfolioOperations;
  readonly health: HealthSource;
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
  /** Scopes log lines of a request to its id; default: the built-in logger's context. */
  readonly runInRequestContext?: ContextRunner;
  /** Origins allowed by CORS; empty or absent turns CORS off. */
  readonly corsOrigins?: readonly string[];
  /** Log one line per request. */
  readonly accessLog?: boolean;
  /** Service version shown by `/` and the OpenAPI document. */
  readonly version?: string;
  /** HTTP metrics middleware (from telemetry), run around every request. */
  readonly httpMetrics?: Middleware;
  /** Prometheus exposition for GET /metrics; absent when metrics are off. */
  readonly renderMetrics?: MetricsRenderer;
  /** Longest a client may read nothing of a streamed list before it is cut off, ms (default 30 000). */
  readonly listStallTimeoutMs?: number;
}

function createAccessLog(log: RequestLog): Middleware {
  return async (ctx, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      log.completed(ctx, Math.round((performance.now() - start) * 1000) / 1000);
    }
  };
}

function createCors(origins: readonly string[]): Middleware {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return any || allowed.has(origin) ? origin : '';
    },
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
    exposeHeaders: ['X-Request-ID', 'X-Processing-Time-Ms', 'X-Portfolio-Count', 'X-Total-Count', 'Retry-After'],
    maxAge: 600,
  });
}

/** Builds the Koa application: middleware, the routers of every surface and error mapping. */
export function createApp(deps: AppDeps): Koa {
  const version = deps.version ?? '2.0.0';
  const app = new Koa({ proxy: false });
  const log = createRequestLog(deps.logger);
  app.on('error', (error: unknown, ctx?: Koa.Context) => log.failed(error, ctx));

  app.use(createRequestIdMiddleware(deps.runInRequestContext ?? runWithRequestContext));
  if (deps.accessLog) app.use(createAccessLog(log));
  if (deps.httpMetrics) app.use(deps.httpMetrics);
  app.use(createSecurityHeaders());
  if (deps.corsOrigins && deps.corsOrigins.length > 0) app.use(createCors(deps.corsOrigins));
  app.use(createErrorMiddleware());

  const routers = [
    createRootRouter({ version, ...(deps.renderMetrics ? { renderMetrics: deps.renderMetrics } : {}) }),
    createHealthRouter({ health: deps.health, lifecycle: deps.lifecycle, version }),
    createV1Router(deps.service, { listStallTimeoutMs: deps.listStallTimeoutMs ?? 30_000 }),
    createV2Router(deps.service),
    createFastRouter(deps.service),
    createDocsRouter(createApiDocument(version)),
  ];
  app.use(createMethodGate());
  for (const router of routers) app.use(router.routes() as Middleware);
  return app;
}
