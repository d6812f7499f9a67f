import type { Document } from 'bson';
import { Aggregator, find as mingoFind } from 'mingo';
import type { CollationSpec } from 'mingo/types';
import type { DocStore } from '../collection.js';
import { intOption, storeFor, type CommandContext, type CommandHandler } from '../context.js';
import { CommandError, commandError } from '../errors.js';
import { matchAll, mingoOptions, select } from '../query.js';
import { sortNatively } from '../sort.js';
import { cloneDoc, valueKey } from '../values.js';

/** Options of a find-like read. */
export interface ReadOptions {
  sort?: Document | undefined;
  projection?: Document | undefined;
  collation?: Document | undefined;
  skip?: number | undefined;
  limit?: number | undefined;
}

/** Runs a find against a collection view: hash lookup when possible, then sort/skip/limit/projection. */
export function runFind(store: DocStore, filter: Document | undefined, opts: ReadOptions): Document[] {
  const sel = select(store, filter);
  const skip = opts.skip ?? 0;
  const limit = opts.limit ? Math.abs(opts.limit) : 0;
  const sort = withoutMeta(opts.sort);
  const projection = withoutMeta(opts.projection);
  if (!sort) {
    const docs = matchAll(sel, limit ? skip + limit : Infinity);
    const page = skip ? docs.slice(skip) : docs;
    return projection ? mingoFind(page, {}, projection, mingoOptions).all() : page;
  }
  const matched = matchAll(sel);
  const sorted = opts.collation ? undefined : sortNatively(matched, sort);
  if (sorted !== undefined) {
    const page = sorted.slice(skip, limit ? skip + limit : undefined);
    return projection ? mingoFind(page, {}, projection, mingoOptions).all() : page;
  }
  const options = opts.collation ? { ...mingoOptions, collation: opts.collation as CollationSpec } : mingoOptions;
  let cursor = mingoFind(matched, {}, projection, options).sort(sort);
  if (skip) cursor = cursor.skip(skip);
  if (limit) cursor = cursor.limit(limit);
  return cursor.all();
}

function withoutMeta(spec: unknown): Document | undefined {
  if (!spec || typeof spec !== 'object') return undefined;
  const out: Document = {};
  let n = 0;
  for (const [k, v] of Object.entries(spec as Record<string, unknown>)) {
    if (v && typeof v === 'object' && '$meta' in v) continue;
    out[k] = v;
    n++;
  }
  return n > 0 ? out : undefined;
}

/** Reads an optional object-valued option, rejecting other types with TypeMismatch. */
export function docOption(cmd: Document, field: string): Document | undefined {
  const v: unknown = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw commandError('TypeMismatch', `Field '${field}' must be an object`);
  return v;
}

function find(ctx: CommandContext): Document {
  const { cmd } = ctx;
  const ns = `${ctx.db}.${String(cmd.find)}`;
  const store = storeFor(ctx, cmd.find, false);
  const limit = intOption(cmd, 'limit');
  const skip = intOption(cmd, 'skip');
  if (skip !== undefined && skip < 0) throw commandError('BadValue', 'skip value must be non-negative');
  const opts = { sort: docOption(cmd, 'sort'), projection: docOption(cmd, 'projection'), skip, limit, collation: docOption(cmd, 'collation') };
  const docs = store ? runFind(store, docOption(cmd, 'filter'), opts) : [];
  const singleBatch = cmd.singleBatch === true || (limit !== undefined && limit < 0);
  return { cursor: ctx.state.cursors.first(ns, docs, intOption(cmd, 'batchSize'), singleBatch) };
}

function getMore(ctx: CommandContext): Document {
  return { cursor: ctx.state.cursors.more(ctx.cmd.getMore, ctx.cmd.collection, intOption(ctx.cmd, 'batchSize')) };
}

function killCursors(ctx: CommandContext): Document {
  const ids = Array.isArray(ctx.cmd.cursors) ? (ctx.cmd.cursors as unknown[]) : [];
  const { killed, notFound } = ctx.state.cursors.kill(ids);
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [] };
}

