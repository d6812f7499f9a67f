import { sameCollation } from '../collation.js';
import { UUID, type Document } from 'bson';
import { Query } from 'mingo';
import { storeFor, type CommandContext, type CommandHandler } from '../context.js';
import { CommandError, commandError } from '../errors.js';
import { IndexDef } from '../indexes.js';
import { mingoOptions } from '../query.js';

function createIndexes(ctx: CommandContext): Document {
  const { cmd, state } = ctx;
  if (typeof cmd.createIndexes !== 'string') throw commandError('TypeMismatch', 'collection name must be a string');
  if (!Array.isArray(cmd.indexes) || cmd.indexes.length === 0) throw commandError('BadValue', "Must specify at least one index to create");
  const defs = (cmd.indexes as Document[]).map((spec) => new IndexDef(spec));
  const existed = state.catalog.get(ctx.db, cmd.createIndexes) !== undefined;
  const coll = state.catalog.getOrCreate(ctx.db, cmd.createIndexes);
  const before = coll.indexes.length;
  for (const def of defs) {
    const sameName = coll.indexes.find((d) => d.name === def.name);
    if (sameName) {
      if (sameName.sameAs(def)) continue;
      throw new CommandError(86, 'IndexKeySpecsConflict', `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(def.spec)}, existing index: ${JSON.stringify(sameName.spec)}`);
    }
    // Indexes on the same key with different collations are distinct indexes, as in mongod.
    const sameKey = coll.indexes.find((d) => JSON.stringify(d.key) === JSON.stringify(def.key) && sameCollation(d.collation, def.collation));
    if (sameKey) {
      if (sameKey.sameAs(def)) continue;
      throw new CommandError(85, 'IndexOptionsConflict', `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(def.spec)}, existing index: ${JSON.stringify(sameKey.spec)}`);
    }
    if (def.textFields.length > 0 && coll.indexes.some((d) => d.textFields.length > 0)) {
      throw new CommandError(85, 'IndexOptionsConflict', 'An equivalent index already exists with a different name and options; only one text index is allowed per collection');
    }
    coll.addIndex(def);
  }
  const reply: Document = { numIndexesBefore: before, numIndexesAfter: coll.indexes.length, createdCollectionAutomatically: !existed };
  if (before === coll.indexes.length) reply.note = 'all indexes already exist';
  return reply;
}

function listIndexes(ctx: CommandContext): Document {
  const name: unknown = ctx.cmd.listIndexes;
  const coll = typeof name === 'string' ? ctx.state.catalog.get(ctx.db, name) : undefined;
  if (!coll) throw commandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${String(name)}`);
  const batchSize = (ctx.cmd.cursor as Document | undefined)?.batchSize as number | undefined;
  return { cursor: ctx.state.cursors.first(coll.ns, coll.indexes.map((d) => d.spec), batchSize, false) };
}

function dropIndexes(ctx: CommandContext): Document {
  const name: unknown = ctx.cmd.dropIndexes ?? ctx.cmd.deleteIndexes;
  const coll = typeof name === 'string' ? ctx.state.catalog.get(ctx.db, name) : undefined;
  if (!coll) throw commandError('NamespaceNotFound', `ns not found ${ctx.db}.${String(name)}`);
  const before = coll.indexes.length;
  const which: unknown = ctx.cmd.index;
  const names =
    which === '*'
      ? coll.indexes.slice(1).map((d) => d.name)
      : typeof which === 'string'
        ? [which]
        : Array.isArray(which)
          ? (which as string[])
          : coll.indexes.filter((d) => JSON.stringify(d.key) === JSON.stringify(which)).map((d) => d.name);
  for (const n of names) {
    if (n === '_id_') throw commandError('InvalidOptions', 'cannot drop _id index');
    if (!coll.dropIndex(n)) throw commandError('IndexNotFound', `index not found with name [${n}]`);
  }
  return { nIndexesWas: before };
}

function listCollections(ctx: CommandContext): Document {
  const { cmd, state } = ctx;
  let entries: Document[] = state.catalog.list(ctx.db).map((c) => ({
    name: c.name,
    type: 'collection',
    options: {},
    info: { readOnly: false, uuid: new UUID(c.uuid) },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  }));
  if (cmd.filter && typeof cmd.filter === 'object') {
    const q = new Query(cmd.filter as Document, mingoOptions);
    entries = entries.filter((e) => q.test(e));
  }
  if (cmd.nameOnly === true) entries = entries.map((e) => ({ name: e.name as string, type: 'collection' }));
  const batchSize = (cmd.cursor as Document | undefined)?.batchSize as number | undefined;
  return { cursor: state.cursors.first(`${ctx.db}.$cmd.listCollections`, entries, batchSize, false) };
}

function create(ctx: CommandContext): Document {
  const name: unknown = ctx.cmd.create;
  if (typeof name !== 'string' || !name) throw commandError('InvalidNamespace', 'collection name must be a non-empty string');
  if (ctx.state.catalog.get(ctx.db, name)) throw commandError('NamespaceExists', `Collection ${ctx.db}.${name} already exists.`);
  ctx.state.catalog.getOrCreate(ctx.db, name);
  return {};
}

function drop(ctx: CommandContext): Document {
  const name: unknown = ctx.cmd.drop;
  if (ctx.txn) throw commandError('IllegalOperation', 'Cannot run drop in a multi-document transaction.');
  const coll = typeof name === 'string' ? ctx.state.catalog.drop(ctx.db, name) : undefined;
  if (!coll) return { ns: `${ctx.db}.${String(name)}` };
  return { nIndexesWas: coll.indexes.length, ns: coll.ns };
}

function dropDatabase(ctx: CommandContext): Document {
  ctx.state.catalog.dropDatabase(ctx.db);
  return { dropped: ctx.db };
}

function collStats(ctx: CommandContext): Document {
  const store = storeFor(ctx, ctx.cmd.collStats, false);
  return { ns: `${ctx.db}.${String(ctx.cmd.collStats)}`, count: store?.size() ?? 0, size: 0, storageSize: 0, nindexes: store?.collection.indexes.length ?? 0 };
}

/** Index and namespace commands. */
export const adminCommands: Record<string, CommandHandler> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
  listCollections,
  create,
  drop,
  dropDatabase,
  collStats,
};
