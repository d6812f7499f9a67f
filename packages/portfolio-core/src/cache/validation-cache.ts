import QuickLRU from 'quick-lru';
import { isValidName } from '../portfolio/rules.js';

/** Default number of cached name verdicts (use 2000 in production). */
export const DEFAULT_VALIDATION_CACHE_SIZE = 1000;

/** Longer inputs are checked without caching so huge strings never sit in memory. */
const MAX_CACHED_KEY_LENGTH = 256;

/** Options of {@link createValidationCache}. */
export interface ValidationCacheOptions {
  /** Maximum number of cached verdicts; default {@link DEFAULT_VALIDATION_CACHE_SIZE}. */
  readonly maxSize?: number;
}

/** Counters of a validation cache, for metrics and health pages. */
export interface ValidationCacheStats {
  /** Lookups answered from the cache. */
  readonly hits: number;
  /** Lookups that had to run the check. */
  readonly misses: number;
  /** Verdicts currently cached. */
  readonly size: number;
  /** Capacity. */
  readonly maxSize: number;
  /** `hits / (hits + misses)`, 0 before the first lookup. */
  readonly hitRatio: number;
}

/** An LRU cache of name-rule verdicts keyed by the raw (untrimmed) name. */
export interface ValidationCache {
  /** Whether `raw` satisfies the name rule, answered from the cache when possible. */
  isValidName(raw: string): boolean;
  /** Current counters. */
  stats(): ValidationCacheStats;
  /** Drops every cached verdict and resets the counters. */
  clear(): void;
}

/**
 * Creates a validation cache backed by quick-lru.
 * @param options capacity; must be a positive integer
 */
export function createValidationCache(options: ValidationCacheOptions = {}): ValidationCache {
  const maxSize = options.maxSize ?? DEFAULT_VALIDATION_CACHE_SIZE;
  if (!Number.isInteger(maxSize) || maxSize < 1) {
    throw new RangeError(`Validation cache maxSize must be a positive integer, got ${String(maxSize)}`);
  }
  const lru = new QuickLRU<string, boolean>({ maxSize });
  let hits = 0;
  let misses = 0;
  return {
    isValidName(raw) {
      if (raw.length > MAX_CACHED_KEY_LENGTH) {
        misses += 1;
        return isValidName(raw);
      }
      const cached = lru.get(raw);
      if (cached !== undefined) {
        hits += 1;
        return cached;
      }
      misses += 1;
      const verdict = isValidName(raw);
      lru.set(raw, verdict);
      return verdict;
    },
    stats() {
      const total = hits + misses;
      return { hits, misses, size: lru.size, maxSize, hitRatio: total === 0 ? 0 : hits / total };
    },
    clear() {
      lru.clear();
      hits = 0;
      misses = 0;
    },
  };
}
