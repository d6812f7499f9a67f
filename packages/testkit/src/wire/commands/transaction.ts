import type { Document } from 'bson';
import type { CommandContext, CommandHandler } from '../context.js';
import { commandError } from '../errors.js';

function commitTransaction(ctx: CommandContext): Document {
  const txn = ctx.txn;
  if (!txn) throw commandError('InvalidOptions', 'commitTransaction must be run within a transaction');
  if (txn.state === 'active') txn.commit();
  return {};
}

function abortTransaction(ctx: CommandContext): Document {
  const txn = ctx.txn;
  if (!txn) throw commandError('InvalidOptions', 'abortTransaction must be run within a transaction');
  if (txn.state === 'committed') throw commandError('TransactionCommitted', 'Transaction has been committed.');
  txn.abort();
  return {};
}

/** commitTransaction and abortTransaction (sent to `admin` with the session's lsid and txnNumber). */
export const transactionCommands: Record<string, CommandHandler> = { commitTransaction, abortTransaction };
