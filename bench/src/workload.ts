import {
  DEFAULT_DATABASE_NAME,
  PORTFOLIO_COLLECTION,
  createMongoClient,
  portfolioSearchQuery,
  type CompressorName,
  type PortfolioDocument,
  type MongoSearchQuery,
} from '@globeco/portfolio-core';
import { ObjectId, type Filter, type MongoClient } from 'mongodb';

/** Database every variant uses (the service's default). */
export const BENCH_DATABASE = DEFAULT_DATABASE_NAME;

/** Collection every variant uses (the service's). */
export const BENCH_COLLECTION = PORTFOLIO_COLLECTION;

/** Pool settings of the service's production profile, given to every variant alike. */
export const PRODUCTION_POOL = { minPoolSize: 5, maxPoolSize: 20 } as const;

/** Sort of the service's search (newest first). */
export const SORT_NEWEST = { dateCreated: -1, _id: -1 } as const;

/** Page size of the search scenario. */
export const SEARCH_LIMIT = 50;

/** Name prefix of portfolios created by measured create/bulk slots, removed after each slot. */
export const CREATED_PREFIX = 'Bench Created';

const WORDS = ['Growth', 'Value', 'Income', 'Balanced', 'Index', 'Global', 'Tech', 'Bond'];

/** Name of the i-th seeded portfolio, e.g. `Value Fund 4241`. */
export function seedName(i: number): string {
  return `${WORDS[i % WORDS.length]!} Fund ${i}`;
}

/** Seeded documents `from` … `to - 1` in the shape the service's store writes. */
export function seedDocuments(from: number, to: number, now = Date.now()): PortfolioDocument[] {
  const docs: PortfolioDocument[] = [];
  for (let i = from; i < to; i++) {
    const name = seedName(i);
    docs.push({ _id: new ObjectId(), name, dateCreated: new Date(now - i * 1000), version: 1 });
  }
  return docs;
}

/** The filter the service's store sends for `name_like` (escaped substring, case-insensitive). */
export function nameLikeFilter(term: string): Filter<PortfolioDocument> {
  return nameLikeQuery(term).filter;
}

/** The query the service's store sends for `name_like` (no collation: a regex cannot use the collated index). */
export function nameLikeQuery(term: string): MongoSearchQuery {
  return portfolioSearchQuery({ nameLike: term });
}

/** The filter and collation the service's store sends for an exact, case-insensitive `name`. */
export function nameQuery(name: string): MongoSearchQuery {
  return portfolioSearchQuery({ name });
}

/** A driver client with exactly the service's production driver options (and `compressors` instead of its default ones when given). */
export function createBenchClient(uri: string, compressors?: readonly CompressorName[]): MongoClient {
  return createMongoClient({ uri, ...PRODUCTION_POOL, writeConcern: { w: 1, journal: false }, appName: 'globeco-bench', ...(compressors === undefined ? {} : { compressors }) });
}

/** Portfolio as the API returns it. */
export function toJson(doc: PortfolioDocument): { portfolioId: string; name: string; dateCreated: string; version: number } {
  return { portfolioId: doc._id.toHexString(), name: doc.name, dateCreated: doc.dateCreated.toISOString(), version: doc.version };
}

/** A generator of unique portfolio names for create slots. */
export function createNameSource(tag: string): () => string {
  let n = 0;
  // Names allow letters, digits, spaces, hyphens and underscores only.
  const safe = tag.replace(/[^A-Za-z0-9 _-]/g, '_');
  return () => `${CREATED_PREFIX} ${safe} ${n++}`;
}