function countMatches(store: DocStore | undefined, filter: Document | undefined, skip = 0, limit = 0): number {
  if (!store) return 0;
  let n: number;
  if (!filter || Object.keys(filter).length === 0) n = store.size();
  else n = matchAll(select(store, filter)).length;
  n = Math.max(0, n - skip);
  return limit ? Math.min(n, Math.abs(limit)) : n;
}

function count(ctx: CommandContext): Document {
  const { cmd } = ctx;
  const store = storeFor(ctx, cmd.count, false);
  return { n: countMatches(store, docOption(cmd, 'query'), intOption(cmd, 'skip'), intOption(cmd, 'limit')) };
}

function distinct(ctx: CommandContext): Document {
  const { cmd } = ctx;
  if (typeof cmd.key !== 'string') throw commandError('TypeMismatch', "Field 'key' must be a string");
  const store = storeFor(ctx, cmd.distinct, false);
  const seen = new Map<string, unknown>();
  const key = cmd.key;
  if (store) {
    for (const doc of runFind(store, docOption(cmd, 'query'), {})) {
      const raw = key.split('.').reduce<unknown>((v, p) => (v && typeof v === 'object' ? (v as Document)[p] : undefined), doc);
      for (const v of Array.isArray(raw) ? raw : [raw]) {
        if (v !== undefined) seen.set(valueKey(v), v);
      }
    }
  }
  return { values: [...seen.values()] };
}

/** Pipeline stages that never modify their input documents. */
const READ_ONLY_STAGES = new Set(['$match', '$sort', '$skip', '$limit', '$count', '$group', '$sortByCount']);

/** Runs an aggregate command's pipeline against its collection (or `$documents` for `aggregate: 1`). */
export function aggregateDocs(ctx: CommandContext, pipeline: Document[]): Document[] {
  const { cmd } = ctx;
  let source: Document[] = [];
  let stages = pipeline;
  if (cmd.aggregate !== 1) {
    const store = storeFor(ctx, cmd.aggregate, false);
    const first = pipeline[0];
    if (store && first && first.$match && typeof first.$match === 'object') {
      source = matchAll(select(store, first.$match as Document));
      stages = pipeline.slice(1);
    } else if (store) {
      source = [...store.scan()];
    }
  }
  for (const stage of stages) {
    if ('$out' in stage || '$merge' in stage) throw commandError('IllegalOperation', '$out and $merge are not supported by this server');
  }
  if (stages.length === 0) return source;
  // mingo edits nested values in place for stages like $addFields; stored documents must not change.
  const readOnly = stages.every((s) => READ_ONLY_STAGES.has(Object.keys(s)[0] ?? ''));
  if (!readOnly) source = source.map(cloneDoc);
  const resolver = (name: string): Document[] => {
    const s = storeFor(ctx, name, false);
    return s ? [...s.scan()].map(cloneDoc) : [];
  };
  try {
    const collation = docOption(cmd, 'collation') as CollationSpec | undefined;
    const options = { ...mingoOptions, collectionResolver: resolver, ...(collation ? { collation } : {}) };
    return new Aggregator(stages, options).run<Document>(source);
  } catch (err) {
    if (err instanceof CommandError) throw err;
    throw new CommandError(40324, 'Location40324', `Invalid pipeline: ${(err as Error).message}`);
  }
}

function aggregate(ctx: CommandContext): Document {
  const { cmd } = ctx;
  if (!Array.isArray(cmd.pipeline)) throw commandError('TypeMismatch', "'pipeline' option must be specified as an array");
  const pipeline = cmd.pipeline as Document[];
  const cursorOpt = docOption(cmd, 'cursor');
  if (!cursorOpt && cmd.explain !== true) {
    throw commandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const ns = cmd.aggregate === 1 ? `${ctx.db}.$cmd.aggregate` : `${ctx.db}.${String(cmd.aggregate)}`;
  const docs = aggregateDocs(ctx, pipeline);
  return { cursor: ctx.state.cursors.first(ns, docs, intOption(cursorOpt ?? {}, 'batchSize'), false) };
}

/** Read commands: find, getMore, killCursors, count, distinct, aggregate. */
export const readCommands: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  count,
  distinct,
  aggregate,
};

