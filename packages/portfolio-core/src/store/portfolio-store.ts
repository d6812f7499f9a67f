import type { NewPortfolio, Portfolio, SearchCriteria, SearchResult } from '../portfolio/types.js';

/** Outcome of a version-checked update. */
export type VersionedUpdateResult =
  | { readonly status: 'updated'; readonly portfolio: Portfolio }
  | { readonly status: 'not-found' }
  | { readonly status: 'conflict'; readonly actualVersion: number };

/** Outcome of a version-checked delete. */
export type VersionedDeleteResult =
  | { readonly status: 'deleted' }
  | { readonly status: 'not-found' }
  | { readonly status: 'conflict'; readonly actualVersion: number };

/** New values of an update; `dateCreated` is kept when absent. */
export interface PortfolioChanges {
  /** The new (trimmed) name. */
  readonly name: string;
  /** The new creation instant, if supplied. */
  readonly dateCreated?: Date;
}

/** Options of {@link PortfolioStore.insertMany}. */
export interface InsertManyOptions {
  /**
   * Aborted when the caller gave up (e.g. timed out). Before its commit point the call then rejects
   * at once with `signal.reason` and undoes the batch in the background; once the commit has been
   * sent the signal is ignored and the call settles with the real outcome.
   */
  readonly signal?: AbortSignal;
  /**
   * Ids (hex) for the batch's documents, in input order, generated once per batch by the caller
   * (see `newPortfolioIds`). A store that commits atomically stores the batch under them; one that
   * undoes by deleting (compensation) draws fresh ids per attempt instead, so a late undo never
   * removes a retry's documents.
   */
  readonly ids?: readonly string[];
  /**
   * True when this call repeats an earlier attempt with the same `ids`: the store then first looks
   * for that attempt's batch, which may have committed after its caller stopped waiting.
   */
  readonly retry?: boolean;
}

/** The whole collection read in batches from one cursor (see {@link PortfolioStore.streamAll}). */
export interface PortfolioBatches {
  /** The next batch of at most `batchSize` portfolios, or `undefined` once every one was read. */
  next(): Promise<Portfolio[] | undefined>;
  /** Releases the cursor; idempotent, and safe while a `next` is pending. */
  close(): Promise<void>;
}

/**
 * The whole collection read in batches from one cursor, each batch already in the API's JSON (see
 * {@link PortfolioStore.streamAllJson}).
 */
export interface PortfolioJsonBatches {
  /**
   * The next batch of at most `batchSize` portfolios as JSON objects separated by commas (the inside
   * of a JSON array, `''` for an empty batch), or `undefined` once every one was read.
   */
  next(): Promise<string | undefined>;
  /** Releases the cursor; idempotent, and safe while a `next` is pending. */
  close(): Promise<void>;
}

/** How a store makes a bulk insert all-or-nothing. */
export type BulkStrategy = 'transaction' | 'compensation' | 'atomic';

/**
 * Persistence of portfolios. Implementations receive validated values only, report domain outcomes
 * as results (never as thrown catalogue errors) and throw only for infrastructure failures.
 */
export interface PortfolioStore {
  /** Finds a portfolio by id; malformed ids find nothing. */
  findById(id: string): Promise<Portfolio | null>;
  /** Returns every portfolio, newest first (the whole collection in memory: prefer {@link streamAll}). */
  findAll(): Promise<Portfolio[]>;
  /**
   * Reads every portfolio, newest first, one batch at a time from one cursor: nothing is read
   * before the first `next()`, and at most one batch is held at a time.
   */
  streamAll(options: { readonly batchSize: number }): PortfolioBatches;
  /**
   * Optional: {@link streamAll} with each batch rendered as the API's JSON (`portfolioJson` of each
   * portfolio), for a store that can render it cheaper than building the portfolios first (the
   * MongoDB store reads it from the raw BSON). Without it the service renders `streamAll`'s batches.
   */
  streamAllJson?(options: { readonly batchSize: number }): PortfolioJsonBatches;
  /** Inserts one portfolio and returns it with its new id. */
  insertOne(portfolio: NewPortfolio): Promise<Portfolio>;
  /**
   * Inserts all portfolios or none: when it throws, nothing of the batch remains (a store that cannot
   * confirm that says so in its error). When `signal` is aborted before the batch is committed, the
   * batch is undone and the call rejects. Calling again with the same `ids` and `retry: true` after
   * a failure is a retry: a store may recognise an earlier attempt that committed after all and
   * return it.
   * @returns the stored portfolios in input order
   */
  insertMany(portfolios: readonly NewPortfolio[], options?: InsertManyOptions): Promise<Portfolio[]>;
  /**
   * Replaces name (and dateCreated if given) and increments the version, matching `{id, version}`
   * atomically; tells a missing id from a version mismatch.
   */
  updateVersioned(id: string, expectedVersion: number, changes: PortfolioChanges): Promise<VersionedUpdateResult>;
  /** Deletes the portfolio matching `{id, version}` atomically; tells a missing id from a mismatch. */
  deleteVersioned(id: string, expectedVersion: number): Promise<VersionedDeleteResult>;
  /** Searches by exact or substring name (case-insensitive, literal), newest first, with a total. */
  search(criteria: SearchCriteria): Promise<SearchResult>;
  /**
   * Returns which of `names` already exist, compared trimmed and case-insensitively.
   * @returns the given names (as given) that exist, in input order
   */
  findExistingNames(names: readonly string[]): Promise<string[]>;
  /** Checks the backend answers; throws when it does not. */
  ping(): Promise<void>;
  /**
   * Whether the backend is reachable as far as the store's own monitoring knows (for MongoDB: the
   * driver's last heartbeat to the server succeeded). Stores without monitoring omit it.
   */
  isReachable?(): boolean;
  /** The strategy {@link insertMany} uses (known after the first call or `ensureReady`). */
  bulkStrategy(): Promise<BulkStrategy>;
}
