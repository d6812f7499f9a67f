import type { Document } from 'bson';
import type { Collection, DocStore } from './collection.js';
import { fieldKeys } from './field-index.js';
import type { IndexDef } from './indexes.js';
import { valueKey } from './values.js';

/** Whoever claims documents for writing (a transaction); throws when another holds the claim. */
export interface WriteLocker {
  lock(collection: Collection, id: string): void;
}

interface PendingWrite {
  before: Document | undefined;
  after: Document | undefined;
}

/**
 * A transaction's view of one collection: committed documents overlaid with the transaction's own
 * writes, which stay invisible to everyone else until commit.
 */
export class TxnStore implements DocStore {
  readonly writes = new Map<string, PendingWrite>();
  /** Per unique index, the keys of this transaction's own documents (kept in step by record). */
  private readonly own = new Map<IndexDef, Map<string, Document>>();

  constructor(
    readonly collection: Collection,
    private readonly txn: WriteLocker,
  ) {}

  get(idKey: string): Document | undefined {
    const w = this.writes.get(idKey);
    return w ? w.after : this.collection.get(idKey);
  }

  findUnique(index: IndexDef, key: string): Document | undefined {
    const own = this.ownKeys(index).get(key);
    if (own) return own;
    const doc = this.collection.findUnique(index, key);
    return doc && !this.writes.has(valueKey(doc._id)) ? doc : undefined;
  }

  findByField(path: string, keys: readonly string[], fold = false): Map<string, Document> | undefined {
    const committed = this.collection.findByField(path, keys, fold);
    if (committed === undefined || this.writes.size === 0) return committed;
    const out = new Map<string, Document>();
    for (const [id, doc] of committed) if (!this.writes.has(id)) out.set(id, doc);
    for (const [id, w] of this.writes) {
      if (!w.after) continue;
      const own = fieldKeys(w.after, path, fold);
      if (own === undefined || own.some((k) => keys.includes(k))) out.set(id, w.after);
    }
    return out;
  }

  *scan(): Iterable<Document> {
    for (const [id, doc] of this.collection.docs) {
      const w = this.writes.get(id);
      if (!w) yield doc;
      else if (w.after) yield w.after;
    }
    for (const w of this.writes.values()) if (!w.before && w.after) yield w.after;
  }

  size(): number {
    let n = this.collection.size();
    for (const w of this.writes.values()) n += (w.after ? 1 : 0) - (w.before ? 1 : 0);
    return n;
  }

  insert(doc: Document): void {
    const id = valueKey(doc._id);
    if (this.get(id)) throw this.collection.duplicate(this.collection.indexes[0] as IndexDef, doc);
    this.checkUnique(doc, undefined);
    this.record(id, doc);
  }

  replace(old: Document, next: Document): void {
    this.checkUnique(next, old);
    this.record(valueKey(next._id), next);
  }

  remove(doc: Document): void {
    this.record(valueKey(doc._id), undefined);
  }

  private checkUnique(doc: Document, replacing: Document | undefined): void {
    for (const def of this.collection.uniqueIndexes()) {
      const k = def.keyOf(doc);
      if (k === undefined) continue;
      const holder = this.findUnique(def, k);
      if (holder && holder !== replacing) throw this.collection.duplicate(def, doc);
    }
  }

  private ownKeys(index: IndexDef): Map<string, Document> {
    let keys = this.own.get(index);
    if (!keys) {
      keys = new Map<string, Document>();
      for (const w of this.writes.values()) {
        const k = w.after && index.keyOf(w.after);
        if (k !== undefined && w.after) keys.set(k, w.after);
      }
      this.own.set(index, keys);
    }
    return keys;
  }

  private record(id: string, after: Document | undefined): void {
    this.txn.lock(this.collection, id);
    const w = this.writes.get(id);
    for (const [index, keys] of this.own) {
      const previous = w?.after;
      const oldKey = previous && index.keyOf(previous);
      if (oldKey !== undefined && keys.get(oldKey) === previous) keys.delete(oldKey);
      const k = after && index.keyOf(after);
      if (k !== undefined && after) keys.set(k, after);
    }
    if (w) w.after = after;
    else this.writes.set(id, { before: this.collection.get(id), after });
  }
}

