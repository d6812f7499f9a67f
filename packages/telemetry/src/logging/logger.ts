import { createRequire } from 'node:module';
import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, stdTimeFunctions, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from '../config.js';
import { getRequestContext } from './request-context.js';
import { REDACT_PATHS } from './redact.js';

/** Options of `createLogger`. */
export interface LoggerConfig {
  serviceName: string;
  level: LogLevel;
  /** Share of debug/trace lines kept (1 = all); for production debugging without floods. */
  debugSampleRate?: number;
  /** Pretty-print through pino-pretty when it is installed (development only). */
  pretty?: boolean;
  /** Output stream; defaults to a synchronous sonic-boom on stdout. */
  destination?: DestinationStream;
  /** Random source for debug sampling (tests). */
  random?: () => number;
}

/** The logger type handed out by this package (pino). */
export type TelemetryLogger = Logger;

/** Adds request id, correlation id, trace id and span id of the current context to a log line. */
function correlationFields(): Record<string, string> {
  const rc = getRequestContext();
  const span = trace.getSpan(context.active());
  const sc = span?.spanContext();
  const traced = sc !== undefined && isSpanContextValid(sc);
  // pino merges the line's own fields into this object, so it must be a fresh one.
  const out: Record<string, string> = {};
  if (rc !== undefined) {
    out.request_id = rc.requestId;
    if (rc.correlationId !== undefined) out.correlation_id = rc.correlationId;
  }
  if (traced) {
    out.trace_id = sc.traceId;
    out.span_id = sc.spanId;
  }
  return out;
}

function prettyTransport(): LoggerOptions['transport'] | undefined {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } };
  } catch {
    return undefined;
  }
}

/**
 * Creates the JSON-lines logger: `time`, `level`, `msg`, `service`, plus request/correlation ids and
 * trace/span ids when present; credentials and bodies are redacted.
 */
export function createLogger(config: LoggerConfig): TelemetryLogger {
  const rate = config.debugSampleRate ?? 1;
  const random = config.random ?? Math.random;
  const options: LoggerOptions = {
    level: config.level,
    base: { service: config.serviceName },
    messageKey: 'msg',
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...REDACT_PATHS], censor: '[Redacted]' },
    mixin: correlationFields,
  };
  if (rate < 1) {
    options.hooks = {
      logMethod(args, method, level) {
        if (level <= 20 && random() >= rate) return;
        method.apply(this, args);
      },
    };
  }
  if (config.destination !== undefined) return pino(options, config.destination);
  const transport = config.pretty === true ? prettyTransport() : undefined;
  if (transport !== undefined) return pino({ ...options, transport });
  return pino(options, pino.destination({ dest: 1, sync: true }));
}
