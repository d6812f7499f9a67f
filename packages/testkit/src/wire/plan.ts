import type { Document } from 'bson';
import { sameCollation } from './collation.js';
import type { Collection } from './collection.js';
import type { IndexDef } from './indexes.js';
import type { Selection } from './query.js';

const NOT_INDEXABLE = new Set(['$ne', '$nin', '$not', '$exists', '$type', '$where', '$expr']);

/**
 * The winning plan mongod would report for a query: IDHACK for `_id` equality, TEXT_MATCH for
 * `$text`, FETCH over IXSCAN when an index prefix serves the filter or the sort, else COLLSCAN.
 * As in mongod, an index bounds string (or regex) conditions and provides a sort only when its
 * collation is the query's (both simple, or the same locale and options); a collated index never
 * serves a regular expression.
 */
export function winningPlan(
  coll: Collection | undefined,
  sel: Selection | undefined,
  filter: Document,
  opts: { sort?: Document | undefined; limit?: number | undefined; skip?: number | undefined; collation?: Document | undefined },
): Document {
  const keys = Object.keys(filter);
  let plan: Document | undefined;
  let sortedBy: IndexDef | undefined;
  if (coll && sel?.index?.name === '_id_' && keys.length === 1) {
    plan = { stage: 'IDHACK' };
  } else if (coll && filter.$text !== undefined) {
    const text = coll.indexes.find((d) => d.textFields.length > 0);
    plan = { stage: 'TEXT_MATCH', inputStage: { stage: 'FETCH', inputStage: ixscan(text as IndexDef, 'forward') } };
  } else if (coll) {
    const collated = (def: IndexDef): boolean => sameCollation(def.collation, opts.collation);
    let best: IndexDef | undefined;
    let bestLen = 0;
    for (const def of coll.indexes) {
      let len = 0;
      for (const f of def.fields) {
        if (!keys.includes(f) || !indexable(filter[f]) || (!collated(def) && bindsStrings(filter[f], def))) break;
        len++;
      }
      if (len > bestLen || (len === bestLen && len > 0 && best && def.unique && !best.unique)) {
        best = def;
        bestLen = len;
      }
    }
    if (!best && opts.sort) {
      const sortKeys = Object.entries(opts.sort);
      best = coll.indexes.find((def) => collated(def) && sortKeys.every(([f], i) => def.fields[i] === f) && sortKeys.length > 0);
      if (best) sortedBy = best;
    }
    if (best) {
      const rest = keys.filter((k) => !best.fields.includes(k));
      const direction = sortedBy && opts.sort && directionOf(best, opts.sort) < 0 ? 'backward' : 'forward';
      plan = { stage: 'FETCH', ...(rest.length > 0 ? { filter: pick(filter, rest) } : {}), inputStage: ixscan(best, direction) };
      if (!sortedBy && opts.sort && collated(best) && providesSort(best, bestLen, opts.sort)) sortedBy = best;
    }
  }
  plan ??= { stage: 'COLLSCAN', filter, direction: 'forward' };
  if (opts.sort && Object.keys(opts.sort).length > 0 && !sortedBy) {
    plan = { stage: 'SORT', sortPattern: opts.sort, memLimit: 104857600, type: 'simple', inputStage: plan };
  }
  if (opts.skip) plan = { stage: 'SKIP', skipAmount: opts.skip, inputStage: plan };
  if (opts.limit) plan = { stage: 'LIMIT', limitAmount: opts.limit, inputStage: plan };
  return plan;
}

function indexable(cond: unknown): boolean {
  if (cond && typeof cond === 'object' && !(cond instanceof RegExp) && Object.getPrototypeOf(cond) === Object.prototype) {
    const ops = Object.keys(cond);
    if (ops.length > 0 && ops.every((o) => o.startsWith('$'))) return ops.some((o) => !NOT_INDEXABLE.has(o));
  }
  return true;
}

/**
 * True when a condition needs the index's collation to bound it: it compares against strings, or
 * is a regular expression (which a collated index, holding collation keys, cannot evaluate).
 */
function bindsStrings(cond: unknown, def: IndexDef): boolean {
  if (typeof cond === 'string' || cond instanceof RegExp) return true;
  if (cond && typeof cond === 'object' && Object.getPrototypeOf(cond) === Object.prototype) {
    return Object.entries(cond).some(([op, arg]) =>
      op === '$regex' ? true : Array.isArray(arg) ? arg.some((x) => bindsStrings(x, def)) : bindsStrings(arg, def),
    );
  }
  return false;
}

function ixscan(def: IndexDef, direction: string): Document {
  return {
    stage: 'IXSCAN',
    keyPattern: def.key,
    indexName: def.name,
    isMultiKey: false,
    isUnique: def.unique,
    isSparse: def.sparse,
    isPartial: def.spec.partialFilterExpression !== undefined,
    indexVersion: 2,
    direction,
  };
}

function directionOf(def: IndexDef, sort: Document): number {
  const [first] = Object.entries(sort);
  if (!first) return 1;
  return Number(def.key[first[0]]) === Number(first[1]) ? 1 : -1;
}

/** True when the index, after `eqLen` equality-bound fields, yields documents in `sort` order. */
function providesSort(def: IndexDef, eqLen: number, sort: Document): boolean {
  const sortKeys = Object.keys(sort);
  const tail = def.fields.slice(eqLen);
  if (sortKeys.length > tail.length) return false;
  const sign = Number(def.key[sortKeys[0] as string]) === Number(sort[sortKeys[0] as string]) ? 1 : -1;
  return sortKeys.every((k, i) => tail[i] === k && Number(def.key[k]) * sign === Number(sort[k]));
}

function pick(doc: Document, keys: string[]): Document {
  const out: Document = {};
  for (const k of keys) out[k] = doc[k] as unknown;
  return out;
}
