import { ObjectId, type ClientSession, type Collection, type Db, type Document, type Filter, type MongoClient } from 'mongodb';
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
  /**
   * Bound on settling a failed bulk insert: attempts of the compensating delete, and of re-sending
   * an unanswered commit before the batch's ids are checked (default 5).
   */
  readonly settleAttempts?: number;
  /** First backoff delay between those attempts, ms; each further delay doubles it (default 100). */
  readonly settleDelayMs?: number;
  /** Documents updated per round by the `nameLower` backfill of {@link MongoPortfolioStore.ensureIndexes} (default 1000). */
  readonly backfillBatchSize?: number;
}

/** The MongoDB {@link PortfolioStore}, plus index management and query-plan inspection. */
export interface MongoPortfolioStore extends PortfolioStore {
  /** The underlying collection. */
  readonly collection: Collection<PortfolioDocument>;
  /**
   * Creates the indexes of {@link PORTFOLIO_INDEXES} (idempotent), then backfills `nameLower` on
   * documents written without it; returns the index names.
   */
  ensureIndexes(): Promise<string[]>;
  /**
   * Sets `nameLower` on every document with a string `name` and no `nameLower` (documents written by
   * other programs), in bounded batches by ascending `_id`; idempotent.
   * @returns the number of documents updated
   */
  backfillNameLower(): Promise<number>;
  /** Returns the server's query plan (`queryPlanner` verbosity) of the search for `criteria`. */
  explainSearch(criteria: SearchCriteria): Promise<Record<string, unknown>>;
}

const SORT_NEWEST = { dateCreated: -1, _id: -1 } as const;

function hasErrorLabel(error: unknown, label: string): boolean {
  const labelled = error as { hasErrorLabel?: (name: string) => boolean } | null;
  return typeof labelled?.hasErrorLabel === 'function' && labelled.hasErrorLabel(label);
}

/** MongoDB's WriteConflict: another transaction holds one of the documents (it retries cleanly). */
const WRITE_CONFLICT = 112;

function hasCode(error: unknown, code: number): boolean {
  return (error as { code?: unknown } | null)?.code === code;
}

/**
 * A compensating delete of a failed standalone bulk insert kept failing within its bound: the listed
 * documents of the rejected batch may still be stored (`cause` is the insert's own failure).
 */
