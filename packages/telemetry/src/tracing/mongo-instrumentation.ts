import { context, trace, type Span } from '@opentelemetry/api';
import { MongoDBInstrumentation, type MongoDBInstrumentationConfig } from '@opentelemetry/instrumentation-mongodb';
import { timeCommands, type CommandRecorder } from '../metrics/db-metrics.js';

type Command = (this: unknown, ...args: unknown[]) => unknown;

/** The instrumentation's own hooks: the per-command skip check and the factory of the `command` wrapper. */
interface SkipHook {
  _checkSkipInstrumentation?: (currentSpan: Span | undefined) => boolean;
  _getV4PatchCommandPromise?: () => (original: Command) => Command;
}

/**
 * Creates the MongoDB instrumentation so that commands create spans only under a recording
 * parent: under an unsampled request span it builds no attributes, runs no statement serializer
 * and starts no span (the library alone would do all of that, then drop the span). With `timing`,
 * the same wrapper of `Connection.command` times every command into the recorder it returns.
 * @returns the instrumentation and, under `hooks`, whether each private hook could be installed on this version
 */
export function createMongoInstrumentation(
  config: MongoDBInstrumentationConfig,
  timing?: () => CommandRecorder | undefined,
): {
  instrumentation: MongoDBInstrumentation;
  hooks: { 'mongodb._checkSkipInstrumentation': boolean; 'mongodb._getV4PatchCommandPromise': boolean };
} {
  const instrumentation = new MongoDBInstrumentation({ ...config, requireParentSpan: true });
  const hook = instrumentation as unknown as SkipHook;
  // A private hook of @opentelemetry/instrumentation-mongodb (pinned); the test fails if it goes away.
  if (typeof hook._checkSkipInstrumentation !== 'function') {
    return { instrumentation, hooks: { 'mongodb._checkSkipInstrumentation': false, 'mongodb._getV4PatchCommandPromise': false } };
  }
  hook._checkSkipInstrumentation = (currentSpan) => currentSpan === undefined || !currentSpan.isRecording();
  // Driver >= 6.4: call `Connection.command` unwrapped (no result callback, no context switch) too.
  const makeWrapper = hook._getV4PatchCommandPromise?.bind(instrumentation);
  if (makeWrapper !== undefined) {
    hook._getV4PatchCommandPromise = () => (original) => {
      const traced = makeWrapper()(original);
      const command = function command(this: unknown, ...args: unknown[]): unknown {
        return trace.getSpan(context.active())?.isRecording() === true ? traced.apply(this, args) : original.apply(this, args);
      };
      return timing === undefined ? command : timeCommands(command, timing);
    };
  }
  return { instrumentation, hooks: { 'mongodb._checkSkipInstrumentation': true, 'mongodb._getV4PatchCommandPromise': makeWrapper !== undefined } };
}
