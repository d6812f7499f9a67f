import type { Collection, Document } from 'mongodb';
import { hasErrorCode } from '../resilience/transient.js';

/** The index earlier versions of this library kept on their derived `nameLower` field. */
export const LEGACY_NAME_LOWER_INDEX = 'nameLower_1_dateCreated_-1__id_-1';

/** MongoDB's IndexNotFound. */
const INDEX_NOT_FOUND = 27;

/** What {@link dropLegacyNameLower} did. */
export interface DropLegacyNameLowerResult {
  /** Documents whose `nameLower` field was removed. */
  readonly documentsUpdated: number;
  /** Whether the legacy index existed and was dropped. */
  readonly indexDropped: boolean;
}

/**
 * Removes what earlier versions of this library added to the shared collection: the `nameLower`
 * field of every document and its index. A one-off, explicit step for an operator (never run at
 * start-up); idempotent, and harmless to skip, since the store neither reads nor returns the field.
 * @param collection the `portfolio` collection
 */
export async function dropLegacyNameLower(collection: Collection<Document>): Promise<DropLegacyNameLowerResult> {
  const updated = await collection.updateMany({ nameLower: { $exists: true } }, { $unset: { nameLower: '' } });
  let indexDropped = true;
  try {
    await collection.dropIndex(LEGACY_NAME_LOWER_INDEX);
  } catch (error) {
    // A collection that does not exist yet has no index either (NamespaceNotFound, 26).
    if (!hasErrorCode(error, INDEX_NOT_FOUND) && !hasErrorCode(error, 26)) throw error;
    indexDropped = false;
  }
  return { documentsUpdated: updated.modifiedCount, indexDropped };
}
