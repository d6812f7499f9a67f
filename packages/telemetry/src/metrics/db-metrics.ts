import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import type { PoolEventSource } from './mongo-pool.js';

/** Bucket bounds (s) of `db.client.operation.duration`, as OpenTelemetry's database conventions advise. */
export const DB_DURATION_BUCKETS_S: readonly number[] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** The fields of the driver's command monitoring events that are read (no runtime import of mongodb). */
interface CommandEvent {
  readonly requestId?: unknown;
  readonly commandName?: unknown;
  readonly databaseName?: unknown;
  readonly command?: Record<string, unknown>;
  /** Milliseconds, on succeeded and failed events. */
  readonly duration?: unknown;
  readonly failure?: unknown;
  /** On succeeded events: a write command's reply lists the documents it could not write. */
  readonly reply?: { readonly writeErrors?: readonly { readonly code?: unknown; readonly codeName?: unknown }[] };
}

/** Handle returned by `instrumentMongoCommands`. */
export interface DbCommandMetrics {
  /** Removes the event listeners. */
  stop(): void;
}

/** Commands whose first field names a collection (the rest name none: `ping`, `hello`, transactions …). */
const COLLECTION_COMMANDS = new Set([
  'find',
  'insert',
  'update',
  'delete',
  'findAndModify',
  'aggregate',
  'count',
  'distinct',
  'createIndexes',
  'listIndexes',
  'drop',
  'dropIndexes',
]);
/** Connection handshakes and monitoring: not operations of the host. */
const IGNORED = new Set(['hello', 'isMaster', 'ismaster', 'saslStart', 'saslContinue', 'endSessions']);
const MAX_SERIES = 500;
/** Commands in flight at once are bounded by the pool; this only guards against lost outcome events. */
const MAX_PENDING = 10_000;
/** Server error codes of write errors, by name (a write error carries only the number). */
const WRITE_ERROR_NAMES: Readonly<Record<number, string>> = { 11000: 'DuplicateKey', 121: 'DocumentValidationFailure', 112: 'WriteConflict' };

/** The kind of a failed command: the server's code name, else the error's class name. */
export function errorType(failure: unknown): string {
  if (typeof failure !== 'object' || failure === null) return '_OTHER';
  const f = failure as { codeName?: unknown; name?: unknown };
  if (typeof f.codeName === 'string' && /^\w{1,64}$/.test(f.codeName)) return f.codeName;
  return typeof f.name === 'string' && /^\w{1,64}$/.test(f.name) ? f.name : '_OTHER';
}

/** The kind of the first write error of a command the server answered with `ok: 1`, if any. */
function writeErrorType(event: CommandEvent): string | undefined {
  const first = event.reply?.writeErrors?.[0];
  if (first === undefined) return undefined;
  if (typeof first.codeName === 'string' && /^\w{1,64}$/.test(first.codeName)) return first.codeName;
  return typeof first.code === 'number' ? (WRITE_ERROR_NAMES[first.code] ?? 'WriteError') : 'WriteError';
}

/**
 * Records `db.client.operation.duration` (seconds, OpenTelemetry database conventions) of every
 * command a MongoClient sends, from the driver's command monitoring events: attributes
 * `db.system.name`, `db.namespace`, `db.operation.name`, `db.collection.name` and, on failure,
 * `error.type` — so errors count by kind. The client must be created with `monitorCommands: true`.
 */
export function instrumentMongoCommands(client: PoolEventSource, meter: Meter): DbCommandMetrics {
  const histogram: Histogram = meter.createHistogram('db.client.operation.duration', {
    description: 'Duration of database client operations',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DB_DURATION_BUCKETS_S] },
  });
  // The collection is only on the started event; the outcome's event carries the same request id.
  const collections = new Map<unknown, string | undefined>();
  const attributeCache = new Map<string, Attributes>();
  const attributes = (database: string, operation: string, collection: string | undefined, error: string | undefined): Attributes => {
    const key = `${database}\u0000${operation}\u0000${collection ?? ''}\u0000${error ?? ''}`;
    let a = attributeCache.get(key);
    if (a === undefined) {
      a = { 'db.system.name': 'mongodb', 'db.namespace': database, 'db.operation.name': operation };
      if (collection !== undefined) a['db.collection.name'] = collection;
      if (error !== undefined) a['error.type'] = error;
      a = Object.freeze(a);
      if (attributeCache.size < MAX_SERIES) attributeCache.set(key, a);
    }
    return a;
  };
  const onStarted = (event: unknown): void => {
    const e = event as CommandEvent;
    const name = e.commandName;
    if (typeof name !== 'string' || IGNORED.has(name)) return;
    const target = COLLECTION_COMMANDS.has(name) ? e.command?.[name] : undefined;
    if (collections.size >= MAX_PENDING) collections.clear();
    collections.set(e.requestId, typeof target === 'string' ? target : undefined);
  };
  const onEnded = (event: unknown, failed: boolean): void => {
    const e = event as CommandEvent;
    if (!collections.has(e.requestId)) return;
    const collection = collections.get(e.requestId);
    collections.delete(e.requestId);
    const duration = typeof e.duration === 'number' ? e.duration / 1000 : 0;
    const database = typeof e.databaseName === 'string' ? e.databaseName : '';
    histogram.record(duration, attributes(database, String(e.commandName), collection, failed ? errorType(e.failure) : writeErrorType(e)));
  };
  const handlers: Record<string, (event: unknown) => void> = {
    commandStarted: onStarted,
    commandSucceeded: (e) => onEnded(e, false),
    commandFailed: (e) => onEnded(e, true),
  };
  for (const [event, handler] of Object.entries(handlers)) client.on(event, handler);
  return {
    stop() {
      for (const [event, handler] of Object.entries(handlers)) client.off(event, handler);
      collections.clear();
    },
  };
}
