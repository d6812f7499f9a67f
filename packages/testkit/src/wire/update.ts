import { ObjectId, type Document } from 'bson';
import { Aggregator, update as mingoUpdate } from 'mingo';
import { commandError } from './errors.js';
import { mingoOptions } from './query.js';
import { cloneDoc, isOperatorObject, setPath, valueKey } from './values.js';

const UPDATE_OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$currentDate', '$push', '$pull',
  '$pullAll', '$addToSet', '$pop', '$bit', '$setOnInsert',
]);

/** The outcome of applying an update to one document. */
export interface Applied {
  doc: Document;
  modified: boolean;
}

/**
 * Applies an update (operators, replacement or pipeline) to a copy of `doc`; the stored document is
 * never touched. `inserting` applies `$setOnInsert` (which mingo lacks) for upserts.
 */
export function applyUpdate(doc: Document, u: unknown, arrayFilters: Document[] | undefined, inserting: boolean): Applied {
  let next: Document;
  let modified: boolean;
  if (Array.isArray(u)) {
    next = new Aggregator(u as Document[], mingoOptions).run<Document>([cloneDoc(doc)])[0] ?? {};
    modified = valueKey(next) !== valueKey(doc);
  } else if (isOperatorObject(u)) {
    next = cloneDoc(doc);
    const ops: Document = {};
    for (const [op, spec] of Object.entries(u) as [string, unknown][]) {
      if (!UPDATE_OPERATORS.has(op)) throw commandError('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
      if (!spec || typeof spec !== 'object') throw commandError('FailedToParse', `Modifiers operate on fields but we found type ${typeof spec} instead.`);
      if (op === '$setOnInsert') {
        if (inserting) ops.$set = { ...(ops.$set as Document | undefined), ...(spec as Document) };
      } else if (op === '$set' && ops.$set) {
        ops.$set = { ...(ops.$set as Document), ...(spec as Document) };
      } else {
        ops[op] = spec;
      }
    }
    // mingo refuses any write to _id; an upsert may still choose the new document's _id.
    const set = ops.$set as Document | undefined;
    const chosenId: unknown = inserting && doc._id === null && set ? set._id : undefined;
    if (chosenId !== undefined && set) {
      const { _id, ...rest } = set;
      ops.$set = rest;
    }
    modified = Object.keys(ops).length > 0 && runOperators(next, ops, arrayFilters);
    if (chosenId !== undefined) {
      next._id = chosenId;
      modified = true;
    }
  } else if (u && typeof u === 'object') {
    for (const k of Object.keys(u)) {
      if (k.startsWith('$')) throw commandError('FailedToParse', `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document.`);
    }
    next = { _id: doc._id as unknown, ...(u as Document) };
    if (next._id === undefined) delete next._id;
    modified = valueKey(next) !== valueKey(doc);
  } else {
    throw commandError('FailedToParse', 'Update argument must be either an object or an array');
  }
  // An upsert whose filter names no _id may choose one (e.g. `$setOnInsert: { _id }`), as on mongod.
  const placeholder = inserting && doc._id === null;
  if (!placeholder && doc._id !== undefined && valueKey(next._id) !== valueKey(doc._id)) {
    throw commandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  return { doc: next, modified };
}

function runOperators(doc: Document, ops: Document, arrayFilters: Document[] | undefined): boolean {
  try {
    return mingoUpdate(doc, ops, arrayFilters, undefined, { queryOptions: mingoOptions }).length > 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (message.includes("immutable field '_id'")) throw commandError('ImmutableField', message);
    throw commandError('BadValue', message);
  }
}

/** The document an upsert starts from: the filter's equality fields (as mongod derives them). */
export function upsertSeed(filter: Document | undefined): Document {
  const seed: Document = {};
  const visit = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const sub of v) if (sub && typeof sub === 'object') visit(sub as Document);
      } else if (k.startsWith('$')) {
        continue;
      } else if (isOperatorObject(v)) {
        if ('$eq' in v && Object.keys(v).length === 1) setPath(seed, k, cloneDoc(v.$eq));
      } else if (!(v instanceof RegExp)) {
        setPath(seed, k, cloneDoc(v));
      }
    }
  };
  if (filter) visit(filter);
  return seed;
}

/** Builds the document an upsert inserts, with a fresh ObjectId when no `_id` is given. */
export function upsertDocument(filter: Document | undefined, u: unknown, arrayFilters: Document[] | undefined): Document {
  const seed = upsertSeed(filter);
  let doc: Document;
  if (Array.isArray(u) || isOperatorObject(u)) {
    doc = applyUpdateUnchecked(seed, u, arrayFilters);
  } else {
    doc = { ...(u as Document) };
    if (doc._id === undefined && seed._id !== undefined) doc._id = seed._id as unknown;
  }
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  return doc;
}

function applyUpdateUnchecked(seed: Document, u: unknown, arrayFilters: Document[] | undefined): Document {
  const hadId = seed._id !== undefined;
  const { doc } = applyUpdate(hadId ? seed : { ...seed, _id: null }, u, arrayFilters, true);
  if (!hadId && doc._id === null) delete doc._id;
  return doc;
}
