import type { Collection } from 'mongodb';
import { BulkCompensationError } from '../../errors.js';
import type { PortfolioDocument } from '../portfolio-document.js';
import { abortable, withSettleBackoff, type SettleBounds } from './settle.js';

/** Deletes the batch by its ids, retrying with backoff within the bound; throws when it cannot confirm. */
async function compensate(
  collection: Collection<PortfolioDocument>,
  bounds: SettleBounds,
  docs: readonly PortfolioDocument[],
  insertError: unknown,
): Promise<void> {
  const ids = docs.map((d) => d._id);
  try {
    await withSettleBackoff(bounds, () => collection.deleteMany({ _id: { $in: ids } }), () => true);
  } catch (deleteError) {
    throw new BulkCompensationError(
      ids.map((id) => id.toHexString()),
      insertError,
      deleteError,
    );
  }
}

/**
 * The standalone strategy: one ordered insert; when it fails (or the caller gives up first), what
 * reached the server is deleted again once the insert has settled. The documents must carry ids
 * of this attempt only: a late attempt's delete must never touch a retry's documents.
 */
export async function insertWithCompensation(
  collection: Collection<PortfolioDocument>,
  bounds: SettleBounds,
  docs: PortfolioDocument[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const inserted = collection.insertMany(docs, { ordered: true });
  try {
    await abortable(inserted, signal);
    signal?.throwIfAborted();
  } catch (error) {
    const undo = inserted.then(
      () => compensate(collection, bounds, docs, error),
      () => compensate(collection, bounds, docs, error),
    );
    if (signal?.aborted === true) {
      undo.catch(() => undefined);
      throw error;
    }
    await undo;
    throw error;
  }
}
