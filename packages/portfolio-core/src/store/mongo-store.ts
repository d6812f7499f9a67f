import escapeStringRegexp from 'escape-string-regexp';
import type { Collection, CollationOptions, Db, Filter, FindCursor, MongoClient, ObjectId } from 'mongodb';
import type { SearchCriteria, SearchResult } from '../portfolio/types.js';
import { createMongoBulkInsert } from './bulk/mongo-bulk-insert.js';
import { applyDriverHooks, DEFAULT_DATABASE_NAME } from './mongo-client.js';
import { portfolioJsonFromBson } from './portfolio-bson-json.js';
import {
  NAME_COLLATION,
  PORTFOLIO_COLLECTION,
  toDocument,
  toObjectId,
  toPortfolio,
  type PortfolioDocument,
} from './portfolio-document.js';
import type { PortfolioChanges, PortfolioJsonBatches, PortfolioStore, VersionedDeleteResult, VersionedUpdateResult } from './portfolio-store.js';

/**
 * Indexes the store creates: what each one serves is in its name. Exact-name search (sorted newest
 * first) and the existing-name check use the first, built with {@link NAME_COLLATION} and queried
 * with it; listing, `name_like` (a case-insensitive regex, which no collated index can evaluate)
 * and the unfiltered search walk the second in sort order.
 */
export const PORTFOLIO_INDEXES = [
  { key: { name: 1, dateCreated: -1, _id: -1 }, name: 'name_1_dateCreated_-1__id_-1', collation: NAME_COLLATION },
  { key: { dateCreated: -1, _id: -1 }, name: 'dateCreated_-1__id_-1' },
] as const;

/** Options of {@link createMongoPortfolioStore}. */
export interface MongoPortfolioStoreOptions {
  /** A driver client (connected or not); the caller owns and closes it. */
  readonly client: MongoClient;
  /** Database name (default `portfolio_db`). */
  readonly databaseName?: string;
  /**
   * How bulk inserts stay all-or-nothing: `auto` (default) uses a transaction when the deployment
   * is a replica set or sharded cluster, else compensation (ordered insert, delete on failure).
   */
  readonly bulkStrategy?: 'auto' | 'transaction' | 'compensation';
  /**
   * Bound on settling a failed bulk insert: attempts of the compensating delete, and of re-sending
   * an unanswered commit before the batch's ids are checked (default 5).
   */
  readonly settleAttempts?: number;
  /** First backoff delay between those attempts, ms; each further delay doubles it (default 100). */
  readonly settleDelayMs?: number;
}

/** The MongoDB {@link PortfolioStore}, plus index management and query-plan inspection. */
export interface MongoPortfolioStore extends PortfolioStore {
  /** The underlying collection. */
  readonly collection: Collection<PortfolioDocument>;
  /** {@link PortfolioStore.streamAllJson}: each batch rendered from the documents' raw BSON. */
  streamAllJson(options: { readonly batchSize: number }): PortfolioJsonBatches;
  /** Creates the indexes of {@link PORTFOLIO_INDEXES} (idempotent; nothing else); returns their names. */
  ensureIndexes(): Promise<string[]>;
  /** Returns the server's query plan (`queryPlanner` verbosity) of the search for `criteria`. */
  explainSearch(criteria: SearchCriteria): Promise<Record<string, unknown>>;
  /** Returns the server's query plan (`queryPlanner` verbosity) of the existing-name check for `names`. */
  explainExistingNames(names: readonly string[]): Promise<Record<string, unknown>>;
}

const SORT_NEWEST = { dateCreated: -1, _id: -1 } as const;

/**
 * Batches of a cursor, each the documents it holds after one fetch, mapped by `render`; the cursor
 * closes once it is exhausted or `close` is called. The sort of a full listing is served by the
 * dateCreated_-1__id_-1 index: the server streams, it does not sort.
 */
function cursorBatches<D, T>(cursor: FindCursor<D>, render: (docs: D[]) => T): { next(): Promise<T | undefined>; close(): Promise<void> } {
  let done = false;
  const close = async (): Promise<void> => {
    done = true;
    await cursor.close();
  };
  return {
    async next() {
      if (done) return undefined;
      // hasNext() fetches the next batch (find, then getMore) only when the buffer is empty.
      if (cursor.bufferedCount() === 0 && !(await cursor.hasNext())) {
        await close();
        return undefined;
      }
      return render(cursor.readBufferedDocuments());
    },
    close,
  };
}

/** A search as MongoDB runs it: the filter and, for exact names, the name index's collation. */
export interface MongoSearchQuery {
  readonly filter: Filter<PortfolioDocument>;
  readonly collation?: CollationOptions;
}

/**
 * The filter (and collation) the store sends for a search: an exact name is matched under
 * {@link NAME_COLLATION}; `nameLike` is a case-insensitive regex of the escaped, trimmed text.
 */
export function portfolioSearchQuery(criteria: Pick<SearchCriteria, 'name' | 'nameLike'>): MongoSearchQuery {
  if (criteria.name !== undefined) return { filter: { name: criteria.name.trim() }, collation: NAME_COLLATION };
  if (criteria.nameLike !== undefined) {
    return { filter: { name: { $regex: escapeStringRegexp(criteria.nameLike.trim()), $options: 'i' } } };
  }
  return { filter: {} };
}

/** The distinct command of the existing-name check: the stored names equal to any of `names` under the collation. */
function existingNamesCommand(names: readonly string[]): { distinct: string; key: string; query: object; collation: CollationOptions } {
  const keys = [...new Set(names.map((name) => name.trim()))];
  return { distinct: PORTFOLIO_COLLECTION, key: 'name', query: { name: { $in: keys } }, collation: NAME_COLLATION };
}

