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

/** The first write error of a reply: a plain object, or the driver's on-demand BSON reply (read without deserializing it). */
interface OnDemandReply {
  has(name: string): boolean;
  get(name: string | number, as: number): OnDemandReply | string | null | undefined;
  getNumber?(name: string): number | null;
}
const BSON_STRING = 2;
const BSON_OBJECT = 3;
const BSON_ARRAY = 4;

function firstWriteError(reply: unknown): { readonly code?: unknown; readonly codeName?: unknown } | undefined {
  if (typeof reply !== 'object' || reply === null) return undefined;
  const onDemand = reply as Partial<OnDemandReply>;
  if (typeof onDemand.has === 'function' && typeof onDemand.get === 'function') {
    if (!onDemand.has('writeErrors')) return undefined;
    const first = (onDemand.get('writeErrors', BSON_ARRAY) as OnDemandReply | null | undefined)?.get(0, BSON_OBJECT) as OnDemandReply | null | undefined;
    if (first === null || first === undefined) return undefined;
    const codeName = first.has('codeName') ? first.get('codeName', BSON_STRING) : undefined;
    return { code: first.getNumber?.('code') ?? undefined, codeName };
  }
  return (reply as { writeErrors?: readonly { readonly code?: unknown; readonly codeName?: unknown }[] }).writeErrors?.[0];
}

/** The kind of the first write error of a reply the server sent with `ok: 1`, if any. */
function writeErrorType(reply: unknown): string | undefined {
  const first = firstWriteError(reply);
  if (first === undefined) return undefined;
  if (typeof first.codeName === 'string' && /^\w{1,64}$/.test(first.codeName)) return first.codeName;
  return typeof first.code === 'number' ? (WRITE_ERROR_NAMES[first.code] ?? 'WriteError') : 'WriteError';
}

/** Records one command's duration: database, command name, collection (if any), seconds, error kind (if failed). */
export type CommandRecorder = (database: string, operation: string, collection: string | undefined, seconds: number, error: string | undefined) => void;

/**
 * Creates the `db.client.operation.duration` histogram (seconds, OpenTelemetry database
 * conventions) and its recorder: attributes `db.system.name`, `db.namespace`, `db.operation.name`,
 * `db.collection.name` and, on failure, `error.type` — so errors count by kind.
 */
export function createCommandRecorder(meter: Meter): CommandRecorder {
  const histogram: Histogram = meter.createHistogram('db.client.operation.duration', {
    description: 'Duration of database client operations',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DB_DURATION_BUCKETS_S] },
  });
  const attributeCache = new Map<string, Attributes>();
  return (database, operation, collection, seconds, error) => {
    const key = `${database}\u0000${operation}\u0000${collection ?? ''}\u0000${error ?? ''}`;
    let a = attributeCache.get(key);
    if (a === undefined) {
      a = { 'db.system.name': 'mongodb', 'db.namespace': database, 'db.operation.name': operation };
      if (collection !== undefined) a['db.collection.name'] = collection;
      if (error !== undefined) a['error.type'] = error;
      a = Object.freeze(a);
      if (attributeCache.size < MAX_SERIES) attributeCache.set(key, a);
    }
    histogram.record(seconds, a);
  };
}

/** The collection a command names in its first field, for the commands that name one. */
function targetOf(name: string, command: Record<string, unknown> | undefined): string | undefined {
  const target = COLLECTION_COMMANDS.has(name) ? command?.[name] : undefined;
  return typeof target === 'string' ? target : undefined;
}

type Command = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Wraps the driver's `Connection.command(ns, command, options, responseType)` so that every command
 * of the host (not handshakes or monitoring) is timed into the recorder `current()` returns, when it
 * returns one: two clock reads and one promise reaction per command — no command monitoring events,
 * which would build an event object and deserialize every reply a second time.
 */
export function timeCommands(original: Command, current: () => CommandRecorder | undefined): Command {
  return function command(this: unknown, ...args: unknown[]): unknown {
    const record = current();
    const cmd = args[1] as Record<string, unknown> | undefined;
    let name: string | undefined;
    for (const key in cmd) {
      name = key;
      break;
    }
    if (record === undefined || name === undefined || IGNORED.has(name)) return original.apply(this, args);
    const database = (args[0] as { db?: unknown } | undefined)?.db;
    const db = typeof database === 'string' ? database : '';
    const operation = name;
    const started = performance.now();
    const result = original.apply(this, args);
    if (result instanceof Promise) {
      result.then(
        (reply: unknown) => record(db, operation, targetOf(operation, cmd), (performance.now() - started) / 1000, writeErrorType(reply)),
        (error: unknown) => record(db, operation, targetOf(operation, cmd), (performance.now() - started) / 1000, errorType(error)),
      );
    }
    return result;
  };
}

/**
 * Records the command durations of a MongoClient from the driver's command monitoring events (the
 * client must be created with `monitorCommands: true`): the fallback when {@link timeCommands}
 * could not be installed on the driver in use.
 */
export function instrumentMongoCommands(client: PoolEventSource, record: CommandRecorder): DbCommandMetrics {
  // The collection is only on the started event; the outcome's event carries the same request id.
  const collections = new Map<unknown, string | undefined>();
  const onStarted = (event: unknown): void => {
    const e = event as CommandEvent;
    const name = e.commandName;
    if (typeof name !== 'string' || IGNORED.has(name)) return;
    if (collections.size >= MAX_PENDING) collections.clear();
    collections.set(e.requestId, targetOf(name, e.command));
  };
  const onEnded = (event: unknown, failed: boolean): void => {
    const e = event as CommandEvent;
    if (!collections.has(e.requestId)) return;
    const collection = collections.get(e.requestId);
    collections.delete(e.requestId);
    const duration = typeof e.duration === 'number' ? e.duration / 1000 : 0;
    const database = typeof e.databaseName === 'string' ? e.databaseName : '';
    record(database, String(e.commandName), collection, duration, failed ? errorType(e.failure) : writeErrorType(e.reply));
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
