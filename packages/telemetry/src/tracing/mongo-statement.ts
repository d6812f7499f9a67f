import { context, trace } from '@opentelemetry/api';

/** Longest `db.query.text` the MongoDB statement summary produces. */
export const MAX_STATEMENT_LENGTH = 256;

/** Fields whose shape (keys, operators) is reported; every value becomes `?`. */
const SHAPE_FIELDS = ['filter', 'query', 'q', 'sort', 'key'] as const;
/** Fields carrying document data: only their length is reported. */
const COUNTED_FIELDS = ['documents', 'updates', 'deletes', 'pipeline', 'cursors'] as const;
/** Objects and keys visited per statement at most, so the cost is bounded whatever the command holds. */
const MAX_NODES = 64;
const MAX_DEPTH = 4;

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // BSON values (ObjectId, Decimal128, Date, ...) are values, not shapes.
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function shape(value: unknown, depth: number, budget: { nodes: number }): string {
  if (Array.isArray(value)) {
    // `$and`/`$or` hold sub-filters; `$in` and friends hold values.
    const first: unknown = value[0];
    if (!isPlainRecord(first)) return '"?"';
    if (budget.nodes <= 0 || depth > MAX_DEPTH) return '"…"';
    budget.nodes -= 1;
    const items = value.slice(0, 3).map((v) => shape(v, depth + 1, budget));
    if (value.length > 3) items.push('"…"');
    return `[${items.join(',')}]`;
  }
  if (!isPlainRecord(value)) return '"?"';
  if (budget.nodes <= 0 || depth > MAX_DEPTH) return '"…"';
  budget.nodes -= 1;
  const parts: string[] = [];
  for (const key in value) {
    if (budget.nodes <= 0) {
      parts.push('"…":"…"');
      break;
    }
    budget.nodes -= 1;
    parts.push(`${JSON.stringify(key)}:${shape(value[key], depth + 1, budget)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Command names the summary recognises; anything else is treated as a document. */
const COMMANDS = new Set([
  'find', 'insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'aggregate', 'count', 'distinct',
  'getMore', 'killCursors', 'createIndexes', 'dropIndexes', 'listIndexes', 'listCollections', 'create', 'drop',
  'dropDatabase', 'collMod', 'bulkWrite', 'hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'endSessions',
  'commitTransaction', 'abortTransaction', 'explain', 'saslStart', 'saslContinue',
]);

/**
 * Summarises a MongoDB command for `db.query.text`: the command name and collection, the keys and
 * operators of filter/sort (values replaced by `?`) and only the length of documents/updates/deletes.
 */
export function summarizeMongoCommand(command: Record<string, unknown>): string {
  const budget = { nodes: MAX_NODES };
  let name: string | undefined;
  for (const key in command) {
    name = key;
    break;
  }
  // The driver hands an insert over as its first document: report its keys only.
  if (name === undefined || !COMMANDS.has(name)) return truncate(shape(command, 1, budget));
  const target = command[name];
  const parts = [`${JSON.stringify(name)}:${typeof target === 'string' ? JSON.stringify(target) : '"?"'}`];
  for (const field of SHAPE_FIELDS) {
    if (field !== name && command[field] !== undefined) parts.push(`"${field}":${shape(command[field], 1, budget)}`);
  }
  for (const field of COUNTED_FIELDS) {
    const length = listLength(command[field]);
    if (length !== undefined) parts.push(`"${field}":"[${String(length)}]"`);
  }
  return truncate(`{${parts.join(',')}}`);
}

/** Length of an array or of the driver's document sequence (`{ documents: [...] }`, used for bulk writes). */
function listLength(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'object' && value !== null && 'documents' in value && Array.isArray(value.documents)) return value.documents.length;
  return undefined;
}

function truncate(text: string): string {
  return text.length <= MAX_STATEMENT_LENGTH ? text : `${text.slice(0, MAX_STATEMENT_LENGTH - 1)}…`;
}

/**
 * Creates the `dbStatementSerializer` for the MongoDB instrumentation. With `skipUnsampled` it
 * returns an empty string while the active span does not record: the instrumentation builds span
 * attributes before the sampler runs, and under a parent-based sampler the child of an unsampled
 * request is dropped anyway.
 */
export function createMongoStatementSerializer(options: { skipUnsampled: boolean }): (command: Record<string, unknown>) => string {
  if (!options.skipUnsampled) return summarizeMongoCommand;
  return (command) => (trace.getSpan(context.active())?.isRecording() === true ? summarizeMongoCommand(command) : '');
}
