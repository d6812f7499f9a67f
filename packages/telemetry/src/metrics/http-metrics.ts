import type { Attributes, Counter, Histogram, Meter, ObservableResult } from '@opentelemetry/api';
import { sanitizePath, toRoutePattern } from './route-path.js';

/** Bucket bounds (ms) of `http_request_duration`, as the original's dashboards expect. */
export const HTTP_DURATION_BUCKETS_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** Label used for unmatched paths once the distinct-path budget is spent. */
export const OTHER_PATH = '/{other}';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

/** One request in flight, returned by `start` and handed back to `end`. */
export interface HttpRequestToken {
  readonly startTime: number;
  readonly method: string;
  readonly inFlightAttributes: Attributes;
}

/** Records `http_requests_total`, `http_request_duration` (ms) and `http_requests_in_flight`. */
export interface HttpMetrics {
  /** Marks a request as started. */
  start(method: string, rawPath: string): HttpRequestToken;
  /**
   * Marks a request as finished.
   * @param route router pattern (`/portfolio/:id`) when matched; otherwise `rawPath` is sanitised.
   */
  end(token: HttpRequestToken, status: number, route: string | undefined, rawPath: string): void;
}

/** Options of `createHttpMetrics`. */
export interface HttpMetricsOptions {
  /** Distinct unmatched-path labels kept before they collapse into `/{other}`. */
  maxUnmatchedPaths?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

/**
 * Creates the framework-free HTTP metric recorder; attribute objects are cached per
 * method/path/status so the hot path allocates only the token.
 */
export function createHttpMetrics(meter: Meter, options: HttpMetricsOptions = {}): HttpMetrics {
  const now = options.now ?? (() => performance.now());
  const maxUnmatched = options.maxUnmatchedPaths ?? 200;
  const total: Counter = meter.createCounter('http_requests_total', { description: 'Total number of HTTP requests', unit: '1' });
  const duration: Histogram = meter.createHistogram('http_request_duration', {
    description: 'HTTP request duration in milliseconds',
    unit: 'ms',
    advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS_MS] },
  });
  // In-flight counts are plain integers read at collection time: no SDK work per request.
  const inFlightCounts = new Map<Attributes, { n: number }>();
  meter
    .createObservableUpDownCounter('http_requests_in_flight', { description: 'Number of HTTP requests currently being processed', unit: '1' })
    .addCallback((result: ObservableResult) => {
      for (const [attrs, count] of inFlightCounts) result.observe(count.n, attrs);
    });

  const attrCache = new Map<string, Map<string, Map<number, Attributes>>>();
  const inFlightCache = new Map<string, Attributes>();
  const unmatched = new Set<string>();

  const normMethod = (m: string): string => {
    if (KNOWN_METHODS.has(m)) return m;
    const u = m.toUpperCase();
    return KNOWN_METHODS.has(u) ? u : '_OTHER';
  };
  const unmatchedLabel = (rawPath: string): string => {
    const p = sanitizePath(rawPath);
    if (unmatched.has(p)) return p;
    if (unmatched.size >= maxUnmatched) return OTHER_PATH;
    unmatched.add(p);
    return p;
  };
  const attributes = (method: string, path: string, status: number): Attributes => {
    let byPath = attrCache.get(method);
    if (byPath === undefined) attrCache.set(method, (byPath = new Map<string, Map<number, Attributes>>()));
    let byStatus = byPath.get(path);
    if (byStatus === undefined) byPath.set(path, (byStatus = new Map<number, Attributes>()));
    let attrs = byStatus.get(status);
    if (attrs === undefined) byStatus.set(status, (attrs = Object.freeze({ method, path, status: String(status) })));
    return attrs;
  };

  return {
    start(method) {
      const m = normMethod(method);
      let attrs = inFlightCache.get(m);
      if (attrs === undefined) {
        inFlightCache.set(m, (attrs = Object.freeze({ method: m })));
        inFlightCounts.set(attrs, { n: 0 });
      }
      const count = inFlightCounts.get(attrs);
      if (count !== undefined) count.n += 1;
      return { startTime: now(), method: m, inFlightAttributes: attrs };
    },
    end(token, status, route, rawPath) {
      const elapsed = now() - token.startTime;
      const count = inFlightCounts.get(token.inFlightAttributes);
      if (count !== undefined) count.n -= 1;
      const path = route !== undefined && route !== '' ? toRoutePattern(route) : unmatchedLabel(rawPath);
      const code = Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;
      const attrs = attributes(token.method, path, code);
      total.add(1, attrs);
      duration.record(elapsed, attrs);
    },
  };
}
