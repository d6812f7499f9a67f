import { AsyncLocalStorage } from 'node:async_hooks';
import { context, createContextKey } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/** What every log line of one request carries. */
export interface RequestContext {
  readonly requestId: string;
  readonly correlationId?: string;
}

// Once telemetry runs, request contexts ride in the OpenTelemetry context, so a request pays for
// one AsyncLocalStorage, not two; before that (or without telemetry) a private one is used.
const KEY = createContextKey('@globeco/telemetry.request-context');
const PROBE = createContextKey('@globeco/telemetry.probe');
let viaOtel = false;
let storage: AsyncLocalStorage<RequestContext> | undefined;

/** Whether a context manager that propagates values is registered. */
export function hasContextManager(): boolean {
  return context.with(context.active().setValue(PROBE, true), () => context.active().getValue(PROBE) === true);
}

/**
 * Makes request contexts travel in the OpenTelemetry context, installing the AsyncLocalStorage
 * context manager unless a working one is registered (tracing registers its own).
 * @returns true when it installed a context manager (the caller disables it on shutdown).
 */
export function ensureContextManager(): boolean {
  const installed = !hasContextManager() && context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  viaOtel = hasContextManager();
  return installed;
}

/** Goes back to the private AsyncLocalStorage (telemetry shut down). */
export function releaseContextManager(): void {
  viaOtel = false;
}

/** Runs `fn` with `requestContext` as the current request context (seen by every log line it writes). */
export function runWithRequestContext<T>(requestContext: RequestContext, fn: () => T): T {
  if (viaOtel) return context.with(context.active().setValue(KEY, requestContext), fn);
  storage ??= new AsyncLocalStorage<RequestContext>();
  return storage.run(requestContext, fn);
}

/** Returns the current request context, if any. */
export function getRequestContext(): RequestContext | undefined {
  return (context.active().getValue(KEY) as RequestContext | undefined) ?? storage?.getStore();
}
