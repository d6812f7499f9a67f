import type { Document } from 'bson';
import { escapeRegExp } from './query.js';

/** True for a collation that compares strings case-insensitively (strength 1 or 2). */
export function isCaseInsensitive(collation: unknown): boolean {
  if (!collation || typeof collation !== 'object') return false;
  const strength = Number((collation as Document).strength ?? 3);
  return strength <= 2;
}

/**
 * Rewrites string equality in a filter into anchored case-insensitive regular expressions, which is
 * what a strength-1/2 collation means for matching (mingo applies collations to sorting only).
 */
export function collateFilter(filter: unknown): unknown {
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) return filter;
  const out: Document = {};
  for (const [k, v] of Object.entries(filter as Record<string, unknown>)) {
    if (k === '$and' || k === '$or' || k === '$nor') {
      out[k] = Array.isArray(v) ? v.map(collateFilter) : v;
    } else if (k.startsWith('$')) {
      out[k] = v;
    } else {
      out[k] = collateCondition(v);
    }
  }
  return out;
}

function collateCondition(v: unknown): unknown {
  if (typeof v === 'string') return exact(v);
  if (!v || typeof v !== 'object' || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return v;
  const out: Document = {};
  for (const [op, arg] of Object.entries(v as Record<string, unknown>)) {
    if ((op === '$eq' || op === '$ne') && typeof arg === 'string') out[op === '$eq' ? '$regex' : '$not'] = exact(arg);
    else if ((op === '$in' || op === '$nin') && Array.isArray(arg)) out[op] = arg.map((x) => (typeof x === 'string' ? exact(x) : (x as unknown)));
    else out[op] = arg;
  }
  return out;
}

function exact(s: string): RegExp {
  return new RegExp(`^${escapeRegExp(s)}$`, 'i');
}

/** Applies a command's case-insensitive collation to the filters it carries, in place. */
export function applyCollation(cmd: Document): void {
  const top = isCaseInsensitive(cmd.collation);
  if (top) {
    if (cmd.filter) cmd.filter = collateFilter(cmd.filter);
    if (cmd.query) cmd.query = collateFilter(cmd.query);
    const first = Array.isArray(cmd.pipeline) ? (cmd.pipeline[0] as Document | undefined) : undefined;
    if (first?.$match) first.$match = collateFilter(first.$match);
  }
  for (const field of ['updates', 'deletes']) {
    const list: unknown = cmd[field];
    if (!Array.isArray(list)) continue;
    for (const stmt of list as Document[]) {
      if (isCaseInsensitive(stmt.collation) || (top && stmt.collation === undefined)) stmt.q = collateFilter(stmt.q);
    }
  }
}
