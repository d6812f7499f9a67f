import { ObjectId, type ClientSession, type Collection, type Db, type Filter, type MongoClient } from 'mongodb';
import { OBJECT_ID_PATTERN, normalizeName } from '../portfolio/rules.js';
import type { NewPortfolio, Portfolio, SearchCriteria, SearchResult } from '../portfolio/types.js';
import { escapeRegex } from './escape-regex.js';
import { DEFAULT_DATABASE_NAME } from './mongo-client.js';
import type {
  BulkStrategy,
  PortfolioChanges,
  PortfolioStore,
  VersionedDeleteResult,
  VersionedUpdateResult,
} from './portfolio-store.js';

/** Name of the collection holding portfolios. */
export const PORTFOLIO_COLLECTION = 'portfolio';

/** A portfolio as stored in MongoDB; `nameLower` backs case-insensitive lookups with an index. */
export interface PortfolioDocument {
  /** The id. */
  _id: ObjectId;
  /** The trimmed name. */
  name: string;
  /** Lower-cased name, kept in step with `name` by every write of this store. */
  nameLower: string;
  /** Creation instant. */
  dateCreated: Date;
  /** Optimistic-concurrency version. */
  version: number;
}

/** Indexes the store creates: what each one serves is in its name. */
export const PORTFOLIO_INDEXES = [
  { key: { name: 'text' }, name: 'name_text' },
  { key: { name: 1, dateCreated: -1 }, name: 'name_1_dateCreated_-1' },
  { key: { nameLower: 1, dateCreated: -1, _id: -1 }, name: 'nameLower_1_dateCreated_-1__id_-1' },
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
}

/** The MongoDB {@link PortfolioStore}, plus index management and query-plan inspection. */
export interface MongoPortfolioStore extends PortfolioStore {
  /** The underlying collection. */
  readonly collection: Collection<PortfolioDocument>;
  /** Creates the indexes of {@link PORTFOLIO_INDEXES} (idempotent); returns their names. */
  ensureIndexes(): Promise<string[]>;
  /** Returns the server's query plan (`queryPlanner` verbosity) of the search for `criteria`. */
  explainSearch(criteria: SearchCriteria): Promise<Record<string, unknown>>;
}

const SORT_NEWEST = { dateCreated: -1, _id: -1 } as const;

function hasErrorLabel(error: unknown, label: string): boolean {
  const labelled = error as { hasErrorLabel?: (name: string) => boolean } | null;
  return typeof labelled?.hasErrorLabel === 'function' && labelled.hasErrorLabel(label);
}

function toPortfolio(doc: PortfolioDocument): Portfolio {
  return { portfolioId: doc._id.toHexString(), name: doc.name, dateCreated: doc.dateCreated, version: doc.version };
}

function toObjectId(id: string): ObjectId | undefined {
  return OBJECT_ID_PATTERN.test(id) ? ObjectId.createFromHexString(id.toLowerCase()) : undefined;
}

function searchFilter(criteria: SearchCriteria): Filter<PortfolioDocument> {
  if (criteria.name !== undefined) return { nameLower: normalizeName(criteria.name) };
  if (criteria.nameLike !== undefined) return { nameLower: { $regex: escapeRegex(normalizeName(criteria.nameLike)) } };
  return {};
}

function toDocument(p: NewPortfolio): PortfolioDocument {
  return { _id: new ObjectId(), name: p.name, nameLower: p.name.toLowerCase(), dateCreated: p.dateCreated, version: p.version };
}

