import type { ItemPool, Item } from './pool.js';
import type { Random } from './random.js';

/** Names of the operations a scenario can mix. */
export const OPERATION_NAMES = ['get', 'list', 'search', 'create', 'bulk', 'fastBulk', 'update', 'delete'] as const;

/** One operation name. */
export type OperationName = (typeof OPERATION_NAMES)[number];

/** Tells whether a string names an operation. */
export function isOperationName(value: string): value is OperationName {
  return (OPERATION_NAMES as readonly string[]).includes(value);
}

/** Weight and parameters of one operation in the mix. */
export interface OperationSpec {
  weight: number;
  /** bulk, fastBulk: portfolios per request (1..100). */
  size?: number;
  /** search: `exact`, `like` or `mixed` (half each). */
  mode?: 'exact' | 'like' | 'mixed';
  /** search: page size (1..1000). */
  limit?: number;
  /** search: offsets are drawn from the first `pages` pages. */
  pages?: number;
  /** search: `v2` (/api/v2/portfolios) or `fast` (/api/fast/portfolios/search). */
  api?: 'v2' | 'fast';
}

/** The weighted operation mix. */
export type OperationMix = Partial<Record<OperationName, OperationSpec>>;

/** One HTTP request of an operation; `then` turns its response into the next request, if any. */
export interface PreparedRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: string;
  /** Whether the response body is needed (otherwise it is discarded unread). */
  readBody: boolean;
  /** Tells whether a failed status is a concurrency conflict (a 409, counted apart from errors). */
  isConflict?: (status: number) => boolean;
  /**
   * Tells whether a failed status is of the generator's own making and neither an error nor a
   * conflict: a 404 on a portfolio this thread has itself deleted meanwhile.
   */
  isRace?: (status: number) => boolean;
  /** Handles the response; returns a follow-up request for multi-step operations. */
  then?: (status: number, body: string | undefined) => PreparedRequest | undefined;
}

/** What an operation needs to build requests. */
export interface OperationContext {
  pool: ItemPool;
  random: Random;
  /** Returns a new unique portfolio name. */
  newName(): string;
  /** Prefix shared by every name this thread creates (used for `like` searches). */
  namePrefix: string;
}

interface PortfolioJson {
  portfolioId: string;
  name: string;
  version: number;
}

const isPortfolio = (v: unknown): v is PortfolioJson =>
  typeof v === 'object' && v !== null && typeof (v as PortfolioJson).portfolioId === 'string' && typeof (v as PortfolioJson).version === 'number';

function capture(pool: ItemPool, body: string | undefined, key?: 'portfolios'): void {
  if (body === undefined || body === '') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return;
  }
  const list: unknown = key !== undefined && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>)[key] : parsed;
  const arr = Array.isArray(list) ? (list as unknown[]) : [list];
  for (const p of arr) if (isPortfolio(p)) pool.add({ id: p.portfolioId, version: p.version, name: p.name });
}

const ok = (status: number): boolean => status >= 200 && status < 300;

function createBody(ctx: OperationContext, n: number): string {
  const items = [];
  for (let i = 0; i < n; i++) items.push({ name: ctx.newName() });
  return JSON.stringify(items);
}

/**
 * Builds the first request of an operation, or undefined when it cannot run (for example an
 * update while no portfolio is known yet).
 */
