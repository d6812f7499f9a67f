import type { Document } from 'bson';
import { DuplicateKeyError } from './errors.js';
import { FieldIndex } from './field-index.js';
import { IndexDef } from './indexes.js';
import { valueKey } from './values.js';

/** Read/write access to a collection's documents: the collection itself or a transaction's view of it. */
export interface DocStore {
  readonly collection: Collection;
  /** The document with this `_id` key (see valueKey), if any. */
  get(idKey: string): Document | undefined;
  /** The document holding `key` in a unique index, if any. */
  findUnique(index: IndexDef, key: string): Document | undefined;
  /**
   * Candidates whose `path` equals one of the value keys (a superset of the matches), by `_id` key;
   * undefined when no index leads with `path`. With `fold`, the keys are `foldedKey`s and
   * strings match case-insensitively.
   */
  findByField(path: string, keys: readonly string[], fold?: boolean): Map<string, Document> | undefined;
  /** Every document in natural (insertion) order. */
  scan(): Iterable<Document>;
  size(): number;
  /** Adds a document; throws DuplicateKeyError on a unique index violation. */
  insert(doc: Document): void;
  /** Swaps a stored document for its new version (same `_id`). */
  replace(old: Document, next: Document): void;
  remove(doc: Document): void;
}

interface UniqueIndex {
  def: IndexDef;
  map: Map<string, Document>;
}

/**
 * A collection's committed state: documents by `_id` key (O(1) lookups) and a hash map per
 * unique index. Stored documents are never mutated; updates store a new object.
 */
export class Collection implements DocStore {
  readonly docs = new Map<string, Document>();
  readonly indexes: IndexDef[] = [new IndexDef({ key: { _id: 1 }, name: '_id_' })];
  private unique: UniqueIndex[] = [];
  /** Hash maps on the leading field of non-unique indexes, built on first use and kept in step. */
  private readonly fieldIndexes = new Map<string, FieldIndex>();
  readonly uuid = crypto.randomUUID();
  /** Bumped on every committed write; transactions use it to detect conflicts cheaply. */
  version = 0;

  /** `db.name`, built once: transactions use it in every lock key. */
  readonly ns: string;

  constructor(
    readonly db: string,
    readonly name: string,
  ) {
    this.ns = `${db}.${name}`;
  }

  get collection(): Collection {
    return this;
  }


  get(idKey: string): Document | undefined {
    return this.docs.get(idKey);
  }

  findUnique(index: IndexDef, key: string): Document | undefined {
    if (index.name === '_id_') return this.docs.get(key);
    for (const u of this.unique) if (u.def === index) return u.map.get(key);
    return undefined;
  }

  findByField(path: string, keys: readonly string[], fold = false): Map<string, Document> | undefined {
    const name = fold ? `${path}\u0000folded` : path;
    let index = this.fieldIndexes.get(name);
    if (index === undefined) {
      if (!this.indexes.some((def) => leadingHashable(def) === path)) return undefined;
      index = new FieldIndex(path, fold);
      for (const [id, doc] of this.docs) index.add(id, doc);
      this.fieldIndexes.set(name, index);
    }
    return index.lookup(keys);
  }

  scan(): Iterable<Document> {
    return this.docs.values();
  }

  size(): number {
    return this.docs.size;
  }

  insert(doc: Document): void {
    const id = valueKey(doc._id);
    if (this.docs.has(id)) throw this.duplicate(this.indexes[0] as IndexDef, doc);
    const keys = this.checkUnique(doc, undefined);
    this.docs.set(id, doc);
    for (let i = 0; i < this.unique.length; i++) {
      const k = keys[i];
      if (k !== undefined) (this.unique[i] as UniqueIndex).map.set(k, doc);
    }
    for (const index of this.fieldIndexes.values()) index.add(id, doc);
    this.version++;
  }

  replace(old: Document, next: Document): void {
    const keys = this.checkUnique(next, old);
    for (let i = 0; i < this.unique.length; i++) {
      const u = this.unique[i] as UniqueIndex;
      const oldKey = u.def.keyOf(old);
      if (oldKey !== undefined && u.map.get(oldKey) === old) u.map.delete(oldKey);
      const k = keys[i];
      if (k !== undefined) u.map.set(k, next);
    }
    const id = valueKey(next._id);
    for (const index of this.fieldIndexes.values()) {
      index.remove(id, old);
      index.add(id, next);
    }
    this.docs.set(id, next);
    this.version++;
  }

  remove(doc: Document): void {
    for (const u of this.unique) {
      const k = u.def.keyOf(doc);
      if (k !== undefined && u.map.get(k) === doc) u.map.delete(k);
    }
    const id = valueKey(doc._id);
    for (const index of this.fieldIndexes.values()) index.remove(id, doc);
    this.docs.delete(id);
    this.version++;
  }

  /** Adds an index; a unique one is built (and checked) over the existing documents first. */
  addIndex(def: IndexDef): void {
    if (def.unique && def.name !== '_id_') {
      const map = new Map<string, Document>();
      for (const doc of this.docs.values()) {
        const k = def.keyOf(doc);
        if (k === undefined) continue;
        if (map.has(k)) throw this.duplicate(def, doc);
        map.set(k, doc);
      }
      this.unique.push({ def, map });
    }
    this.indexes.push(def);
  }

  dropIndex(name: string): boolean {
    const i = this.indexes.findIndex((d) => d.name === name);
    if (i <= 0) return false;
    this.indexes.splice(i, 1);
    this.unique = this.unique.filter((u) => u.def.name !== name);
    for (const [name, index] of this.fieldIndexes) {
      if (!this.indexes.some((def) => leadingHashable(def) === index.path)) this.fieldIndexes.delete(name);
    }
    return true;
  }

  /** The unique indexes other than `_id_`. */
  uniqueIndexes(): IndexDef[] {
    return this.unique.map((u) => u.def);
  }

  /** The error mongod reports when `doc` collides on `index`. */
  duplicate(index: IndexDef, doc: Document): DuplicateKeyError {
    return new DuplicateKeyError(this.ns, index.name, index.key, index.keyValueOf(doc));
  }

  private checkUnique(doc: Document, replacing: Document | undefined): (string | undefined)[] {
    const keys: (string | undefined)[] = [];
    for (const u of this.unique) {
      const k = u.def.keyOf(doc);
      if (k !== undefined) {
        const holder = u.map.get(k);
        if (holder !== undefined && holder !== replacing) throw this.duplicate(u.def, doc);
      }
      keys.push(k);
    }
    return keys;
  }
}

/** The leading field of an index that can serve equality by hash (not `_id`, text or geo), if any. */
function leadingHashable(def: IndexDef): string | undefined {
  const [field] = def.fields;
  if (field === undefined || field === '_id' || def.textFields.length > 0) return undefined;
  const kind: unknown = def.key[field];
  return kind === 1 || kind === -1 || kind === 'hashed' || typeof kind === 'number' ? field : undefined;
}
