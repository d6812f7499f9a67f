import * as v from 'valibot';
import { createValidationCache, type ValidationCache } from '../cache/validation-cache.js';
import {
  AlreadyExistsError,
  BatchTooLargeError,
  DuplicateInBatchError,
  EmptyBatchError,
  NotFoundError,
  ValidationError,
  VersionConflictError,
  type DuplicateName,
} from '../errors.js';
import { nameRuleCheck, parseOrThrow } from '../portfolio/issues.js';
import { createPagination } from '../portfolio/pagination.js';
import { newPortfolioIds } from '../store/portfolio-document.js';
import { BULK_MAX_ITEMS, OBJECT_ID_PATTERN, normalizeName } from '../portfolio/rules.js';
import { DateOrDateTimeSchema, VersionSchema, buildPortfolioSchemas } from '../portfolio/schemas.js';
import type { NewPortfolio, Portfolio, PortfolioPage } from '../portfolio/types.js';
import {
  createDatabasePolicy,
  type DatabasePolicy,
  type DatabasePolicyOptions,
} from '../resilience/database-policy.js';
import type { PortfolioBatches, PortfolioJsonBatches, PortfolioStore } from '../store/portfolio-store.js';
import { portfolioJson } from '../portfolio/portfolio-json.js';

/** Options of {@link createPortfolioService}. */
export interface PortfolioServiceOptions {
  /** Where portfolios live. */
  readonly store: PortfolioStore;
  /** Name-verdict cache; default a new cache of 1000 entries. */
  readonly cache?: ValidationCache;
  /** Resilience policy around every store call; default built from `resilience`. */
  readonly policy?: DatabasePolicy;
  /** Tunables for the default policy (ignored when `policy` is given). */
  readonly resilience?: DatabasePolicyOptions;
  /** Source of "now" for default creation dates; default `() => new Date()`. */
  readonly clock?: () => Date;
}

/** Portfolios per batch of {@link PortfolioService.listBatches}: about 100 KB of JSON. */
export const LIST_BATCH_SIZE = 1000;

/** Options of {@link PortfolioService.createMany}. */
export interface CreateManyOptions {
  /** Reject the batch with `ALREADY_EXISTS` when a name already exists (case-insensitive). */
  readonly rejectExisting?: boolean;
}

/**
 * Portfolio use cases. Every method validates its input itself (raw JSON values are fine) and
 * throws only catalogue errors.
 */
export interface PortfolioService {
  /** Returns the portfolio with `id`; `NOT_FOUND` also for malformed ids. */
  get(id: string): Promise<Portfolio>;
  /** Returns every portfolio, newest first, in memory (bounded collections only: see {@link listBatches}). */
  list(): Promise<Portfolio[]>;
  /**
   * Reads every portfolio, newest first, in batches of `batchSize` (default
   * {@link LIST_BATCH_SIZE}) from one cursor. Each batch is one attempt under the policy with the
   * per-attempt budget and no overall one, so the whole collection can be read at any size while
   * batches keep arriving; a batch that fails or runs out of time throws its catalogue error.
   * Close it when done or abandoned.
   */
  listBatches(options?: { readonly batchSize?: number }): PortfolioBatches;
  /**
   * {@link listBatches} with each batch already in the API's JSON: its portfolios as JSON objects
   * (`portfolioJson`) separated by commas, the inside of a JSON array. The store renders it when it
   * can do so cheaper (the MongoDB store, from the raw BSON); otherwise the service renders the
   * store's batches. Same attempts, budgets and errors as {@link listBatches}.
   */
  listJsonBatches(options?: { readonly batchSize?: number }): PortfolioJsonBatches;
  /** Creates one portfolio from a create input; unknown fields are dropped. */
  create(input: unknown): Promise<Portfolio>;
  /** Replaces name (and dateCreated if given) when `input.version` equals the stored version; version + 1. */
  update(id: string, input: unknown): Promise<Portfolio>;
  /** Deletes the portfolio when `version` equals the stored version. */
  delete(id: string, version: unknown): Promise<void>;
  /** Searches `{ name?, name_like?, limit?, offset? }` (typed values), newest first, with pagination. */
  search(query: unknown): Promise<PortfolioPage>;
  /**
   * Creates 1..100 portfolios all-or-nothing, returned in input order. Checks, in order: array,
   * size, every item, duplicates in the batch, then (if asked) names already stored.
   */
  createMany(inputs: unknown, options?: CreateManyOptions): Promise<Portfolio[]>;
  /** Round-trips to the database through the breaker (no retries); throws when it is unreachable. */
  ping(): Promise<void>;
  /** The resilience policy: breaker state, retry-after and events. */
  readonly policy: DatabasePolicy;
  /** The validation cache: counters for metrics. */
  readonly cache: ValidationCache;
}

