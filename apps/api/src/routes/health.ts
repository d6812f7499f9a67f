import type { Middleware } from 'koa';
import * as v from 'valibot';
import type { Lifecycle } from '../lifecycle.js';
import { createSurfaceRouter, type RouteSpec } from './route-spec.js';
import type { Router } from '@koa/router';

/** Name every probe body carries. */
export const SERVICE_NAME = 'globeco-portfolio-service';

/** Result of one database check. */
export interface DatabaseCheck {
  readonly ok: boolean;
  readonly latencyMs: number;
  /** Short reason when not ok. */
  readonly error?: string;
}

/** What the probes need to know about the process and its database. */
export interface HealthSource {
  /** Pings the database within a short timeout; never throws. */
  checkDatabase(): Promise<DatabaseCheck>;
  /** Circuit breakers, connection pool and cache figures for /health/detailed. */
  details(): Readonly<Record<string, unknown>>;
}

const probe = (extra: v.ObjectEntries) =>
  v.looseObject({ status: v.string(), service: v.literal(SERVICE_NAME), timestamp: v.string(), ...extra });

/** Route table of the probes. */
export const HEALTH_ROUTES = [
  {
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Plain liveness check',
    tag: 'health',
    responses: { 200: { description: 'The process answers', contentType: 'text/plain', example: 'OK' } },
  },
  {
    method: 'get',
    path: '/health/live',
    operationId: 'healthLive',
    summary: 'Liveness probe',
    tag: 'health',
    responses: { 200: { description: 'Alive', schema: probe({ probe_type: v.literal('liveness') }) } },
  },
  {
    method: 'get',
    path: '/health/ready',
    operationId: 'healthReady',
    summary: 'Readiness probe: database reachable and not shutting down',
    tag: 'health',
    responses: {
      200: { description: 'Ready', schema: probe({ probe_type: v.literal('readiness'), checks: v.record(v.string(), v.unknown()) }) },
      503: { description: 'Not ready', schema: probe({ probe_type: v.literal('readiness') }) },
    },
  },
  {
    method: 'get',
    path: '/health/startup',
    operationId: 'healthStartup',
    summary: 'Startup probe: indexes ensured',
    tag: 'health',
    responses: {
      200: { description: 'Started', schema: probe({ probe_type: v.literal('startup') }) },
      503: { description: 'Still starting', schema: probe({ probe_type: v.literal('startup') }) },
    },
  },
  {
    method: 'get',
    path: '/health/detailed',
    operationId: 'healthDetailed',
    summary: 'Detailed health: database, circuit breakers, pool, cache',
    tag: 'health',
    responses: {
      200: { description: 'Healthy or degraded', schema: probe({ probe_type: v.literal('detailed'), checks: v.record(v.string(), v.unknown()) }) },
      503: { description: 'Unhealthy', schema: probe({ probe_type: v.literal('detailed') }) },
    },
  },
  {
    method: 'get',
    path: '/health/metrics',
    operationId: 'healthMetrics',
    summary: 'Small health and process summary',
    tag: 'health',
    responses: { 200: { description: 'Summary', schema: v.looseObject({ service: v.string(), timestamp: v.string() }) } },
  },
] as const satisfies readonly RouteSpec[];

/** Dependencies of the probes. */
export interface HealthDeps {
  readonly health: HealthSource;
  readonly lifecycle: Lifecycle;
  readonly version: string;
  /** Clock for uptime; injectable for tests. */
  readonly now?: () => number;
}

/** Creates the router of `/health*`. */
export function createHealthRouter(deps: HealthDeps): Router {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const base = (status: string, probeType: string) => ({
    status,
    service: SERVICE_NAME,
    probe_type: probeType,
    timestamp: new Date(now()).toISOString(),
    version: deps.version,
  });
  const noStore: Middleware = (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    return next();
  };

  const handlers = {
    health: (ctx) => {
      ctx.type = 'text/plain';
      ctx.body = 'OK';
    },
    healthLive: (ctx) => {
      ctx.body = { ...base('alive', 'liveness'), uptime_seconds: Math.floor((now() - startedAt) / 1000) };
    },
    healthReady: async (ctx) => {
      if (deps.lifecycle.draining) {
        ctx.status = 503;
        ctx.body = { ...base('not_ready', 'readiness'), reason: 'shutting_down' };
        return;
      }
      if (!deps.lifecycle.started) {
        ctx.status = 503;
        ctx.body = { ...base('not_ready', 'readiness'), reason: 'starting' };
        return;
      }
      const db = await deps.health.checkDatabase();
      ctx.status = db.ok ? 200 : 503;
      ctx.body = {
        ...base(db.ok ? 'ready' : 'not_ready', 'readiness'),
        checks: { database: databaseCheck(db, 'ready', 'not_ready') },
      };
    },
    healthStartup: (ctx) => {
      const started = deps.lifecycle.started;
      ctx.status = started ? 200 : 503;
      ctx.body = base(started ? 'started' : 'starting', 'startup');
    },
    healthDetailed: async (ctx) => {
      const db = await deps.health.checkDatabase();
      const details = deps.health.details();
      const degraded = !deps.lifecycle.started || deps.lifecycle.draining || hasOpenBreaker(details);
      const status = !db.ok ? 'unhealthy' : degraded ? 'degraded' : 'healthy';
      ctx.status = db.ok ? 200 : 503;
      ctx.body = {
        ...base(status, 'detailed'),
        uptime_seconds: Math.floor((now() - startedAt) / 1000),
        lifecycle: { started: deps.lifecycle.started, draining: deps.lifecycle.draining },
        checks: { database: databaseCheck(db, 'healthy', 'unhealthy'), ...details },
      };
    },
    healthMetrics: (ctx) => {
      const memory = process.memoryUsage();
      ctx.body = {
        service: SERVICE_NAME,
        timestamp: new Date(now()).toISOString(),
        uptime_seconds: Math.floor((now() - startedAt) / 1000),
        started: deps.lifecycle.started,
        draining: deps.lifecycle.draining,
        memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed },
        ...deps.health.details(),
      };
    },
  } satisfies Record<(typeof HEALTH_ROUTES)[number]['operationId'], Middleware>;

  return createSurfaceRouter('other', HEALTH_ROUTES, handlers, [noStore]);
}

function databaseCheck(db: DatabaseCheck, up: string, down: string): Record<string, unknown> {
  return db.ok
    ? { status: up, latency_ms: db.latencyMs }
    : { status: down, latency_ms: db.latencyMs, error: db.error ?? 'unreachable' };
}

function hasOpenBreaker(details: Readonly<Record<string, unknown>>): boolean {
  const breakers = details.circuit_breakers;
  if (!breakers || typeof breakers !== 'object') return false;
  return Object.values(breakers).some((b) => (b as { state?: unknown } | null)?.state !== 'closed');
}
