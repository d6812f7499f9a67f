import type { Document } from 'bson';
import { valueKey } from './values.js';

/**
 * The lookup keys of `doc` for equality on `path`: the value's key, plus each element's key when the
 * value is an array (equality matches an element too). Undefined when the path crosses an array,
 * where matching needs mingo's array traversal: such documents are candidates for every lookup.
 */
export function fieldKeys(doc: Document, path: string, fold = false): string[] | undefined {
  let value: unknown = doc;
  for (const part of path.includes('.') ? path.split('.') : [path]) {
    if (Array.isArray(value)) return undefined;
    value = value !== null && typeof value === 'object' ? (value as Document)[part] : undefined;
  }
  const key = fold ? foldedKey : valueKey;
  if (!Array.isArray(value)) return [key(value ?? null)];
  const keys = new Set<string>([valueKey(value)]);
  for (const element of value) keys.add(key(element ?? null));
  return [...keys];
}

/**
 * The lookup key of a value for case-insensitive equality: strings upper-cased (the case folding of
 * a case-insensitive regular expression, so every string such a regex matches shares the key of
 * the regex's text), other values as {@link valueKey}.
 */
export function foldedKey(value: unknown): string {
  return valueKey(typeof value === 'string' ? value.toUpperCase() : value);
}

/**
 * Documents grouped by the value of one field, serving equality and `$in` on the leading field of
 * any index (unique or not) as a hash lookup instead of a collection scan. Lookups return a superset
 * of the matches; the caller still applies the full filter.
 */
export class FieldIndex {
  /** One document directly (the common unique-ish value), several in a map by `_id` key. */
  private readonly byKey = new Map<string, Document | Map<string, Document>>();
  /** Documents whose path crosses an array: returned by every lookup. */
  private readonly unkeyed = new Map<string, Document>();

  /**
   * @param fold key strings case-insensitively ({@link foldedKey}), for the equalities a
   * case-insensitive collation turns into case-insensitive regular expressions
   */
  constructor(
    readonly path: string,
    readonly fold = false,
  ) {}

  add(idKey: string, doc: Document): void {
    const key = this.scalarKey(doc);
    if (key !== undefined) {
      this.addKey(key, idKey, doc);
      return;
    }
    const keys = fieldKeys(doc, this.path, this.fold);
    if (keys === undefined) {
      this.unkeyed.set(idKey, doc);
      return;
    }
    for (const k of keys) this.addKey(k, idKey, doc);
  }

  remove(idKey: string, doc: Document): void {
    const key = this.scalarKey(doc);
    if (key !== undefined) {
      this.removeKey(key, idKey, doc);
      return;
    }
    const keys = fieldKeys(doc, this.path, this.fold);
    if (keys === undefined) {
      this.unkeyed.delete(idKey);
      return;
    }
    for (const k of keys) this.removeKey(k, idKey, doc);
  }

  /** The one key of a top-level, non-array value (the common case, without building a list). */
  private scalarKey(doc: Document): string | undefined {
    if (this.path.includes('.')) return undefined;
    const value: unknown = doc[this.path];
    if (Array.isArray(value)) return undefined;
    return this.fold ? foldedKey(value ?? null) : valueKey(value ?? null);
  }

  private addKey(key: string, idKey: string, doc: Document): void {
    const held = this.byKey.get(key);
    if (held === undefined) this.byKey.set(key, doc);
    else if (held instanceof Map) held.set(idKey, doc);
    else if (held._id === doc._id || valueKey(held._id) === idKey) this.byKey.set(key, doc);
    else this.byKey.set(key, new Map([[valueKey(held._id), held], [idKey, doc]]));
  }

  private removeKey(key: string, idKey: string, doc: Document): void {
    const held = this.byKey.get(key);
    if (held === doc) this.byKey.delete(key);
    else if (held instanceof Map && held.get(idKey) === doc) {
      held.delete(idKey);
      if (held.size === 0) this.byKey.delete(key);
    }
  }

  /** Candidate documents for any of the given value keys, each once, by `_id` key. */
  lookup(keys: readonly string[]): Map<string, Document> {
    const out = new Map<string, Document>();
    for (const key of keys) {
      const held = this.byKey.get(key);
      if (held === undefined) continue;
      if (!(held instanceof Map)) out.set(valueKey(held._id), held);
      else if (keys.length === 1 && this.unkeyed.size === 0) return held;
      else for (const [id, doc] of held) out.set(id, doc);
    }
    for (const [id, doc] of this.unkeyed) out.set(id, doc);
    return out;
  }
}
