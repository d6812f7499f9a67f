import type { ClientSession, Collection, MongoClient } from 'mongodb';
import { hasErrorCode, hasErrorLabel } from '../../resilience/transient.js';
import type { PortfolioDocument } from '../portfolio-document.js';
import { abortable, withSettleBackoff, type SettleBounds } from './settle.js';

/** MongoDB's WriteConflict: another transaction holds one of the documents (it retries cleanly). */
const WRITE_CONFLICT = 112;

/** What a transactional insert works with. */
export interface TransactionTarget {
  readonly client: MongoClient;
  readonly collection: Collection<PortfolioDocument>;
  readonly bounds: SettleBounds;
}

async function countStored(target: TransactionTarget, docs: readonly PortfolioDocument[]): Promise<number> {
  return target.collection.countDocuments({ _id: { $in: docs.map((d) => d._id) } });
}

/**
 * Commits; when the reply is lost, re-sends the commit (idempotent per transaction) with backoff,
 * then checks the batch's ids. Resolves when the batch is stored, rejects when it is not.
 */
async function commitSettled(target: TransactionTarget, session: ClientSession, docs: readonly PortfolioDocument[]): Promise<void> {
  try {
    await withSettleBackoff(target.bounds, () => session.commitTransaction(), (error) => hasErrorLabel(error, 'UnknownTransactionCommitResult'));
  } catch (error) {
    if ((await countStored(target, docs).catch(() => -1)) === docs.length) return;
    throw error;
  }
}

/** Runs the transaction once; resolves only when the batch is committed. */
async function transactionOnce(
  target: TransactionTarget,
  docs: PortfolioDocument[],
  signal: AbortSignal | undefined,
  retry: boolean,
): Promise<void> {
  const session: ClientSession = target.client.startSession();
  let inserted: Promise<unknown> = Promise.resolve();
  try {
    session.startTransaction();
    inserted = target.collection.insertMany(docs, { session, ordered: true });
    // Before the commit is sent the caller may give up: reject at once, roll back behind its back.
    await abortable(inserted, signal);
    signal?.throwIfAborted();
  } catch (error) {
    const rollback = (async () => {
      // The insert still in flight must settle first, or it would run after the abort.
      await inserted.catch(() => undefined);
      if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
      await session.endSession();
    })();
    if (signal?.aborted === true) {
      rollback.catch(() => undefined);
      throw error;
    }
    await rollback;
    // A retried batch collides with its own earlier attempt: committed after all, or still rolling back.
    if (retry && (await countStored(target, docs).catch(() => -1)) === docs.length) return;
    throw error;
  }
  // The commit is sent: from here on only the server's answer counts, not the caller's signal.
  try {
    await commitSettled(target, session, docs);
  } finally {
    await session.endSession();
  }
}

/**
 * The replica-set strategy: one multi-document transaction. `retry` says the documents' ids are
 * those of an earlier attempt of the same batch, which may have committed after its caller
 * stopped waiting: then the stored batch is the answer, never a second copy.
 */
export async function insertInTransaction(
  target: TransactionTarget,
  docs: PortfolioDocument[],
  signal: AbortSignal | undefined,
  retry: boolean,
): Promise<void> {
  if (retry && (await abortable(countStored(target, docs), signal)) === docs.length) return;
  // Another attempt of the same batch still holds its ids (WriteConflict): wait for it, then retry.
  await withSettleBackoff(
    target.bounds,
    () => transactionOnce(target, docs, signal, retry),
    (error) => hasErrorCode(error, WRITE_CONFLICT) && signal?.aborted !== true,
  );
}