/** Creates the MongoDB store on the `portfolio` collection of the given database. */
export function createMongoPortfolioStore(options: MongoPortfolioStoreOptions): MongoPortfolioStore {
  const { client } = options;
  // A client made with `new MongoClient` directly gets the driver fixes too, before its first operation.
  applyDriverHooks();
  const db: Db = client.db(options.databaseName ?? DEFAULT_DATABASE_NAME);
  const collection = db.collection<PortfolioDocument>(PORTFOLIO_COLLECTION);
  const bulk = createMongoBulkInsert({
    client,
    db,
    collection,
    strategy: options.bulkStrategy ?? 'auto',
    bounds: { attempts: options.settleAttempts ?? 5, delayMs: options.settleDelayMs ?? 100 },
  });
  // Compares names the way NAME_COLLATION does (strength 2 = case-insensitive, accent-sensitive).
  const sameName = new Intl.Collator(NAME_COLLATION.locale, { sensitivity: 'accent', usage: 'search' });
  // The driver's monitor checks each server every heartbeat interval: the servers whose last check failed.
  const lost = new Set<string>();
  const known = new Set<string>();
  client.on('serverHeartbeatFailed', (event) => {
    known.add(event.connectionId);
    lost.add(event.connectionId);
  });
  client.on('serverHeartbeatSucceeded', (event) => {
    known.add(event.connectionId);
    lost.delete(event.connectionId);
  });

  /** After a versioned write matched nothing: is the id gone, or is its version another? */
  async function missingOrConflict(_id: ObjectId): Promise<{ status: 'not-found' } | { status: 'conflict'; actualVersion: number }> {
    const current = await collection.findOne({ _id }, { projection: { version: 1 } });
    return current === null ? { status: 'not-found' } : { status: 'conflict', actualVersion: current.version };
  }

  function findSearch(criteria: SearchCriteria) {
    const { filter, collation } = portfolioSearchQuery(criteria);
    return collection
      .find(filter, collation ? { collation } : {})
      .sort(SORT_NEWEST)
      .skip(criteria.offset)
      .limit(criteria.limit);
  }

  return {
    collection,

    async ensureIndexes() {
      return collection.createIndexes(PORTFOLIO_INDEXES.map((index) => ({ ...index, key: { ...index.key } })));
    },

    async explainSearch(criteria) {
      return findSearch(criteria).explain('queryPlanner');
    },

    async explainExistingNames(names) {
      return db.command({ explain: existingNamesCommand(names), verbosity: 'queryPlanner' });
    },

    async findById(id) {
      const _id = toObjectId(id);
      if (_id === undefined) return null;
      const doc = await collection.findOne({ _id });
      return doc === null ? null : toPortfolio(doc);
    },

    async findAll() {
      const docs = await collection.find({}).sort(SORT_NEWEST).toArray();
      return docs.map(toPortfolio);
    },

    streamAll({ batchSize }) {
      return cursorBatches(collection.find({}, { batchSize }).sort(SORT_NEWEST), (docs) => docs.map(toPortfolio));
    },

    streamAllJson({ batchSize }) {
      // raw: each document arrives as its BSON bytes, rendered to JSON without a document object.
      const cursor = collection.find({}, { batchSize, raw: true }).sort(SORT_NEWEST) as unknown as FindCursor<Uint8Array>;
      return cursorBatches(cursor, (docs) => {
        let json = '';
        for (let i = 0; i < docs.length; i++) json += i === 0 ? portfolioJsonFromBson(docs[i]!) : `,${portfolioJsonFromBson(docs[i]!)}`;
        return json;
      });
    },

    async insertOne(portfolio) {
      const doc = toDocument(portfolio);
      await collection.insertOne(doc);
      return toPortfolio(doc);
    },

    insertMany: (portfolios, insertOptions) => bulk.insertMany(portfolios, insertOptions),

    async updateVersioned(id, expectedVersion, changes: PortfolioChanges): Promise<VersionedUpdateResult> {
      const _id = toObjectId(id);
      if (_id === undefined) return { status: 'not-found' };
      const set: Partial<PortfolioDocument> = { name: changes.name };
      if (changes.dateCreated !== undefined) set.dateCreated = changes.dateCreated;
      const updated = await collection.findOneAndUpdate(
        { _id, version: expectedVersion },
        { $set: set, $inc: { version: 1 } },
        { returnDocument: 'after' },
      );
      if (updated !== null) return { status: 'updated', portfolio: toPortfolio(updated) };
      return missingOrConflict(_id);
    },

    async deleteVersioned(id, expectedVersion): Promise<VersionedDeleteResult> {
      const _id = toObjectId(id);
      if (_id === undefined) return { status: 'not-found' };
      const result = await collection.deleteOne({ _id, version: expectedVersion });
      if (result.deletedCount === 1) return { status: 'deleted' };
      return missingOrConflict(_id);
    },

    async search(criteria): Promise<SearchResult> {
      const { filter, collation } = portfolioSearchQuery(criteria);
      const [docs, total] = await Promise.all([
        findSearch(criteria).toArray(),
        collection.countDocuments(filter, collation ? { collation } : {}),
      ]);
      return { items: docs.map(toPortfolio), total };
    },

    async findExistingNames(names) {
      // distinct is one command with no cursor to open or close; under the name index's collation
      // the index serves the $in.
      const { query, collation } = existingNamesCommand(names);
      const existing = (await collection.distinct('name', query, { collation })).filter((name) => typeof name === 'string');
      return names.filter((name) => existing.some((stored) => sameName.compare(stored, name.trim()) === 0));
    },

    async ping() {
      await db.command({ ping: 1 });
    },

    isReachable: () => lost.size === 0 || lost.size < known.size,

    bulkStrategy: () => bulk.bulkStrategy(),
  };
}
