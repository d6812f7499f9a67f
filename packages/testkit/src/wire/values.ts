import { Binary, Decimal128, Long, ObjectId, Timestamp, type Document } from 'bson';

/**
 * A string that is equal for two BSON values exactly when mongod treats them as equal
 * (numbers of any type compare by value), used as a hash-map key for `_id` and unique indexes.
 */
export function valueKey(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return 's' + v;
    case 'number':
      return 'n' + (v === 0 ? '0' : String(v));
    case 'boolean':
      return v ? 'bt' : 'bf';
    case 'bigint':
      return 'n' + v.toString();
    case 'undefined':
      return 'z';
    case 'object':
      break;
    default:
      return 'u' + String(v);
  }
  if (v === null) return 'z';
  // The bare 24-digit hex, no type prefix: no other key is 24 hex digits (a date key has at most 17
  // characters), and a flat string hashes without first being copied out of a concatenation.
  if (v instanceof ObjectId) return v.toHexString();
  if (v instanceof Date) return 'd' + String(v.getTime());
  if (v instanceof Long) return 'n' + v.toString();
  if (v instanceof Decimal128) return 'n' + v.toString();
  if (v instanceof Binary) return 'x' + String(v.sub_type) + Buffer.from(v.buffer).toString('base64');
  if (v instanceof Timestamp) return `t${v.t}:${v.i}`;
  if (v instanceof RegExp) return 'r' + v.toString();
  if (Array.isArray(v)) return '[' + v.map(valueKey).join(',') + ']';
  let out = '{';
  for (const k of Object.keys(v)) out += JSON.stringify(k) + ':' + valueKey((v as Document)[k]) + ',';
  return out + '}';
}

/** Reads a dotted path from a document (no array traversal beyond numeric segments). */
export function getPath(doc: Document, path: string): unknown {
  if (!path.includes('.')) return doc[path];
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Document)[part];
  }
  return cur;
}

/** Writes a dotted path into a plain document, creating intermediate objects. */
export function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Document = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i] as string;
    const next: unknown = cur[p];
    if (next === null || typeof next !== 'object') cur[p] = {};
    cur = cur[p] as Document;
  }
  cur[parts[parts.length - 1] as string] = value;
}

/**
 * Copies plain objects and arrays deeply and shares everything else (BSON values are never
 * mutated in place), so stored documents stay immutable while updates build new versions.
 */
export function cloneDoc<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneDoc) as T;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Document = {};
  for (const k of Object.keys(v)) out[k] = cloneDoc((v as Record<string, unknown>)[k]);
  return out as T;
}

/** True for an object whose first key starts with `$` (an operator expression). */
export function isOperatorObject(v: unknown): v is Document {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) return k.startsWith('$');
  return false;
}
