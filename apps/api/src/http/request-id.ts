import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { RequestContext } from '@globeco/telemetry';

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Returns the caller's X-Request-ID / X-Correlation-ID when well-formed, else a fresh UUID. */
export function resolveRequestId(requestId: string | undefined, correlationId: string | undefined): string {
  if (requestId !== undefined && VALID_ID.test(requestId)) return requestId;
  if (correlationId !== undefined && VALID_ID.test(correlationId)) return correlationId;
  return randomUUID();
}

/** Runs a function inside a request context so every log line it writes carries the id. */
export type ContextRunner = <T>(context: RequestContext, fn: () => T) => T;

/** Assigns a request id, echoes it as X-Request-ID and scopes log lines of the request to it. */
export function createRequestIdMiddleware(run: ContextRunner): Middleware {
  return (ctx, next) => {
    const requestId = resolveRequestId(ctx.get('x-request-id') || undefined, ctx.get('x-correlation-id') || undefined);
    ctx.state.requestId = requestId;
    ctx.set('X-Request-ID', requestId);
    return run({ requestId }, next);
  };
}
