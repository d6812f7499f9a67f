import type { Document } from 'bson';
import { adminCommands } from './commands/admin.js';
import { explainAggregateCommand, explainCommands } from './commands/explain.js';
import { readCommands } from './commands/read.js';
import { serverInfoCommands } from './commands/server-info.js';
import { transactionCommands } from './commands/transaction.js';
import { writeCommands } from './commands/write.js';
import { applyCollation } from './collation.js';
import type { CommandContext, CommandHandler, ServerState } from './context.js';
import { CommandError, commandError } from './errors.js';

const handlers = new Map<string, CommandHandler>(
  Object.entries({ ...serverInfoCommands, ...readCommands, ...explainCommands, ...writeCommands, ...adminCommands, ...transactionCommands }),
);

/** Commands allowed inside a multi-document transaction (as on mongod). */
const IN_TRANSACTION = new Set([
  'find', 'getMore', 'killCursors', 'count', 'distinct', 'aggregate', 'insert', 'update', 'delete',
  'findAndModify', 'findandmodify', 'commitTransaction', 'abortTransaction', 'createIndexes', 'create',
]);

/** Writes the driver retries with the same txnNumber after a network error. */
const RETRYABLE_WRITES = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);

/** Per-connection inputs to dispatch. */
export interface ConnectionInfo {
  connectionId: number;
  clientCompressors: string[] | undefined;
  negotiate(compressor: string | undefined): void;
}

/**
 * Runs one command and returns its reply. Never throws: failures become `{ok: 0, ...}` replies,
 * unknown commands answer CommandNotFound (59).
 */
export function dispatch(state: ServerState, cmd: Document, conn: ConnectionInfo): Document {
  let name = '';
  for (const k in cmd) {
    name = k;
    break;
  }
  let txn;
  try {
    const handler = name === 'aggregate' && cmd.explain === true ? explainAggregateCommand : handlers.get(name);
    if (!handler) throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
    const db: unknown = cmd.$db;
    if (typeof db !== 'string' || db.length === 0) throw commandError('InvalidNamespace', "a command needs a '$db' field");
    if (cmd.txnNumber !== undefined && state.topology === 'standalone') {
      throw commandError('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    txn = state.transactions.resolve(cmd, name);
    if (txn && !IN_TRANSACTION.has(name)) {
      throw new CommandError(50791, 'OperationNotSupportedInTransaction', `Cannot run '${name}' in a multi-document transaction.`);
    }
    const ctx: CommandContext = {
      state,
      db,
      cmd,
      txn,
      connectionId: conn.connectionId,
      clientCompressors: conn.clientCompressors,
      negotiate: (c) => conn.negotiate(c),
    };
    const retryable = !txn && cmd.txnNumber !== undefined && RETRYABLE_WRITES.has(name);
    if (retryable) {
      const earlier = state.transactions.retriedWrite(cmd);
      if (earlier) return earlier;
    }
    if (cmd.collation !== undefined || name === 'update' || name === 'delete') applyCollation(cmd);
    const reply = handler(ctx);
    if (retryable) state.transactions.recordWrite(cmd, reply);
    if (txn && reply.writeErrors !== undefined) txn.abort();
    if (reply.ok === undefined) reply.ok = 1;
    return reply;
  } catch (err) {
    if (txn && name !== 'commitTransaction') txn.abort();
    if (err instanceof CommandError) return err.toReply();
    return { ok: 0, errmsg: err instanceof Error ? err.message : String(err), code: 1, codeName: 'InternalError' };
  }
}
