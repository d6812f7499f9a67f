import type { Document } from 'bson';
import { commandError } from './errors.js';
import { escapeRegExp } from './query.js';

/** The defaults mongod fills into a collation it stores with an index (ICU 57.1's, as listIndexes shows them). */
const COLLATION_DEFAULTS = {
  caseLevel: false,
  caseFirst: 'off',
  strength: 3,
  numericOrdering: false,
  alternate: 'non-ignorable',
  maxVariable: 'punct',
  normalization: false,
  backwards: false,
  version: '57.1',
} as const;

/**
 * A collation as mongod stores it with an index: every option filled in, or undefined for the
 * simple (binary) collation (`locale: 'simple'` or none).
 */
export function normalizeCollation(collation: unknown): Document | undefined {
  if (collation === undefined || collation === null) return undefined;
  if (typeof collation !== 'object' || Array.isArray(collation)) throw commandError('TypeMismatch', "Field 'collation' must be an object");
  const { locale } = collation as Document;
  if (typeof locale !== 'string') throw commandError('BadValue', "Missing expected field 'locale'");
  if (locale === 'simple') return undefined;
  return { locale, ...COLLATION_DEFAULTS, ...(collation as Document) };
}

/** True when two collations (normalized or not) order and match strings the same way. */
export function sameCollation(a: unknown, b: unknown): boolean {
  const x = normalizeCollation(a);
  const y = normalizeCollation(b);
  if (x === undefined || y === undefined) return x === y;
  return Object.keys(COLLATION_DEFAULTS).every((k) => k === 'version' || x[k] === y[k]) && x.locale === y.locale;
}

/** True for a collation that compares strings case-insensitively (strength 1 or 2). */
export function isCaseInsensitive(collation: unknown): boolean {
  if (!collation || typeof collation !== 'object') return false;
  const strength = Number((collation as Document).strength ?? 3);
  return strength <= 2;
}

/**
 * The key two strings share exactly when a case-insensitive collation calls them equal (used by
 * unique indexes with such a collation); other values are returned unchanged.
 */
export function collationKey(value: unknown, collation: unknown): unknown {
  if (typeof value !== 'string' || !isCaseInsensitive(collation)) return value;
  const folded = value.normalize('NFC').toLowerCase();
  return Number((collation as Document).strength) === 1 ? folded.normalize('NFD').replace(/\p{M}/gu, '') : folded;
}

const COMPARISONS = new Set(['$gt', '$gte', '$lt', '$lte']);

/**
 * Rewrites a filter for a strength-1/2 collation (mingo applies collations to sorting only):
 * string equality becomes an anchored case-insensitive regular expression, and string comparisons
 * (`$gt` …) compare lower-cased values through `$expr`, still only against strings as in mongod.
 * Regular expressions keep their own flags: mongod does not collate them either.
 */
export function collateFilter(filter: unknown): unknown {
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) return filter;
  const out: Document = {};
  const comparisons: Document[] = [];
  for (const [k, v] of Object.entries(filter as Record<string, unknown>)) {
    if (k === '$and' || k === '$or' || k === '$nor') {
      out[k] = Array.isArray(v) ? v.map(collateFilter) : v;
    } else if (k.startsWith('$')) {
      out[k] = v;
    } else {
      out[k] = collateCondition(k, v, comparisons);
    }
  }
  return comparisons.length === 0 ? out : { $and: [out, ...comparisons] };
}

function collateCondition(field: string, v: unknown, comparisons: Document[]): unknown {
  if (typeof v === 'string') return exact(v);
  if (!v || typeof v !== 'object' || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return v;
  const out: Document = {};
  for (const [op, arg] of Object.entries(v as Record<string, unknown>)) {
    if ((op === '$eq' || op === '$ne') && typeof arg === 'string') out[op === '$eq' ? '$regex' : '$not'] = exact(arg);
    else if ((op === '$in' || op === '$nin') && Array.isArray(arg)) out[op] = arg.map((x) => (typeof x === 'string' ? exact(x) : (x as unknown)));
    else if (COMPARISONS.has(op) && typeof arg === 'string') {
      out.$type = 'string';
      comparisons.push({ $expr: { [op]: [{ $toLower: `$${field}` }, arg.toLowerCase()] } });
    } else out[op] = arg;
  }
  return out;
}

/** Marks the regular expressions {@link collateFilter} makes from a string equality, with that string. */
const EXACT_TEXT = Symbol('collated equality');

function exact(s: string): RegExp {
  const re = new RegExp(`^${escapeRegExp(s)}$`, 'i');
  Object.defineProperty(re, EXACT_TEXT, { value: s });
  return re;
}

/**
 * The strings a collated equality condition (as {@link collateFilter} rewrote it: a regex, `{$regex}`
 * or `{$in}` of them) equals case-insensitively; undefined for any other condition. Lets the planner
 * serve it from a case-folded hash index instead of a scan (the regexes still decide the match).
 */
export function collatedEqualityValues(condition: unknown): string[] | undefined {
  const text = (v: unknown): string | undefined => (v instanceof RegExp ? (v as RegExp & { [EXACT_TEXT]?: string })[EXACT_TEXT] : undefined);
  const one = text(condition);
  if (one !== undefined) return [one];
  if (!condition || typeof condition !== 'object' || Array.isArray(condition)) return undefined;
  const ops = Object.keys(condition);
  if (ops.length !== 1) return undefined;
  const arg = (condition as Document)[ops[0]!] as unknown;
  if (ops[0] === '$regex') {
    const t = text(arg);
    return t === undefined ? undefined : [t];
  }
  if (ops[0] === '$in' && Array.isArray(arg)) {
    const texts = arg.map(text);
    return texts.every((t) => t !== undefined) ? texts : undefined;
  }
  return undefined;
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