/**
 * Creates the portfolio service on a store.
 * @param options store plus optional cache, policy, resilience tunables and clock
 */
export function createPortfolioService(options: PortfolioServiceOptions): PortfolioService {
  const { store } = options;
  const cache = options.cache ?? createValidationCache();
  // The store's view of reachability tells a dead database from one client's slow query.
  const policy =
    options.policy ??
    createDatabasePolicy({ ...(store.isReachable ? { isDatabaseReachable: () => store.isReachable?.() ?? true } : {}), ...options.resilience });
  const clock = options.clock ?? (() => new Date());

  const nameSchema = v.pipe(v.string('Name must be a string'), nameRuleCheck((raw) => cache.isValidName(raw)), v.trim());
  const schemas = buildPortfolioSchemas(nameSchema, DateOrDateTimeSchema);

  /** A batch source read under the policy: each batch is one attempt with the per-attempt budget. */
  function guarded<B>(batches: { next(): Promise<B | undefined>; close(): Promise<void> }): { next(): Promise<B | undefined>; close(): Promise<void> } {
    return {
      next: () => policy.execute('findAll', 'batch', () => batches.next()),
      close: () => batches.close(),
    };
  }

  /** valibot's object schema accepts arrays; a portfolio must be a plain object. */
  function parseObject<T extends v.GenericSchema>(
    schema: T,
    input: unknown,
    basePath: (string | number)[] = [],
    message = 'Portfolio must be an object',
  ) {
    if (Array.isArray(input)) throw new ValidationError([{ path: basePath, message, type: 'model_type', input }]);
    return parseOrThrow(schema, input, basePath);
  }

  function toNew(data: v.InferOutput<typeof schemas.create>): NewPortfolio {
    return { name: data.name, dateCreated: data.dateCreated ?? clock(), version: data.version ?? 1 };
  }

  function findDuplicates(items: readonly NewPortfolio[]): DuplicateName[] {
    const positions = new Map<string, number[]>();
    items.forEach((item, index) => {
      const key = normalizeName(item.name);
      const list = positions.get(key);
      if (list) list.push(index);
      else positions.set(key, [index]);
    });
    const duplicates: DuplicateName[] = [];
    for (const list of positions.values()) {
      if (list.length > 1) duplicates.push({ name: items[list[1] as number]!.name, positions: list });
    }
    return duplicates;
  }

  return {
    async get(id) {
      if (typeof id !== 'string' || !OBJECT_ID_PATTERN.test(id)) throw new NotFoundError(String(id));
      const found = await policy.execute('findById', 'read', () => store.findById(id.toLowerCase()));
      if (found === null) throw new NotFoundError(id);
      return found;
    },

    list() {
      return policy.execute('findAll', 'read', () => store.findAll());
    },

    listBatches(listOptions = {}) {
      return guarded(store.streamAll({ batchSize: listOptions.batchSize ?? LIST_BATCH_SIZE }));
    },

    listJsonBatches(listOptions = {}) {
      const batchSize = listOptions.batchSize ?? LIST_BATCH_SIZE;
      return guarded(store.streamAllJson?.({ batchSize }) ?? renderedBatches(store.streamAll({ batchSize })));
    },

    async create(input) {
      const data = parseObject(schemas.create, input);
      const portfolio = toNew(data);
      return policy.execute('insertOne', 'write', () => store.insertOne(portfolio));
    },

    async update(id, input) {
      const data = parseObject(schemas.update, input);
      if (typeof id !== 'string' || !OBJECT_ID_PATTERN.test(id)) throw new NotFoundError(String(id));
      const key = id.toLowerCase();
      const changes = data.dateCreated ? { name: data.name, dateCreated: data.dateCreated } : { name: data.name };
      const result = await policy.execute('updateVersioned', 'write', () =>
        store.updateVersioned(key, data.version, changes),
      );
      if (result.status === 'not-found') throw new NotFoundError(id);
      if (result.status === 'conflict') throw new VersionConflictError(id, data.version, result.actualVersion);
      return result.portfolio;
    },

    async delete(id, version) {
      const expected = parseOrThrow(VersionSchema, version, ['version']);
      if (typeof id !== 'string' || !OBJECT_ID_PATTERN.test(id)) throw new NotFoundError(String(id));
      const result = await policy.execute('deleteVersioned', 'write', () =>
        store.deleteVersioned(id.toLowerCase(), expected),
      );
      if (result.status === 'not-found') throw new NotFoundError(id);
      if (result.status === 'conflict') throw new VersionConflictError(id, expected, result.actualVersion);
    },

    async search(query) {
      const q = parseObject(schemas.search, query ?? {}, [], 'Search query must be an object');
      if (q.name !== undefined && q.name_like !== undefined) {
        throw new ValidationError([
          {
            path: [],
            message: 'Only one search parameter allowed: name or name_like',
            type: 'mutually_exclusive',
          },
        ]);
      }
      const criteria = {
        ...(q.name !== undefined ? { name: q.name } : {}),
        ...(q.name_like !== undefined ? { nameLike: q.name_like } : {}),
        limit: q.limit,
        offset: q.offset,
      };
      const result = await policy.execute('search', 'read', () => store.search(criteria));
      return { portfolios: result.items, pagination: createPagination(result.total, q.limit, q.offset) };
    },

    async createMany(inputs, createOptions = {}) {
      if (!Array.isArray(inputs)) {
        throw new ValidationError([
          { path: [], message: 'Request must be a list of portfolios', type: 'list_type', input: inputs },
        ]);
      }
      if (inputs.length === 0) throw new EmptyBatchError();
      if (inputs.length > BULK_MAX_ITEMS) throw new BatchTooLargeError(inputs.length, BULK_MAX_ITEMS);
      const items: NewPortfolio[] = [];
      const issues: ValidationError['issues'][number][] = [];
      inputs.forEach((input: unknown, index) => {
        try {
          items.push(toNew(parseObject(schemas.create, input, [index])));
        } catch (error) {
          if (error instanceof ValidationError) issues.push(...error.issues);
          else throw error;
        }
      });
      if (issues.length > 0) throw new ValidationError(issues);
      const duplicates = findDuplicates(items);
      if (duplicates.length > 0) throw new DuplicateInBatchError(duplicates);
      if (createOptions.rejectExisting === true) {
        const names = items.map((item) => item.name);
        const existing = await policy.execute('findExistingNames', 'read', () => store.findExistingNames(names));
        if (existing.length > 0) throw new AlreadyExistsError(existing);
      }
      // The ids are drawn once per batch: every attempt stores the same documents, so a retry finds
      // an earlier attempt that committed after all instead of storing the batch twice.
      const ids = newPortfolioIds(items.length);
      let attempts = 0;
      return policy.execute('insertMany', 'bulk', (signal) => {
        const retry = attempts++ > 0;
        return store.insertMany(items, signal ? { signal, ids, retry } : { ids, retry });
      });
    },

    async ping() {
      await policy.execute('ping', 'write', () => store.ping());
    },

    policy,
    cache,
  };
}

/** A store's batches rendered as the API's JSON, for a store without `streamAllJson`. */
function renderedBatches(batches: PortfolioBatches): PortfolioJsonBatches {
  return {
    next: async () => (await batches.next())?.map(portfolioJson).join(','),
    close: () => batches.close(),
  };
}
