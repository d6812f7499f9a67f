import type { Context } from 'koa';
import { isTimeoutError, isUnavailableError } from '@globeco/portfolio-core';
import type { TelemetryLogger as Logger } from '@globeco/telemetry';
import { routeOf } from './route-of.js';

/** Node and llhttp codes of a request that the client broke: reset, closed early or malformed. */
const CLIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
  // A client that stopped reading a streamed response (json-array-stream.ts).
  'ERR_CONSUMER_STALLED',
]);

/** raw-body's error types for a body the client did not finish sending. */
const CLIENT_BODY_TYPES = new Set(['request.aborted', 'stream.not.readable']);

/**
 * Whether a failure was caused by the client's connection or bytes: a parse error of the request
 * (`HPE_*`), an upload aborted mid-body, a response the client stopped reading. Such conditions are
 * the client's business: logged at debug, without stack, never answered or counted as 5xx.
 */
export function isClientCaused(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; type?: unknown; message?: unknown };
  if (typeof e.code === 'string' && (e.code.startsWith('HPE_') || CLIENT_CODES.has(e.code))) return true;
  if (typeof e.type === 'string' && CLIENT_BODY_TYPES.has(e.type)) return true;
  return e.message === 'aborted';
}

/** The code naming a client-caused condition (llhttp or Node code, raw-body type), for its log line. */
export function clientConditionCode(error: unknown): string {
  const e = error as { code?: unknown; type?: unknown } | null;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.type === 'string' ? e.type : 'aborted';
}

/** Quoted values and `{ … }` documents in messages (duplicate keys, failed documents) may hold request data. */
function elideValues(message: string): string {
  return message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/\{[^{}]*\}/g, '{…}').slice(0, 500);
}

/**
 * An error as a log line may show it: type, code, code name, message (quoted values elided), stack
 * and the same of its causes. Nothing else of the error is copied: a parser error's `rawPacket`
 * (the request's bytes, credentials included), a driver error's `keyValue` or documents never reach a log.
 */
export function describeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const e = error as Error & { code?: unknown; codeName?: unknown };
  const out: Record<string, unknown> = { type: error.name, message: elideValues(error.message) };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.codeName === 'string') out.codeName = e.codeName;
  // The stack's frames only: its first lines repeat the message, values and all.
  if (error.stack !== undefined) out.stack = error.stack.split('\n').filter((line) => line.startsWith('    at ')).join('\n');
  if (error.cause !== undefined && depth < 3) out.cause = describeError(error.cause, depth + 1);
  return out;
}

/**
 * Lets the first line of each key through and then at most one per `intervalMs`; a line that gets
 * through after others were held back says how many.
 * @returns a gate: the number of lines suppressed since the last one when the line may be written, else undefined
 */
export function createRateLimit(intervalMs: number, now: () => number = Date.now): (key: string) => number | undefined {
  const seen = new Map<string, { at: number; suppressed: number }>();
  return (key) => {
    const t = now();
    const entry = seen.get(key);
    if (entry !== undefined && t - entry.at < intervalMs) {
      entry.suppressed += 1;
      return undefined;
    }
    // Keys are message and reason: a handful. The bound only guards against a bug making them vary.
    if (entry === undefined && seen.size >= 100) seen.clear();
    seen.set(key, { at: t, suppressed: 0 });
    return entry?.suppressed ?? 0;
  };
}

/** Warnings identical in message and reason are written at most once per this interval. */
export const WARNING_INTERVAL_MS = 10_000;

/** Where the app writes failed requests, under the rules of the README's "Logging" section (access lines come from telemetry). */
export interface RequestLog {
  /** A request that failed: a client-caused one at debug, an outage as a rate-limited warning, a defect at error. */
  failed(error: unknown, ctx: Context | undefined): void;
}

/** Creates the {@link RequestLog} on a logger. */
export function createRequestLog(logger: Logger, now: () => number = Date.now): RequestLog {
  const allow = createRateLimit(WARNING_INTERVAL_MS, now);
  const where = (ctx: Context | undefined): Record<string, unknown> => {
    if (ctx === undefined) return {};
    const route = routeOf(ctx);
    return route === undefined ? { method: ctx.method } : { method: ctx.method, route };
  };
  return {
    failed(error, ctx) {
      if (isClientCaused(error)) {
        logger.debug({ ...where(ctx), code: clientConditionCode(error) }, 'request ended by the client');
        return;
      }
      // Also mid-response (a streamed list whose next batch failed), where the status is still 200.
      if (ctx?.status === 503 || isUnavailableError(error) || isTimeoutError(error)) {
        // An outage is not a defect: one line without the stack, and not one per request.
        const reason = error instanceof Error ? elideValues(error.message) : 'unavailable';
        const suppressed = allow(`unavailable ${reason}`);
        if (suppressed !== undefined) logger.warn({ ...where(ctx), reason, suppressed }, 'request failed: database unavailable');
        return;
      }
      logger.error({ err: describeError(error), ...where(ctx) }, 'request failed');
    },
  };
}