export class BulkCompensationError extends Error {
  override readonly name = 'BulkCompensationError';
  /** Hex ids of the batch whose removal could not be confirmed. */
  readonly remainingIds: readonly string[];
  /** The last failure of the compensating delete. */
  readonly deleteError: unknown;
  constructor(remainingIds: readonly string[], insertError: unknown, deleteError: unknown) {
    super(
      `Bulk insert failed and ${remainingIds.length} of its documents could not be removed again: ${remainingIds.join(', ')}`,
      { cause: insertError },
    );
    this.remainingIds = remainingIds;
    this.deleteError = deleteError;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts (work goes on). */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
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
  /** The same collection untyped: documents written by other programs may lack fields. */
  const raw = db.collection<Document>(PORTFOLIO_COLLECTION);
  let strategy: Promise<BulkStrategy> | undefined;
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

  const settleAttempts = options.settleAttempts ?? 5;
  const settleDelayMs = options.settleDelayMs ?? 100;
  /**
   * Documents of a transactional batch whose last attempt failed, by the caller's array: a retry of
   * the same batch reuses their ids, so a commit that landed after all is found instead of doubled.
   */
  const pendingBatches = new WeakMap<readonly NewPortfolio[], PortfolioDocument[]>();

  /**
   * Runs `fn` up to `settleAttempts` times while its error is `retryable`, waiting `settleDelayMs`,
   * then twice that and so on between tries; rethrows the last error.
   */
  async function withSettleBackoff<T>(fn: () => Promise<T>, retryable: (error: unknown) => boolean): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await fn();
      } catch (error) {
        if (attempt + 1 >= settleAttempts || !retryable(error)) throw error;
        await sleep(settleDelayMs * 2 ** attempt);
      }
    }
  }

  async function countStored(docs: readonly PortfolioDocument[]): Promise<number> {
    return collection.countDocuments({ _id: { $in: docs.map((d) => d._id) } });
  }

  /** Runs the transaction once; resolves only when the batch is committed. */
  async function transactionOnce(docs: PortfolioDocument[], signal: AbortSignal | undefined, retried: boolean): Promise<void> {
    const session: ClientSession = client.startSession();
    let inserted: Promise<unknown> = Promise.resolve();
    try {
      session.startTransaction();
      inserted = collection.insertMany(docs, { session, ordered: true });
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
      if (retried && (await countStored(docs).catch(() => -1)) === docs.length) return;
      throw error;
    }
    // The commit is sent: from here on only the server's answer counts, not the caller's signal.
    try {
      await commitSettled(session, docs);
    } finally {
      await session.endSession();
    }
  }

  /**
   * Commits; when the reply is lost, re-sends the commit (idempotent per transaction) with backoff,
   * then checks the batch's ids. Resolves when the batch is stored, rejects when it is not.
   */
  async function commitSettled(session: ClientSession, docs: readonly PortfolioDocument[]): Promise<void> {
    try {
      await withSettleBackoff(() => session.commitTransaction(), (error) => hasErrorLabel(error, 'UnknownTransactionCommitResult'));
    } catch (error) {
      if ((await countStored(docs).catch(() => -1)) === docs.length) return;
      throw error;
    }
  }

  async function insertInTransaction(docs: PortfolioDocument[], signal: AbortSignal | undefined, retried: boolean): Promise<void> {
    // An earlier attempt of this batch may have committed after its caller stopped waiting.
    if (retried && (await abortable(countStored(docs), signal)) === docs.length) return;
    // Another attempt of the same batch still holds its ids (WriteConflict): wait for it, then retry.
    await withSettleBackoff(
      () => transactionOnce(docs, signal, retried),
      (error) => hasCode(error, WRITE_CONFLICT) && signal?.aborted !== true,
    );
  }

  /** Deletes the batch by its ids, retrying with backoff within the bound; throws when it cannot confirm. */
  async function compensate(docs: readonly PortfolioDocument[], insertError: unknown): Promise<void> {
    const ids = docs.map((d) => d._id);
    try {
      await withSettleBackoff(() => collection.deleteMany({ _id: { $in: ids } }), () => true);
    } catch (deleteError) {
      throw new BulkCompensationError(
        ids.map((id) => id.toHexString()),
        insertError,
        deleteError,
      );
    }
  }

  async function insertWithCompensation(docs: PortfolioDocument[], signal: AbortSignal | undefined): Promise<void> {
    const inserted = collection.insertMany(docs, { ordered: true });
    try {
      await abortable(inserted, signal);
      signal?.throwIfAborted();
    } catch (error) {
      // Whatever part of the batch reached the server goes, once the insert has settled.
      const undo = inserted.then(
        () => compensate(docs, error),
        () => compensate(docs, error),
      );
      if (signal?.aborted === true) {
        undo.catch(() => undefined);
        throw error;
      }
      await undo;
      throw error;
    }
  }

  async function backfillNameLower(): Promise<number> {
    const size = options.backfillBatchSize ?? 1000;
    let updated = 0;
    let after: unknown;
    for (;;) {
      const filter: Document = { nameLower: { $exists: false }, name: { $type: 'string' } };
      if (after !== undefined) filter._id = { $gt: after };
      const batch = await raw
        .find(filter, { projection: { _id: 1, name: 1 } })
        .sort({ _id: 1 })
        .limit(size)
        .toArray();
      if (batch.length === 0) return updated;
      // Each update re-checks its document, so a concurrent writer's nameLower is never overwritten.
      const result = await raw.bulkWrite(
        batch.map((doc) => ({
          updateOne: {
            filter: { _id: doc._id, name: doc.name as string, nameLower: { $exists: false } },
            update: { $set: { nameLower: normalizeName(doc.name as string) } },
          },
        })),
        { ordered: false },
      );
      updated += result.modifiedCount;
      after = batch[batch.length - 1]!._id;
      if (batch.length < size) return updated;
    }
  }

  return {
    collection,

    async ensureIndexes() {
      const names = await collection.createIndexes(PORTFOLIO_INDEXES.map((index) => ({ key: { ...index.key }, name: index.name })));
      await backfillNameLower();
      return names;
    },

    backfillNameLower,

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

    streamAll({ batchSize }) {
      // The sort is served by the dateCreated_-1__id_-1 index: the server streams, it does not sort.
      const cursor = collection.find({}, { batchSize }).sort(SORT_NEWEST);
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
          return cursor.readBufferedDocuments().map(toPortfolio);
        },
        close,
      };
    },

    async insertOne(portfolio) {
      const doc = toDocument(portfolio);
      await collection.insertOne(doc);
      return toPortfolio(doc);
    },

    async insertMany(portfolios, insertOptions = {}) {
      const { signal } = insertOptions;
      if ((await abortable(bulkStrategy(), signal)) === 'compensation') {
        // Fresh ids per attempt: a late attempt's compensating delete must never touch a retry's documents.
        const docs = portfolios.map(toDocument);
        await insertWithCompensation(docs, signal);
        return docs.map(toPortfolio);
      }
      const earlier = pendingBatches.get(portfolios);
      const docs = earlier ?? portfolios.map(toDocument);
      pendingBatches.set(portfolios, docs);
      await insertInTransaction(docs, signal, earlier !== undefined);
      pendingBatches.delete(portfolios);
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
      // distinct is one command with no cursor to open or close; nameLower's index serves the $in.
      const existing = new Set(await collection.distinct('nameLower', { nameLower: { $in: keys } }));
      return names.filter((name) => existing.has(normalizeName(name)));
    },

    async ping() {
      await db.command({ ping: 1 });
    },

    isReachable: () => lost.size === 0 || lost.size < known.size,

    bulkStrategy,
  };
}
