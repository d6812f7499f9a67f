import { ObjectId } from 'mongodb';
import { OBJECT_ID_PATTERN } from '../portfolio/rules.js';
import type { NewPortfolio, Portfolio } from '../portfolio/types.js';

/** Name of the collection holding portfolios. */
export const PORTFOLIO_COLLECTION = 'portfolio';

/**
 * The collation under which two names are the same name: English, strength 2 (case-insensitive,
 * accent-sensitive). The name index is built with it, and exact search and the existing-name check
 * query with it, so MongoDB serves both from that index.
 */
export const NAME_COLLATION = { locale: 'en', strength: 2 } as const;

/**
 * A portfolio as stored in MongoDB: exactly the original service's four fields, so documents other
 * programs write are read the same way. Fields of earlier versions of this library (`nameLower`)
 * are never read or returned.
 */
export interface PortfolioDocument {
  /** The id. */
  _id: ObjectId;
  /** The trimmed name. */
  name: string;
  /** Creation instant. */
  dateCreated: Date;
  /** Optimistic-concurrency version. */
  version: number;
}

/** The domain view of a stored document: its four fields, whatever else the document holds. */
export function toPortfolio(doc: PortfolioDocument): Portfolio {
  return { portfolioId: doc._id.toHexString(), name: doc.name, dateCreated: doc.dateCreated, version: doc.version };
}

/** The document for a new portfolio, under `id` (hex) when given, else a fresh id. */
export function toDocument(p: NewPortfolio, id?: string): PortfolioDocument {
  const _id = id === undefined ? new ObjectId() : ObjectId.createFromHexString(id.toLowerCase());
  return { _id, name: p.name, dateCreated: p.dateCreated, version: p.version };
}

/** The ObjectId of a hex id, or undefined for a malformed one (which finds nothing). */
export function toObjectId(id: string): ObjectId | undefined {
  return OBJECT_ID_PATTERN.test(id) ? ObjectId.createFromHexString(id.toLowerCase()) : undefined;
}

/** Fresh portfolio ids (hex), e.g. generated once per bulk batch so every attempt of it uses the same ones. */
export function newPortfolioIds(count: number): string[] {
  return Array.from({ length: count }, () => new ObjectId().toHexString());
}
