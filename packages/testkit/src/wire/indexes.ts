import type { Document } from 'bson';
import { Query } from 'mingo';
import { collationKey, normalizeCollation, sameCollation } from './collation.js';
import { commandError } from './errors.js';
import { getPath, valueKey } from './values.js';

/** One index of a collection: its spec as listIndexes shows it, plus what enforcement needs. */
export class IndexDef {
  readonly name: string;
  readonly key: Document;
  readonly fields: string[];
  readonly unique: boolean;
  readonly sparse: boolean;
  /** Fields covered by a text index (empty for other indexes). */
  readonly textFields: string[];
  /** The index's collation with every option filled in, or undefined for the simple collation. */
  readonly collation: Document | undefined;
  readonly spec: Document;
  private readonly partial: Query | undefined;

  constructor(spec: Document) {
    const key = spec.key as unknown;
    if (!key || typeof key !== 'object' || Object.keys(key).length === 0) {
      throw commandError('BadValue', "index specification must contain a non-empty 'key' object");
    }
    this.key = key;
    this.fields = Object.keys(this.key);
    this.name = typeof spec.name === 'string' ? spec.name : defaultIndexName(this.key);
    this.unique = spec.unique === true || this.name === '_id_';
    this.sparse = spec.sparse === true;
    this.textFields = this.fields.filter((f) => this.key[f] === 'text');
    if (spec.weights && typeof spec.weights === 'object') {
      for (const f of Object.keys(spec.weights as Document)) if (!this.textFields.includes(f)) this.textFields.push(f);
    }
    this.partial =
      spec.partialFilterExpression && typeof spec.partialFilterExpression === 'object'
        ? new Query(spec.partialFilterExpression as Document, {})
        : undefined;
    this.collation = this.name === '_id_' ? undefined : normalizeCollation(spec.collation);
    this.spec = { v: 2, key: this.key, name: this.name, ...(this.name === '_id_' ? {} : stripSpec(spec)) };
    if (this.collation) this.spec.collation = this.collation;
    else delete this.spec.collation;
  }

  /** The map key for `doc` in this (unique) index, or undefined when the index does not cover it. */
  keyOf(doc: Document): string | undefined {
    if (this.partial && !this.partial.test(doc)) return undefined;
    if (this.fields.length === 1) {
      const v = getPath(doc, this.fields[0] as string);
      if (v === undefined && this.sparse) return undefined;
      return valueKey(collationKey(v ?? null, this.collation));
    }
    let out = '';
    let any = false;
    for (const f of this.fields) {
      const v = getPath(doc, f);
      if (v !== undefined) any = true;
      out += valueKey(collationKey(v ?? null, this.collation)) + '\u0000';
    }
    return !any && this.sparse ? undefined : out;
  }

  /** The `keyValue` document reported with a duplicate key error. */
  keyValueOf(doc: Document): Document {
    const out: Document = {};
    for (const f of this.fields) out[f] = getPath(doc, f) ?? null;
    return out;
  }

  /** True when the given spec describes the same index (used to make createIndexes idempotent). */
  sameAs(other: IndexDef): boolean {
    return (
      valueKey(this.key) === valueKey(other.key) &&
      this.unique === other.unique &&
      this.sparse === other.sparse &&
      sameCollation(this.collation, other.collation)
    );
  }
}

function stripSpec(spec: Document): Document {
  const out: Document = {};
  for (const k of ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'weights', 'default_language', 'collation']) {
    const v: unknown = spec[k];
    if (v !== undefined) out[k] = v;
  }
  if (Object.values(spec.key as Document).includes('text')) out.textIndexVersion = 3;
  return out;
}

/** mongod's default index name: `field_1_other_-1`. */
export function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join('_');
}
