import type { Document } from 'bson';

interface ObjectIdLike {
  toHexString(): string;
}

/**
 * mongod's comparison order of the BSON types a native sort handles: null and missing first, then
 * numbers, strings, ObjectIds, booleans, dates. Other types (objects, arrays, Long, Decimal128, …)
 * are left to mingo.
 */
function typeRank(v: unknown): number | undefined {
  if (v === undefined || v === null) return 1;
  switch (typeof v) {
    case 'number':
      return Number.isNaN(v) ? undefined : 2;
    case 'string':
      return 3;
    case 'boolean':
      return 8;
    default:
      // By tag, not instanceof: another copy of bson (the driver's) makes ObjectIds too.
      if ((v as { _bsontype?: unknown })._bsontype === 'ObjectId') return 7;
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : 9;
      return undefined;
  }
}

function compareSameRank(a: unknown, b: unknown, rank: number): number {
  switch (rank) {
    case 1:
      return 0;
    case 7: {
      const x = (a as ObjectIdLike).toHexString();
      const y = (b as ObjectIdLike).toHexString();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 9:
      return (a as Date).getTime() - (b as Date).getTime();
    case 8:
      return Number(a) - Number(b);
    case 2:
      return (a as number) - (b as number);
    default:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  }
}

/**
 * Sorts `docs` by a sort spec of top-level fields (`{ dateCreated: -1, _id: -1 }`) with a native
 * comparator, in mongod's order, when every value involved is of a type it handles; a stable sort,
 * like mingo's. mingo's generic sort took 1.3 s for 20 000 documents; this takes milliseconds.
 * @returns the sorted array (a new one), or undefined when the spec or a value needs mingo
 */
export function sortNatively(docs: readonly Document[], spec: Document): Document[] | undefined {
  const fields: [string, 1 | -1][] = [];
  for (const [field, direction] of Object.entries(spec) as [string, unknown][]) {
    if (field.includes('.') || field.startsWith('$') || (direction !== 1 && direction !== -1)) return undefined;
    fields.push([field, direction]);
  }
  if (fields.length === 0) return undefined;
  for (const doc of docs) for (const [field] of fields) if (typeRank(doc[field]) === undefined) return undefined;
  return [...docs].sort((a, b) => {
    for (const [field, direction] of fields) {
      const x: unknown = a[field];
      const y: unknown = b[field];
      const rx = typeRank(x) as number;
      const ry = typeRank(y) as number;
      const order = rx !== ry ? rx - ry : compareSameRank(x, y, rx);
      if (order !== 0) return order * direction;
    }
    return 0;
  });
}
