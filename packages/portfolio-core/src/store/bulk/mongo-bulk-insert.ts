import type { Collection, Db, MongoClient } from 'mongodb';
import type { NewPortfolio, Portfolio } from '../../portfolio/types.js';
import { toDocument, toPortfolio, type PortfolioDocument } from '../portfolio-document.js';
import type { BulkStrategy, InsertManyOptions } from '../portfolio-store.js';
import { insertWithCompensation } from './compensation-insert.js';
import { abortable, type SettleBounds } from './settle.js';
import { insertInTransaction } from './transaction-insert.js';

/** Options of {@link createMongoBulkInsert}. */
export interface MongoBulkInsertOptions {
  readonly client: MongoClient;
  readonly db: Db;
  readonly collection: Collection<PortfolioDocument>;
  /** `auto` asks the server (`hello`): a replica set or sharded cluster gets transactions. */
  readonly strategy: 'auto' | 'transaction' | 'compensation';
  readonly bounds: SettleBounds;
}

/** The all-or-nothing bulk insert of the MongoDB store. */
export interface MongoBulkInsert {
  insertMany(portfolios: readonly NewPortfolio[], options?: InsertManyOptions): Promise<Portfolio[]>;
  /** The strategy in use; `auto` is resolved once per store (and again after a failed `hello`). */
  bulkStrategy(): Promise<BulkStrategy>;
}

/** Creates the bulk insert: transaction on a replica set, compensation on a standalone. */
export function createMongoBulkInsert(options: MongoBulkInsertOptions): MongoBulkInsert {
  const { client, db, collection, bounds } = options;
  let detected: Promise<BulkStrategy> | undefined;

  function bulkStrategy(): Promise<BulkStrategy> {
    if (options.strategy !== 'auto') return Promise.resolve(options.strategy);
    detected ??= db
      .admin()
      .command({ hello: 1 })
      .then((hello): BulkStrategy => (typeof hello.setName === 'string' || hello.msg === 'isdbgrid' ? 'transaction' : 'compensation'))
      .catch((error: unknown) => {
        detected = undefined;
        throw error;
      });
    return detected;
  }

  return {
    bulkStrategy,
    async insertMany(portfolios, insertOptions = {}) {
      const { signal, ids, retry = false } = insertOptions;
      if (ids !== undefined && ids.length !== portfolios.length) {
        throw new RangeError(`insertMany: ${ids.length} ids for ${portfolios.length} portfolios`);
      }
      if ((await abortable(bulkStrategy(), signal)) === 'compensation') {
        // Fresh ids per attempt: a late attempt's compensating delete must never touch a retry's documents.
        const docs = portfolios.map((p) => toDocument(p));
        await insertWithCompensation(collection, bounds, docs, signal);
        return docs.map(toPortfolio);
      }
      const docs = portfolios.map((p, i) => toDocument(p, ids?.[i]));
      await insertInTransaction({ client, collection, bounds }, docs, signal, retry && ids !== undefined);
      return docs.map(toPortfolio);
    },
  };
}
