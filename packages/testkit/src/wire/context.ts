import type { Document } from 'bson';
import type { Catalog } from './catalog.js';
import type { DocStore } from './collection.js';
import type { CursorRegistry } from './cursors.js';
import { commandError } from './errors.js';
import type { Transaction, TransactionManager } from './transactions.js';

/** Which kind of mongod the server presents itself as. */
export type Topology = 'standalone' | 'replset';

/** Everything one wire server holds. */
export interface ServerState {
  readonly topology: Topology;
  readonly setName: string;
  readonly catalog: Catalog;
  readonly cursors: CursorRegistry;
  readonly transactions: TransactionManager;
  /** `host:port` as clients reach it. */
  hostAndPort: string;
  /** Compressors offered in hello (a subset of what the client asks for). */
  readonly compressors: string[];
  readonly electionId: Document;
}

/** What a command handler receives. */
export interface CommandContext {
  readonly state: ServerState;
  readonly db: string;
  readonly cmd: Document;
  readonly txn: Transaction | undefined;
  readonly connectionId: number;
  /** Compressors the connection asked for in its handshake. */
  readonly clientCompressors: string[] | undefined;
  /** Called by hello to settle the compressor for the rest of the connection. */
  negotiate(compressor: string | undefined): void;
}

/** A command implementation: returns the reply document (without `ok` when successful is fine). */
export type CommandHandler = (ctx: CommandContext) => Document;

/** The collection named by the command's first field, as seen by the command's transaction. */
export function storeFor(ctx: CommandContext, name: unknown, create: boolean): DocStore | undefined {
  if (typeof name !== 'string' || name.length === 0) {
    throw commandError('InvalidNamespace', 'collection name must be a non-empty string');
  }
  const { catalog } = ctx.state;
  const coll = create ? catalog.getOrCreate(ctx.db, name) : catalog.get(ctx.db, name);
  if (!coll) return undefined;
  return ctx.txn ? ctx.txn.store(coll) : coll;
}

/** Reads an optional non-negative integer option, rejecting anything else with BadValue. */
export function intOption(cmd: Document, field: string): number | undefined {
  const v: unknown = cmd[field];
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw commandError('TypeMismatch', `Field '${field}' should be an integer`);
  return n;
}
