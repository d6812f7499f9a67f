import { ObjectId, type Document } from 'bson';
import { find as mingoFind } from 'mingo';
import type { DocStore } from '../collection.js';
import { storeFor, type CommandContext, type CommandHandler } from '../context.js';
import { CommandError, DuplicateKeyError, commandError } from '../errors.js';
import { matchAll, mingoOptions, select } from '../query.js';
import { applyUpdate, upsertDocument } from '../update.js';
import { isOperatorObject } from '../values.js';
import { runFind } from './read.js';

/** A statement's failure as a `writeErrors` entry; transaction-level failures are rethrown as command errors. */
function writeError(err: unknown, index: number): Document {
  if (err instanceof CommandError && err.errorLabels.length > 0) throw err;
  if (err instanceof DuplicateKeyError) return err.toWriteError(index);
  if (err instanceof CommandError) return { index, code: err.code, errmsg: err.message };
  return { index, code: 2, errmsg: err instanceof Error ? err.message : String(err) };
}

/** Write commands abort their transaction on the first failing statement; aborting is the dispatcher's job. */
function batch(cmd: Document, field: string): Document[] {
  const list: unknown = cmd[field];
  if (!Array.isArray(list)) throw commandError('TypeMismatch', `Field '${field}' must be an array`);
  if (list.length === 0) throw new CommandError(10, 'InvalidLength', 'Write batch sizes must be between 1 and 100000. Got 0 operations.');
  return list as Document[];
}

function withId(doc: Document): Document {
  if (doc._id === undefined) return { _id: new ObjectId(), ...doc };
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc as { _id: unknown };
  return { _id, ...rest };
}

function checkId(doc: Document): void {
  const id: unknown = doc._id;
  if (Array.isArray(id) || id instanceof RegExp) {
    throw new CommandError(53, 'InvalidIdField', `The '_id' value cannot be of type ${Array.isArray(id) ? 'array' : 'regex'}`);
  }
}

function insert(ctx: CommandContext): Document {
  const { cmd } = ctx;
  const docs = batch(cmd, 'documents');
  const store = storeFor(ctx, cmd.insert, true) as DocStore;
  const ordered = cmd.ordered !== false;
  let n = 0;
  const writeErrors: Document[] = [];
  for (let i = 0; i < docs.length; i++) {
    try {
      const doc = withId(docs[i] as Document);
      checkId(doc);
      store.insert(doc);
      n++;
    } catch (err) {
      writeErrors.push(writeError(err, i));
      if (ordered || ctx.txn) break;
    }
  }
  return writeErrors.length > 0 ? { n, writeErrors } : { n };
}

function update(ctx: CommandContext): Document {
  const { cmd } = ctx;
  const updates = batch(cmd, 'updates');
  const store = storeFor(ctx, cmd.update, true) as DocStore;
  const ordered = cmd.ordered !== false;
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors: Document[] = [];
  for (let i = 0; i < updates.length; i++) {
    const spec = updates[i] as Document;
    try {
      const q = (spec.q ?? {}) as Document;
      const u: unknown = spec.u;
      const arrayFilters = spec.arrayFilters as Document[] | undefined;
      if (spec.multi === true && !Array.isArray(u) && !isOperatorObject(u)) {
        throw commandError('FailedToParse', 'multi update is not supported for replacement-style update');
      }
      const sel = select(store, q);
      const matches = spec.multi === true ? matchAll(sel) : matchAll(sel, 1);
      if (matches.length === 0 && spec.upsert === true) {
        const doc = withId(upsertDocument(q, u, arrayFilters));
        store.insert(doc);
        n++;
        upserted.push({ index: i, _id: doc._id as unknown });
        continue;
      }
      for (const old of matches) {
        const { doc, modified } = applyUpdate(old, u, arrayFilters, false);
        n++;
        if (modified) {
          store.replace(old, doc);
          nModified++;
        }
      }
    } catch (err) {
      writeErrors.push(writeError(err, i));
      if (ordered || ctx.txn) break;
    }
  }
  const reply: Document = { n, nModified };
  if (upserted.length > 0) reply.upserted = upserted;
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return reply;
}

function remove(ctx: CommandContext): Document {
  const { cmd } = ctx;
  const deletes = batch(cmd, 'deletes');
  const store = storeFor(ctx, cmd.delete, false);
  const ordered = cmd.ordered !== false;
  let n = 0;
  const writeErrors: Document[] = [];
  for (let i = 0; i < deletes.length; i++) {
    const spec = deletes[i] as Document;
    try {
      if (spec.limit !== 0 && spec.limit !== 1) throw commandError('FailedToParse', 'The limit field in delete objects must be 0 or 1');
      if (!store) continue;
      for (const doc of matchAll(select(store, (spec.q ?? {}) as Document), spec.limit === 1 ? 1 : Infinity)) {
        store.remove(doc);
        n++;
      }
    } catch (err) {
      writeErrors.push(writeError(err, i));
      if (ordered || ctx.txn) break;
    }
  }
  return writeErrors.length > 0 ? { n, writeErrors } : { n };
}

function project(doc: Document | null, fields: unknown): Document | null {
  if (!doc || !fields || typeof fields !== 'object' || Object.keys(fields).length === 0) return doc;
  return mingoFind([doc], {}, fields as Document, mingoOptions).all()[0] ?? null;
}

function findAndModify(ctx: CommandContext): Document {
  const { cmd } = ctx;
  const query = (cmd.query ?? {}) as Document;
  const isRemove = cmd.remove === true;
  if (isRemove && cmd.update !== undefined) throw commandError('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!isRemove && cmd.update === undefined) throw commandError('FailedToParse', 'Either an update or remove=true must be specified');
  if (isRemove && cmd.upsert === true) throw commandError('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  const store = storeFor(ctx, cmd.findAndModify, !isRemove);
  const rawSort: unknown = cmd.sort;
  const sort = rawSort && typeof rawSort === 'object' && Object.keys(rawSort).length > 0 ? (rawSort as Document) : undefined;
  const found: Document | undefined = !store
    ? undefined
    : sort
      ? firstSorted(store, query, sort)
      : matchAll(select(store, query), 1)[0];
  if (isRemove) {
    if (!found || !store) return { lastErrorObject: { n: 0 }, value: null };
    store.remove(found);
    return { lastErrorObject: { n: 1 }, value: project(found, cmd.fields) };
  }
  const target = store as DocStore;
  const arrayFilters = cmd.arrayFilters as Document[] | undefined;
  if (found) {
    const { doc, modified } = applyUpdate(found, cmd.update, arrayFilters, false);
    if (modified) target.replace(found, doc);
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: project(cmd.new === true ? doc : found, cmd.fields) };
  }
  if (cmd.upsert === true) {
    const doc = withId(upsertDocument(query, cmd.update, arrayFilters));
    target.insert(doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id as unknown },
      value: cmd.new === true ? project(doc, cmd.fields) : null,
    };
  }
  return { lastErrorObject: { n: 0, updatedExisting: false }, value: null };
}

function firstSorted(store: DocStore, query: Document, sort: Document): Document | undefined {
  // runFind may project; without a projection it returns the stored objects themselves.
  return runFind(store, query, { sort, limit: 1 })[0];
}

/** Write commands: insert, update, delete, findAndModify. */
export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: remove,
  findAndModify,
  findandmodify: findAndModify,
};
