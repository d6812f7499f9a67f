import { ObjectId, type Document } from 'bson';
import { Query } from 'mingo';
import type { Options } from 'mingo/types';
import { collatedEqualityValues, isCaseInsensitive } from './collation.js';
import type { DocStore } from './collection.js';
import { commandError } from './errors.js';
import { foldedKey } from './field-index.js';
import type { IndexDef } from './indexes.js';
import { getPath, isOperatorObject, valueKey } from './values.js';

/** mingo options shared by every query, projection and pipeline. */
export const mingoOptions: Partial<Options> = { scriptEnabled: false };

/** A compiled filter: the candidate documents an index gives and the test each must pass. */
export interface Selection {
  /** Documents to test; from an `_id` or unique-index hash lookup when the filter allows one. */
  candidates: Iterable<Document>;
  /** Full filter test, or undefined when every candidate already matches. */
  test: ((doc: Document) => boolean) | undefined;
  /** Index used for candidate lookup (for explain), if any. */
  index: IndexDef | undefined;
}

/** Plans and compiles `filter` against a collection view. */
export function select(store: DocStore, filter: Document | undefined): Selection {
  const f = filter ?? {};
  const keys = Object.keys(f);
  let text: ((doc: Document) => boolean) | undefined;
  let rest = f;
  if (f.$text !== undefined) {
    text = compileText(store, f.$text);
    rest = { ...f };
    delete rest.$text;
  }
  const restKeys = text ? keys.filter((k) => k !== '$text') : keys;
  const match = restKeys.length === 0 ? undefined : compileMatch(rest, restKeys);
  const test = text && match ? (d: Document) => text(d) && match(d) : (text ?? match);

  const coll = store.collection;
  const idIndex = coll.indexes[0] as IndexDef;
  if (restKeys.includes('_id')) {
    const ids = equalityValues(rest._id);
    if (ids) {
      const candidates = new Set<Document>();
      for (const id of ids) {
        const doc = store.get(valueKey(id));
        if (doc) candidates.add(doc);
      }
      return { candidates, test: restKeys.length === 1 && !text ? undefined : test, index: idIndex };
    }
  }
  for (const def of coll.uniqueIndexes()) {
    if (!def.fields.every((field) => restKeys.includes(field))) continue;
    const values = def.fields.map((field) => equalityValues(rest[field]));
    if (values.some((v) => v?.length !== 1)) continue;
    const probe: Document = {};
    def.fields.forEach((field, i) => (probe[field] = (values[i] as unknown[])[0]));
    const key = def.keyOf(probe);
    if (key === undefined) continue;
    const doc = store.findUnique(def, key);
    return { candidates: doc ? [doc] : [], test, index: def };
  }
  for (const field of restKeys) {
    if (field.startsWith('$')) continue;
    const values = equalityValues(rest[field]);
    if (values === undefined) continue;
    const found = store.findByField(field, values.map((v) => valueKey(v ?? null)));
    if (found === undefined) continue;
    const index = coll.indexes.find((def) => def.fields[0] === field);
    return { candidates: found.values(), test, index };
  }
  // Equality under a case-insensitive collation (rewritten into case-insensitive regexes): candidates
  // from a case-folded hash index; the regexes still decide.
  for (const field of restKeys) {
    if (field.startsWith('$')) continue;
    const values = collatedEqualityValues(rest[field]);
    if (values === undefined) continue;
    const found = store.findByField(field, values.map(foldedKey), true);
    if (found === undefined) continue;
    const index = coll.indexes.find((def) => def.fields[0] === field && isCaseInsensitive(def.collation)) ?? coll.indexes.find((def) => def.fields[0] === field);
    return { candidates: found.values(), test, index };
  }
  return { candidates: store.scan(), test, index: undefined };
}

/**
 * A predicate for `filter`: plain top-level equalities on scalars, ObjectIds and Dates are compared
 * by value key directly (the common `{_id, version}` shape); anything else goes to mingo, which is
 * compiled only when first needed.
 */
function compileMatch(filter: Document, keys: string[]): (doc: Document) => boolean {
  let mingo: Query | undefined;
  const viaMingo = (doc: Document): boolean => (mingo ??= new Query(filter, mingoOptions)).test(doc);
  const simple: [string, string][] = [];
  for (const k of keys) {
    const v: unknown = filter[k];
    if (k.startsWith('$') || k.includes('.') || !isSimpleValue(v)) return viaMingo;
    simple.push([k, valueKey(v)]);
  }
  return (doc) => {
    for (const [k, key] of simple) {
      const v: unknown = doc[k];
      if (Array.isArray(v)) return viaMingo(doc);
      if (valueKey(v ?? null) !== key) return false;
    }
    return true;
  };
}

function isSimpleValue(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === 'string' || t === 'number' || t === 'boolean' || v instanceof ObjectId || v instanceof Date;
}

/** Values `v` must equal when it is an equality condition (`x`, `{$eq: x}`, `{$in: [...]}`), else undefined. */
function equalityValues(v: unknown): unknown[] | undefined {
  if (v instanceof RegExp) return undefined;
  if (!isOperatorObject(v)) return [v];
  const ops = Object.keys(v);
  if (ops.length !== 1) return undefined;
  const eq: unknown = v.$eq;
  if (ops[0] === '$eq' && !(eq instanceof RegExp) && !isOperatorObject(eq)) return [eq];
  if (ops[0] === '$in' && Array.isArray(v.$in) && v.$in.every((x) => !(x instanceof RegExp) && !isOperatorObject(x))) {
    return v.$in as unknown[];
  }
  return undefined;
}

/** Runs a selection to completion: every matching document in natural order. */
export function matchAll(sel: Selection, limit = Infinity): Document[] {
  const out: Document[] = [];
  if (limit <= 0) return out;
  for (const doc of sel.candidates) {
    if (sel.test && !sel.test(doc)) continue;
    out.push(doc);
    if (out.length >= limit) break;
  }
  return out;
}

function compileText(store: DocStore, spec: unknown): (doc: Document) => boolean {
  const textIndex = store.collection.indexes.find((d) => d.textFields.length > 0);
  if (!textIndex) throw commandError('IndexNotFound', 'text index required for $text query');
  if (!spec || typeof spec !== 'object' || typeof (spec as Document).$search !== 'string') {
    throw commandError('BadValue', '$text requires a $search string');
  }
  const { $search, $caseSensitive } = spec as Document;
  const flags = $caseSensitive === true ? 'u' : 'iu';
  const phrases: RegExp[] = [];
  const search = ($search as string).replace(/"([^"]*)"/g, (_m, p: string) => {
    if (p.trim()) phrases.push(new RegExp(escapeRegExp(p.trim()), flags));
    return ' ';
  });
  const words: RegExp[] = [];
  const negated: RegExp[] = [];
  for (const w of search.split(/\s+/)) {
    if (!w) continue;
    const neg = w.startsWith('-');
    const word = neg ? w.slice(1) : w;
    if (!word) continue;
    (neg ? negated : words).push(new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(word)}($|[^\\p{L}\\p{N}])`, flags));
  }
  const fields = textIndex.textFields;
  return (doc) => {
    const text = fields.map((f) => textOf(f === '$**' ? doc : getPath(doc, f))).join('\n');
    if (negated.some((r) => r.test(text))) return false;
    if (!phrases.every((r) => r.test(text))) return false;
    return words.length === 0 ? phrases.length > 0 : words.some((r) => r.test(text));
  };
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(textOf).join('\n');
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).map(textOf).join('\n');
  return '';
}

/** Escapes regular-expression metacharacters. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
