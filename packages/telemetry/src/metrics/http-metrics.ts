import { ValueType, type Attributes, type Meter, type ObservableResult } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type CollectionResult, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { toRoutePattern } from './route-path.js';

/** Bucket bounds (ms) of `http_request_duration`, as the original's dashboards expect. */
export const HTTP_DURATION_BUCKETS_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** The one `path` label of every request no route matched: a raw path is whatever a client sent. */
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
  start(method: string): HttpRequestToken;
  /**
   * Marks a request as finished.
   * @param route router pattern (`/portfolio/:id`) when matched; otherwise the request counts under `/{other}`.
   */
  end(token: HttpRequestToken, status: number, route: string | undefined): void;
}

/** Options of `createHttpMetrics`. */
export interface HttpMetricsOptions {
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /**
   * Receives a producer of `http_request_duration` to register on the metric readers; the
   * histogram is then aggregated here (plain bucket counters, no SDK record per request). Without
   * it the duration is an SDK histogram on `meter`.
   */
  registerProducer?: (producer: MetricProducer) => void;
  /** Instrumentation scope the producer reports under. */
  scope?: { name: string; version?: string };
}

/** Cumulative histogram state of one attribute set. */
interface DurationState {
  readonly startTime: [number, number];
  readonly counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

function bucketIndex(value: number): number {
  // Prometheus buckets are upper-inclusive, as the SDK's explicit-bucket aggregation.
  let i = 0;
  while (i < HTTP_DURATION_BUCKETS_MS.length && value > (HTTP_DURATION_BUCKETS_MS[i] as number)) i += 1;
  return i;
}

/**
 * Creates the framework-free HTTP metric recorder; attribute objects are cached per
 * method/path/status so the hot path allocates only the token.
 */
export function createHttpMetrics(meter: Meter, options: HttpMetricsOptions = {}): HttpMetrics {
  const now = options.now ?? (() => performance.now());
  /**
   * One method/path/status label set: its frozen attributes, its request total and (when the
   * histogram is aggregated here) its duration state, all reached by one cache lookup per request.
   */
  type Series = { readonly attrs: Attributes; total: number; duration?: DurationState };
  const allSeries: Series[] = [];
  // Totals are plain integers read at collection time: one SDK record (the histogram) per request
  // instead of two.
  meter
    .createObservableCounter('http_requests_total', { description: 'Total number of HTTP requests', unit: '1' })
    .addCallback((result: ObservableResult) => {
      for (const series of allSeries) result.observe(series.total, series.attrs);
    });
  const durationDescriptor = { name: 'http_request_duration', description: 'HTTP request duration in milliseconds', unit: 'ms' };
  let recordDuration: (elapsed: number, series: Series) => void;
  if (options.registerProducer === undefined) {
    const histogram = meter.createHistogram(durationDescriptor.name, {
      description: durationDescriptor.description,
      unit: durationDescriptor.unit,
      advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS_MS] },
    });
    recordDuration = (elapsed, series) => histogram.record(elapsed, series.attrs);
  } else {
    recordDuration = (elapsed, series) => {
      const state = (series.duration ??= {
        startTime: hrTime(),
        counts: new Array<number>(HTTP_DURATION_BUCKETS_MS.length + 1).fill(0),
        sum: 0,
        count: 0,
        min: Infinity,
        max: -Infinity,
      });
      const i = bucketIndex(elapsed);
      state.counts[i] = (state.counts[i] ?? 0) + 1;
      state.sum += elapsed;
      state.count += 1;
      if (elapsed < state.min) state.min = elapsed;
      if (elapsed > state.max) state.max = elapsed;
    };
    const scope = options.scope ?? { name: '@globeco/telemetry' };
    options.registerProducer({
      collect: (): Promise<CollectionResult> => {
        const endTime = hrTime();
        const dataPoints = allSeries.flatMap(({ attrs: attributes, duration: s }) =>
          s === undefined
            ? []
            : [
                {
                  attributes,
                  startTime: s.startTime,
                  endTime,
                  value: { buckets: { boundaries: [...HTTP_DURATION_BUCKETS_MS], counts: [...s.counts] }, sum: s.sum, count: s.count, min: s.min, max: s.max },
                },
              ],
        );
        const metrics =
          dataPoints.length === 0
            ? []
            : [
                {
                  descriptor: { ...durationDescriptor, valueType: ValueType.DOUBLE },
                  aggregationTemporality: AggregationTemporality.CUMULATIVE,
                  dataPointType: DataPointType.HISTOGRAM as const,
                  dataPoints,
                },
              ];
        return Promise.resolve({ resourceMetrics: { resource: emptyResource(), scopeMetrics: [{ scope, metrics }] }, errors: [] });
      },
    });
  }
  // In-flight counts are plain integers read at collection time: no SDK work per request.
  const inFlightCounts = new Map<Attributes, { n: number }>();
  meter
    .createObservableUpDownCounter('http_requests_in_flight', { description: 'Number of HTTP requests currently being processed', unit: '1' })
    .addCallback((result: ObservableResult) => {
      for (const [attrs, count] of inFlightCounts) result.observe(count.n, attrs);
    });

  const attrCache = new Map<string, Map<string, Map<number, Series>>>();
  const inFlightCache = new Map<string, Attributes>();

  const normMethod = (m: string): string => {
    if (KNOWN_METHODS.has(m)) return m;
    const u = m.toUpperCase();
    return KNOWN_METHODS.has(u) ? u : '_OTHER';
  };
  const series = (method: string, path: string, status: number): Series => {
    let byPath = attrCache.get(method);
    if (byPath === undefined) attrCache.set(method, (byPath = new Map<string, Map<number, Series>>()));
    let byStatus = byPath.get(path);
    if (byStatus === undefined) byPath.set(path, (byStatus = new Map<number, Series>()));
    let entry = byStatus.get(status);
    if (entry === undefined) {
      entry = { attrs: Object.freeze({ method, path, status: String(status) }), total: 0 };
      byStatus.set(status, entry);
      allSeries.push(entry);
    }
    return entry;
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
    end(token, status, route) {
      const elapsed = now() - token.startTime;
      const count = inFlightCounts.get(token.inFlightAttributes);
      if (count !== undefined) count.n -= 1;
      const path = route !== undefined && route !== '' ? toRoutePattern(route) : OTHER_PATH;
      const code = Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;
      const entry = series(token.method, path, code);
      entry.total += 1;
      recordDuration(elapsed, entry);
    },
  };
}
