import type { Document } from 'bson';
import type { Collection, DocStore } from './collection.js';
import { CommandError, codes, commandError } from './errors.js';
import { TxnStore } from './txn-store.js';
import { valueKey } from './values.js';

const TRANSIENT = 'TransientTransactionError';
/** mongod's transactionLifetimeLimitSeconds default. */
const TXN_LIFETIME_MS = 60_000;

/** One multi-document transaction of a session. */
export class Transaction {
  state: 'active' | 'committed' | 'aborted' = 'active';
  readonly startedAt = Date.now();
  private readonly stores = new Map<Collection, TxnStore>();
  private readonly locks: string[] = [];

  constructor(
    readonly txnNumber: number,
    private readonly manager: TransactionManager,
  ) {}

  /** The transaction's view of a collection. */
  store(collection: Collection): DocStore {
    let s = this.stores.get(collection);
    if (!s) this.stores.set(collection, (s = new TxnStore(collection, this)));
    return s;
  }

  /** Claims a document for this transaction; a second writer gets WriteConflict, as on mongod. */
  lock(collection: Collection, id: string): void {
    const key = collection.ns + '\u0000' + id;
    const holder = this.manager.locks.get(key);
    if (holder === this) return;
    if (holder && holder.state === 'active' && Date.now() - holder.startedAt < TXN_LIFETIME_MS) {
      this.abort();
      throw new CommandError(
        codes.WriteConflict,
        'WriteConflict',
        'Caused by :: Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.',
        [TRANSIENT],
      );
    }
    holder?.abort();
    this.manager.locks.set(key, this);
    this.locks.push(key);
  }

  /** Applies every write to the committed collections, or throws WriteConflict and changes nothing. */
  commit(): void {
    const applied: (() => void)[] = [];
    try {
      for (const s of this.stores.values()) {
        for (const [id, w] of s.writes) {
          if (s.collection.get(id) !== w.before) throw new Error('changed underneath');
        }
      }
      // Removals first, then replacements, then inserts, so freed unique keys can be reused.
      for (const phase of [0, 1, 2]) {
        for (const s of this.stores.values()) {
          const c = s.collection;
          for (const w of s.writes.values()) {
            const { before, after } = w;
            if (phase === 0 && before && !after) {
              c.remove(before);
              applied.push(() => c.insert(before));
            } else if (phase === 1 && before && after) {
              c.replace(before, after);
              applied.push(() => c.replace(after, before));
            } else if (phase === 2 && !before && after) {
              c.insert(after);
              applied.push(() => c.remove(after));
            }
          }
        }
      }
    } catch {
      for (const undo of applied.reverse()) undo();
      this.abort();
      throw new CommandError(codes.WriteConflict, 'WriteConflict', 'Write conflict during commit of the transaction', [TRANSIENT]);
    }
    this.finish('committed');
  }

  abort(): void {
    if (this.state === 'active') this.finish('aborted');
  }

  private finish(state: 'committed' | 'aborted'): void {
    this.state = state;
    this.stores.clear();
    for (const key of this.locks) if (this.manager.locks.get(key) === this) this.manager.locks.delete(key);
    this.locks.length = 0;
  }
}

interface Session {
  txnNumber: number;
  txn: Transaction | undefined;
  lastWrite?: { txnNumber: number; reply: Document };
}

/** Sessions (by lsid) and their transactions, following mongod's state rules. */
export class TransactionManager {
  readonly locks = new Map<string, Transaction>();
  private readonly sessions = new Map<string, Session>();

  /**
   * The transaction a command runs in, or undefined for a command outside transactions.
   * Starts one on `startTransaction: true`; throws NoSuchTransaction for a stale or aborted one.
   */
  resolve(cmd: Document, commandName: string): Transaction | undefined {
    if (cmd.autocommit !== false) return undefined;
    const lsid = cmd.lsid as Document | undefined;
    if (!lsid) throw commandError('InvalidOptions', 'Transactions require a session (lsid)');
    const txnNumber = Number(cmd.txnNumber);
    if (!Number.isFinite(txnNumber)) throw commandError('BadValue', "'autocommit' requires a 'txnNumber'");
    const key = sessionKey(lsid);
    let session = this.sessions.get(key);
    if (!session) this.sessions.set(key, (session = { txnNumber: -1, txn: undefined }));
    if (cmd.startTransaction === true) {
      if (txnNumber < session.txnNumber) {
        throw new CommandError(225, 'TransactionTooOld', `Cannot start transaction ${txnNumber} on session because a newer transaction ${session.txnNumber} has already started`);
      }
      if (txnNumber === session.txnNumber && session.txn) {
        throw new CommandError(251, 'NoSuchTransaction', `Transaction ${txnNumber} has already started on this session`, [TRANSIENT]);
      }
      session.txn?.abort();
      session.txnNumber = txnNumber;
      session.txn = new Transaction(txnNumber, this);
      return session.txn;
    }
    const txn = session.txn;
    if (!txn || session.txnNumber !== txnNumber) {
      throw new CommandError(
        codes.NoSuchTransaction,
        'NoSuchTransaction',
        `Given transaction number ${txnNumber} does not match any in-progress transactions. The active transaction number is ${session.txnNumber}`,
        [TRANSIENT],
      );
    }
    if (txn.state === 'aborted') {
      throw new CommandError(codes.NoSuchTransaction, 'NoSuchTransaction', `Transaction with { txnNumber: ${txnNumber} } has been aborted.`, [TRANSIENT]);
    }
    if (txn.state === 'committed' && commandName !== 'commitTransaction') {
      throw new CommandError(codes.TransactionCommitted, 'TransactionCommitted', `Transaction with { txnNumber: ${txnNumber} } has been committed.`);
    }
    return txn;
  }

  /** The reply of a retryable write (same lsid and txnNumber) already executed, if any. */
  retriedWrite(cmd: Document): Document | undefined {
    const lsid = cmd.lsid as Document | undefined;
    if (!lsid) return undefined;
    const last = this.sessions.get(sessionKey(lsid))?.lastWrite;
    return last && last.txnNumber === Number(cmd.txnNumber) ? last.reply : undefined;
  }

  /** Remembers a retryable write's reply so a retry after a network error is not applied twice. */
  recordWrite(cmd: Document, reply: Document): void {
    const lsid = cmd.lsid as Document | undefined;
    if (!lsid) return;
    const key = sessionKey(lsid);
    let session = this.sessions.get(key);
    if (!session) this.sessions.set(key, (session = { txnNumber: -1, txn: undefined }));
    const txnNumber = Number(cmd.txnNumber);
    session.lastWrite = { txnNumber, reply };
    if (txnNumber > session.txnNumber) session.txnNumber = txnNumber;
  }

  /** Drops the sessions named in endSessions, aborting their open transactions. */
  endSessions(ids: Document[]): void {
    for (const lsid of ids) {
      const key = sessionKey(lsid);
      this.sessions.get(key)?.txn?.abort();
      this.sessions.delete(key);
    }
  }
}

function sessionKey(lsid: Document): string {
  return valueKey(lsid.id);
}
