import { diag, DiagLogLevel } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { isBrokenCircuitError } from 'cockatiel';
import type { DestinationStream } from 'pino';
import { DEFAULT_SERVICE_NAME, type TelemetryConfig, type TelemetryOptions } from '../config.js';
import { createRateLimitedDiagLogger } from '../diag-log.js';
import { createLogger, type TelemetryLogger } from '../logging/logger.js';
import type { ShutdownSteps } from './shutdown.js';

/** Creates the host's logger from the configuration (or, when it is invalid, from the raw options). */
export function buildLogger(config: TelemetryConfig | undefined, options: TelemetryOptions, destination: DestinationStream | undefined): TelemetryLogger {
  return createLogger({
    serviceName: config?.serviceName ?? options.serviceName ?? DEFAULT_SERVICE_NAME,
    level: config?.log.level ?? 'info',
    debugSampleRate: config?.log.debugSampleRate ?? 1,
    pretty: config?.log.pretty ?? false,
    ...(destination === undefined ? {} : { destination }),
  });
}

/**
 * Routes OpenTelemetry's own diagnostics and export errors to the logger, each distinct message at
 * most once per `diagLogIntervalMillis`; exports refused by an open breaker are not errors.
 * @returns the reporter the other builders log their failures through
 */
export function routeDiagnostics(config: TelemetryConfig, logger: TelemetryLogger, steps: ShutdownSteps): (err: unknown) => void {
  const diagLogger = createRateLimitedDiagLogger((level, message, suppressed) => {
    logger[level]({ component: 'opentelemetry', suppressed }, message);
  }, config.diagLogIntervalMillis);
  diag.setLogger(diagLogger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  setGlobalErrorHandler((err) => {
    // While a breaker is open every span export is refused on purpose; its state change was logged already.
    if (isBrokenCircuitError(err)) return;
    diagLogger.report('warn', `telemetry export failed: ${err instanceof Error ? err.message : JSON.stringify(err)}`);
  });
  steps.releases.push(() => diag.disable());
  return (err) => diagLogger.report('warn', `metric collection failed: ${err instanceof Error ? err.message : String(err)}`);
}
