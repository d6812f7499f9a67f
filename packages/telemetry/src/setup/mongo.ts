import type { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import type { TelemetryConfig } from '../config.js';
import { registerLoaderHook } from '../loader-hook.js';
import type { CommandRecorder } from '../metrics/db-metrics.js';
import { createMongoInstrumentation } from '../tracing/mongo-instrumentation.js';
import { createMongoStatementSerializer } from '../tracing/mongo-statement.js';

/** What the MongoDB builder produced. */
export interface MongoInstrumentation {
  readonly instrumentation: MongoDBInstrumentation;
  /** Whether each hook into the instrumentation's private methods applied on the installed version. */
  readonly hooks: Readonly<Record<string, boolean>>;
  /** Whether commands are timed by the wrapper of `Connection.command` (else from command events). */
  readonly timesCommands: boolean;
}

/**
 * Builds the MongoDB instrumentation, for tracing and for `db.client.operation.duration`: its
 * wrapper of the driver's `Connection.command` traces a command under a recording parent span and
 * times every command into the recorder `timing()` returns (none until a client is instrumented).
 */
export function buildMongoInstrumentation(
  config: TelemetryConfig,
  statementSerializer: ((command: Record<string, unknown>) => string) | undefined,
  timing: () => CommandRecorder | undefined,
): MongoInstrumentation {
  registerLoaderHook();
  const mongo = createMongoInstrumentation(
    {
      enhancedDatabaseReporting: false,
      dbStatementSerializer: statementSerializer ?? createMongoStatementSerializer({ skipUnsampled: config.sampler.startsWith('parentbased_') }),
    },
    timing,
  );
  return { ...mongo, timesCommands: mongo.hooks['mongodb._getV4PatchCommandPromise'] };
}