/** Creates the MongoDB store on the `portfolio` collection of the given database. */
export function createMongoPortfolioStore(options: MongoPortfolioStoreOptions): MongoPortfolioStore {
  const { client } = options;
  const db: Db = client.db(options.databaseName ?? DEFAULT_DATABASE_NAME);
  const collection = db.collection<PortfolioDocument>(PORTFOLIO_COLLECTION);
  let strategy: Promise<BulkStrategy> | undefined;

  function bulkStrategy(): Promise<BulkStrategy> {
    if (options.bulkStrategy === 'transaction' || options.bulkStrategy === 'compensation') {
      return Promise.resolve(options.bulkStrategy);
    }
    strategy ??= db
      .admin()
      .command({ hello: 1 })
      .then((hello): BulkStrategy =>
        typeof hello.setName === 'string' || hello.msg === 'isdbgrid' ? 'transaction' : 'compensation',
      )
      .catch((error: unknown) => {
        strategy = undefined;
        throw error;
      });
    return strategy;
  }

  async function insertInTransaction(docs: PortfolioDocument[], signal: AbortSignal | undefined): Promise<void> {
    const session: ClientSession = client.startSession();
    try {
      session.startTransaction();
      await collection.insertMany(docs, { session, ordered: true });
      // The caller gave up while the insert was in flight: roll back instead of committing late.
      signal?.throwIfAborted();
      await session.commitTransaction();
    } catch (error) {
      if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
      // The commit may have landed although its reply was lost: count our ids before failing,
      // so a retry never inserts the batch twice.
      if (hasErrorLabel(error, 'UnknownTransactionCommitResult')) {
        const stored = await collection.countDocuments({ _id: { $in: docs.map((d) => d._id) } }).catch(() => -1);
        if (stored === docs.length) return;
      }
      throw error;
    } finally {
      await session.endSession();
    }
  }

  async function insertWithCompensation(docs: PortfolioDocument[], signal: AbortSignal | undefined): Promise<void> {
    try {
      await collection.insertMany(docs, { ordered: true });
      signal?.throwIfAborted();
    } catch (error) {
      // Delete by the ids we generated: whatever part of the batch reached the server goes.
      await collection.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
      throw error;
    }
  }

  return {
    collection,

    async ensureIndexes() {
      return collection.createIndexes(PORTFOLIO_INDEXES.map((index) => ({ key: { ...index.key }, name: index.name })));
    },

    async explainSearch(criteria) {
      return (await collection
        .find(searchFilter(criteria))
        .sort(SORT_NEWEST)
        .skip(criteria.offset)
        .limit(criteria.limit)
        .explain('queryPlanner'));
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

    async insertOne(portfolio) {
      const doc = toDocument(portfolio);
      await collection.insertOne(doc);
      return toPortfolio(doc);
    },

    async insertMany(portfolios, insertOptions = {}) {
      const docs = portfolios.map(toDocument);
      const { signal } = insertOptions;
      if ((await bulkStrategy()) === 'transaction') await insertInTransaction(docs, signal);
      else await insertWithCompensation(docs, signal);
      return docs.map(toPortfolio);
    },

    async updateVersioned(id, expectedVersion, changes: PortfolioChanges): Promise<VersionedUpdateResult> {
      const _id = toObjectId(id);
      if (_id === undefined) return { status: 'not-found' };
      const set: Partial<PortfolioDocument> = { name: changes.name, nameLower: changes.name.toLowerCase() };
      if (changes.dateCreated !== undefined) set.dateCreated = changes.dateCreated;
      const updated = await collection.findOneAndUpdate(
        { _id, version: expectedVersion },
        { $set: set, $inc: { version: 1 } },
        { returnDocument: 'after' },
      );
      if (updated !== null) return { status: 'updated', portfolio: toPortfolio(updated) };
      const current = await collection.findOne({ _id }, { projection: { version: 1 } });
      return current === null ? { status: 'not-found' } : { status: 'conflict', actualVersion: current.version };
    },

    async deleteVersioned(id, expectedVersion): Promise<VersionedDeleteResult> {
      const _id = toObjectId(id);
      if (_id === undefined) return { status: 'not-found' };
      const result = await collection.deleteOne({ _id, version: expectedVersion });
      if (result.deletedCount === 1) return { status: 'deleted' };
      const current = await collection.findOne({ _id }, { projection: { version: 1 } });
      return current === null ? { status: 'not-found' } : { status: 'conflict', actualVersion: current.version };
    },

    async search(criteria): Promise<SearchResult> {
      const filter = searchFilter(criteria);
      const [docs, total] = await Promise.all([
        collection.find(filter).sort(SORT_NEWEST).skip(criteria.offset).limit(criteria.limit).toArray(),
        collection.countDocuments(filter),
      ]);
      return { items: docs.map(toPortfolio), total };
    },

    async findExistingNames(names) {
      const keys = [...new Set(names.map(normalizeName))];
      const docs = await collection
        .find({ nameLower: { $in: keys } }, { projection: { _id: 0, nameLower: 1 } })
        .toArray();
      const existing = new Set(docs.map((d) => d.nameLower));
      return names.filter((name) => existing.has(normalizeName(name)));
    },

    async ping() {
      await db.command({ ping: 1 });
    },

    bulkStrategy,
  };
}