export function prepareOperation(name: OperationName, spec: OperationSpec, ctx: OperationContext): PreparedRequest | undefined {
  const { pool, random } = ctx;
  switch (name) {
    case 'get': {
      const item = pool.pick(random);
      if (item === undefined) return undefined;
      return {
        method: 'GET',
        path: `/api/v1/portfolio/${item.id}`,
        readBody: true,
        // deleted by this generator while the read was in flight: a race, not a service defect
        isRace: (s) => s === 404 && pool.wasDeleted(item.id),
        then(status, body) {
          if (ok(status)) capture(pool, body);
          return undefined;
        },
      };
    }
    case 'list':
      return { method: 'GET', path: '/api/v1/portfolios', readBody: false };
    case 'search': {
      const item = pool.pick(random);
      const mode = spec.mode === 'mixed' || spec.mode === undefined ? (random.next() < 0.5 ? 'exact' : 'like') : spec.mode;
      const limit = spec.limit ?? 50;
      const offset = random.int(Math.max(1, spec.pages ?? 1)) * limit;
      let param: string;
      if (mode === 'exact' && item !== undefined) param = `name=${encodeURIComponent(item.name)}`;
      else {
        // a prefix of a known name, or the thread's own prefix, so the search matches something
        const base = item?.name ?? ctx.namePrefix;
        const cut = Math.max(3, base.length - 1 - random.int(3));
        param = `name_like=${encodeURIComponent(base.slice(0, cut))}`;
      }
      const root = spec.api === 'fast' ? '/api/fast/portfolios/search' : '/api/v2/portfolios';
      return { method: 'GET', path: `${root}?${param}&limit=${limit}&offset=${offset}`, readBody: false };
    }
    case 'create':
      return prepareCreate(ctx);
    case 'bulk':
      return {
        method: 'POST',
        path: '/api/v2/portfolios',
        body: createBody(ctx, spec.size ?? 10),
        readBody: true,
        then(status, body) {
          if (ok(status)) capture(pool, body);
          return undefined;
        },
      };
    case 'fastBulk':
      return {
        method: 'POST',
        path: '/api/fast/portfolios/bulk',
        body: createBody(ctx, spec.size ?? 10),
        readBody: true,
        then(status, body) {
          if (ok(status)) capture(pool, body, 'portfolios');
          return undefined;
        },
      };
    case 'update':
      return prepareUpdate(ctx);
    case 'delete': {
      const item = pool.take(random);
      if (item === undefined) return undefined;
      return { method: 'DELETE', path: `/api/v1/portfolio/${item.id}?version=${item.version}`, readBody: false, isConflict: (s) => s === 409 };
    }
  }
}

/** A v1 POST of one new portfolio; always possible, so it stands in when nothing is known yet. */
export function prepareCreate(ctx: OperationContext): PreparedRequest {
  return {
    method: 'POST',
    path: '/api/v1/portfolios',
    body: JSON.stringify({ name: ctx.newName() }),
    readBody: true,
    then(status, body) {
      if (ok(status)) capture(ctx.pool, body);
      return undefined;
    },
  };
}

/**
 * Read-modify-write: GET the current version, then PUT with it; a 409 is a conflict, a 404 after
 * this thread's own delete of the portfolio a race.
 */
function prepareUpdate(ctx: OperationContext): PreparedRequest | undefined {
  const { pool, random } = ctx;
  const item: Item | undefined = pool.pick(random);
  if (item === undefined) return undefined;
  const id = item.id;
  const raced = (status: number): boolean => status === 404 && pool.wasDeleted(id);
  return {
    method: 'GET',
    path: `/api/v1/portfolio/${id}`,
    readBody: true,
    isRace: raced,
    then(status, body) {
      if (!ok(status) || body === undefined) return undefined;
      let current: PortfolioJson;
      try {
        current = JSON.parse(body) as PortfolioJson;
      } catch {
        return undefined;
      }
      return {
        method: 'PUT',
        path: `/api/v1/portfolio/${id}`,
        body: JSON.stringify({ portfolioId: id, name: item.name, version: current.version }),
        readBody: true,
        isConflict: (s) => s === 409,
        isRace: raced,
        then(s, b) {
          if (ok(s)) capture(pool, b);
          return undefined;
        },
      };
    },
  };
}

/** Picks operations in proportion to their weights with a seeded random source. */
export interface OperationPicker {
  pick(random: Random): OperationName;
  readonly names: readonly OperationName[];
}

/** Creates a weighted picker over the operations with a positive weight. */
export function createOperationPicker(mix: OperationMix): OperationPicker {
  const names: OperationName[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const name of OPERATION_NAMES) {
    const w = mix[name]?.weight ?? 0;
    if (w > 0) {
      total += w;
      names.push(name);
      cumulative.push(total);
    }
  }
  if (names.length === 0) throw new Error('operation mix has no positive weight');
  return {
    names,
    pick(random) {
      const x = random.next() * total;
      for (let i = 0; i < cumulative.length; i++) if (x < (cumulative[i] as number)) return names[i] as OperationName;
      return names[names.length - 1] as OperationName;
    },
  };
}
