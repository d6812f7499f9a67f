import type { Random } from './random.js';

/** A portfolio the generator knows about, as captured from a response. */
export interface Item {
  id: string;
  version: number;
  name: string;
}

/** The ids, versions and names one generator thread draws from; swap-remove keeps it O(1). */
export interface ItemPool {
  readonly size: number;
  /** Adds or refreshes an item; ids already taken for deletion are ignored. */
  add(item: Item): void;
  pick(random: Random): Item | undefined;
  take(random: Random): Item | undefined;
  /** Tells whether this thread took an id for deletion (a later 404 on it is a race, not a defect). */
  wasDeleted(id: string): boolean;
  /** Updates the cached version of an id if it is still known. */
  setVersion(id: string, version: number): void;
  items(): Item[];
}

/** Creates an item pool, optionally pre-filled with seeded items. */
export function createItemPool(initial: readonly Item[] = []): ItemPool {
  const list: Item[] = [];
  const byId = new Map<string, Item>();
  const deleted = new Set<string>();
  const add = (item: Item): void => {
    // a read or update answered after the item was taken for deletion must not bring it back:
    // a second DELETE of it would answer 404, or 409 with the stale version
    if (deleted.has(item.id)) return;
    const known = byId.get(item.id);
    if (known !== undefined) {
      known.version = Math.max(known.version, item.version);
      return;
    }
    const copy = { ...item };
    list.push(copy);
    byId.set(copy.id, copy);
  };
  initial.forEach(add);
  return {
    get size() {
      return list.length;
    },
    add,
    pick: (random) => (list.length === 0 ? undefined : list[random.int(list.length)]),
    take(random) {
      if (list.length === 0) return undefined;
      const i = random.int(list.length);
      const item = list[i] as Item;
      const last = list.pop() as Item;
      if (i < list.length) list[i] = last;
      byId.delete(item.id);
      deleted.add(item.id);
      return item;
    },
    wasDeleted: (id) => deleted.has(id),
    setVersion(id, version) {
      const item = byId.get(id);
      if (item !== undefined && version > item.version) item.version = version;
    },
    items: () => list.map((i) => ({ ...i })),
  };
}
