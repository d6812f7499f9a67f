import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/** The HdrHistogram type used throughout (values in microseconds). */
export type { Histogram };

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  min: number;
  count: number;
}

/**
 * Creates a latency histogram recording microseconds with 3 significant digits (values up to one
 * hour, resized on demand), so its memory stays bounded whatever the number of requests.
 */
export function createHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 32, autoResize: true });
}

/** Records a latency given in milliseconds (floating point) into a microsecond histogram. */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

/** Serialises a histogram in the standard compressed base64 HdrHistogram format (lossless). */
export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

/** Restores a histogram from {@link encodeHistogram} output. */
export function decodeHistogram(text: string): Histogram {
  const decoded = decodeFromCompressedBase64(text, 32, false);
  // normalise to our layout so add() never has to reconcile ranges
  const h = createHistogram();
  h.add(decoded);
  return h;
}

/** Adds an encoded histogram into `target`. */
export function addEncoded(target: Histogram, text: string): void {
  if (text === '') return;
  target.add(decodeFromCompressedBase64(text, 32, false));
}

const round3 = (us: number): number => Math.round(us) / 1000;

/** Summarises a microsecond histogram as percentiles in milliseconds (zeros when empty). */
export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, mean: 0, min: 0, count: 0 };
  return {
    p50: round3(h.getValueAtPercentile(50)),
    p90: round3(h.getValueAtPercentile(90)),
    p95: round3(h.getValueAtPercentile(95)),
    p99: round3(h.getValueAtPercentile(99)),
    p999: round3(h.getValueAtPercentile(99.9)),
    // the bucket's highest equivalent value, so a merged histogram reports the same max as a direct one
    max: round3(h.getValueAtPercentile(100)),
    mean: round3(h.mean),
    min: round3(h.minNonZeroValue),
    count: h.totalCount,
  };
}

/** Points of the percentile spectrum (percentile, ms) for distribution charts. */
export function percentileSpectrum(h: Histogram): Array<[number, number]> {
  if (h.totalCount === 0) return [];
  const points: Array<[number, number]> = [];
  const ps = [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 97.5, 98, 98.5, 99, 99.25, 99.5, 99.75, 99.9, 99.95, 99.99, 99.999, 100];
  for (const p of ps) points.push([p, round3(h.getValueAtPercentile(p))]);
  return points;
}
