import { ObjectId } from 'mongodb';
import { normalizeName } from '../portfolio/rules.js';
import type { NewPortfolio, Portfolio, SearchCriteria, SearchResult } from '../portfolio/types.js';
import type {
  BulkStrategy,
  InsertManyOptions,
  PortfolioBatches,
  PortfolioChanges,
  PortfolioStore,
  VersionedDeleteResult,
  VersionedUpdateResult,
} from './portfolio-store.js';

/** Names of store operations, for fault injection. */
export type StoreOperation = keyof Omit<PortfolioStore, 'bulkStrategy' | 'isReachable'>;

/** A fault armed with {@link InMemoryPortfolioStore.injectFault}. */
interface Fault {
  readonly error: unknown;
  remaining: number;
  readonly atIndex: number | undefined;
}

/** Newest first; ties broken by id, newest id first, like the Mongo store's index order. */
function byNewest(a: Portfolio, b: Portfolio): number {
  const diff = b.dateCreated.getTime() - a.dateCreated.getTime();
  if (diff !== 0) return diff;
  return a.portfolioId < b.portfolioId ? 1 : a.portfolioId > b.portfolioId ? -1 : 0;
}

function copy(p: Portfolio): Portfolio {
  return { portfolioId: p.portfolioId, name: p.name, dateCreated: new Date(p.dateCreated.getTime()), version: p.version };
}

/**
 * A {@link PortfolioStore} in process memory for tests and demos. Inserts of a batch are atomic;
 * faults can be injected per operation to exercise error paths.
 */
export class InMemoryPortfolioStore implements PortfolioStore {
  private readonly docs = new Map<string, Portfolio>();
  private readonly faults = new Map<StoreOperation, Fault>();

  /** Number of portfolios stored. */
  get size(): number {
    return this.docs.size;
  }

  /**
   * Makes the next `times` calls of `operation` throw `error`; for `insertMany`, `atIndex` makes
   * the failure happen after that many items were written (and rolled back).
   */
  injectFault(operation: StoreOperation, error: unknown, options: { times?: number; atIndex?: number } = {}): void {
    this.faults.set(operation, { error, remaining: options.times ?? 1, atIndex: options.atIndex });
  }

  /** Drops every stored portfolio and armed fault. */
  clear(): void {
    this.docs.clear();
    this.faults.clear();
  }

  private takeFault(operation: StoreOperation): Fault | undefined {
    const fault = this.faults.get(operation);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.delete(operation);
    return fault;
  }

  /** Runs `fn` unless a fault is armed for `operation`; either way the outcome is a promise. */
  private run<T>(operation: StoreOperation, fn: () => T): Promise<T> {
    const fault = this.takeFault(operation);
    if (fault) return Promise.reject(fault.error instanceof Error ? fault.error : new Error(String(fault.error)));
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  findById(id: string): Promise<Portfolio | null> {
    return this.run('findById', () => {
      const found = this.docs.get(id.toLowerCase());
      return found ? copy(found) : null;
    });
  }

  findAll(): Promise<Portfolio[]> {
    return this.run('findAll', () => {
      return [...this.docs.values()].sort(byNewest).map(copy);
    });
  }

  streamAll({ batchSize }: { readonly batchSize: number }): PortfolioBatches {
    let rest: Portfolio[] | undefined;
    return {
      next: () =>
        this.run('streamAll', () => {
          // Like a cursor: the snapshot is taken at the first batch.
          rest ??= [...this.docs.values()].sort(byNewest);
          if (rest.length === 0) return undefined;
          return rest.splice(0, batchSize).map(copy);
        }),
      close: () => {
        rest = [];
        return Promise.resolve();
      },
    };
  }

  insertOne(portfolio: NewPortfolio): Promise<Portfolio> {
    return this.run('insertOne', () => {
      const stored: Portfolio = {
        portfolioId: new ObjectId().toHexString(),
        name: portfolio.name,
        dateCreated: new Date(portfolio.dateCreated.getTime()),
        version: portfolio.version,
      };
      this.docs.set(stored.portfolioId, stored);
      return copy(stored);
    });
  }

  insertMany(portfolios: readonly NewPortfolio[], options: InsertManyOptions = {}): Promise<Portfolio[]> {
    if (options.signal?.aborted) return Promise.reject(new Error('Bulk insert aborted before it started'));
    const fault = this.takeFault('insertMany');
    const inserted: Portfolio[] = [];
    try {
      portfolios.forEach((portfolio, index) => {
        if (fault && (fault.atIndex ?? 0) === index) throw fault.error;
        const stored: Portfolio = {
          portfolioId: options.ids?.[index]?.toLowerCase() ?? new ObjectId().toHexString(),
          name: portfolio.name,
          dateCreated: new Date(portfolio.dateCreated.getTime()),
          version: portfolio.version,
        };
        this.docs.set(stored.portfolioId, stored);
        inserted.push(stored);
      });
      if (fault && (fault.atIndex ?? 0) >= portfolios.length) throw fault.error;
    } catch (error) {
      for (const p of inserted) this.docs.delete(p.portfolioId);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return Promise.resolve(inserted.map(copy));
  }

  updateVersioned(id: string, expectedVersion: number, changes: PortfolioChanges): Promise<VersionedUpdateResult> {
    return this.run('updateVersioned', () => {
      const current = this.docs.get(id.toLowerCase());
      if (!current) return { status: 'not-found' };
      if (current.version !== expectedVersion) return { status: 'conflict', actualVersion: current.version };
      const updated: Portfolio = {
        portfolioId: current.portfolioId,
        name: changes.name,
        dateCreated: changes.dateCreated ? new Date(changes.dateCreated.getTime()) : current.dateCreated,
        version: current.version + 1,
      };
      this.docs.set(updated.portfolioId, updated);
      return { status: 'updated', portfolio: copy(updated) };
    });
  }

  deleteVersioned(id: string, expectedVersion: number): Promise<VersionedDeleteResult> {
    return this.run('deleteVersioned', () => {
      const current = this.docs.get(id.toLowerCase());
      if (!current) return { status: 'not-found' };
      if (current.version !== expectedVersion) return { status: 'conflict', actualVersion: current.version };
      this.docs.delete(current.portfolioId);
      return { status: 'deleted' };
    });
  }

  search(criteria: SearchCriteria): Promise<SearchResult> {
    return this.run('search', () => {
      const exact = criteria.name !== undefined ? normalizeName(criteria.name) : undefined;
      const part = criteria.nameLike !== undefined ? normalizeName(criteria.nameLike) : undefined;
      const matches = [...this.docs.values()]
        .filter((p) => {
          const key = normalizeName(p.name);
          if (exact !== undefined) return key === exact;
          if (part !== undefined) return key.includes(part);
          return true;
        })
        .sort(byNewest);
      return {
        items: matches.slice(criteria.offset, criteria.offset + criteria.limit).map(copy),
        total: matches.length,
      };
    });
  }

  findExistingNames(names: readonly string[]): Promise<string[]> {
    return this.run('findExistingNames', () => {
      const stored = new Set([...this.docs.values()].map((p) => normalizeName(p.name)));
      return names.filter((name) => stored.has(normalizeName(name)));
    });
  }

  ping(): Promise<void> {
    return this.run('ping', () => {
      return undefined;
    });
  }

  bulkStrategy(): Promise<BulkStrategy> {
    return Promise.resolve('atomic');
  }
}
