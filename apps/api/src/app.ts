import type { Telemetry } from '@globeco/telemetry';
import cors from '@koa/cors';
import Koa, { type Middleware } from 'koa';
import { createErrorMiddleware } from './http/errors.js';
import { createRequestLog } from './http/request-log.js';
import { createSecurityHeaders } from './http/security-headers.js';
import type { Lifecycle } from './lifecycle.js';
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
  /** The started telemetry: its logger, and its Koa middleware (request id, HTTP metrics, access log, span). */
  readonly telemetry: Pick<Telemetry, 'logger' | 'koaMiddleware'>;
  /** Origins allowed by CORS; empty or absent turns CORS off. */
  readonly corsOrigins?: readonly string[];
  /** Log one line per request. */
  readonly accessLog?: boolean;
  /** Service version shown by `/` and the OpenAPI document. */
  readonly version?: string;
  /** Prometheus exposition for GET /metrics; absent when metrics are off. */
  readonly renderMetrics?: MetricsRenderer;
  /** Longest a client may read nothing of a streamed list before it is cut off, ms (default 30 000). */
  readonly listStallTimeoutMs?: number;
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
  const log = createRequestLog(deps.telemetry.logger);
  app.on('error', (error: unknown, ctx?: Koa.Context) => log.failed(error, ctx));

  app.use(deps.telemetry.koaMiddleware({ accessLog: deps.accessLog ?? false }));
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
