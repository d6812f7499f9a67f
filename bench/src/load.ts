import autocannon from 'autocannon';
import { round } from './stats.js';

/** One closed-loop (or fixed-rate) HTTP load on one server. */
export interface HttpLoadSpec {
  /** Base URL, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** Path of request `i` (ids rotate, names stay unique). */
  readonly path: (i: number) => string;
  /** JSON body of request `i`, for POST. */
  readonly body?: (i: number) => string;
  readonly connections: number;
  readonly durationMs: number;
  /** Fixed total request rate instead of a closed loop (req/s). */
  readonly overallRate?: number;
}

/** Outcome of one load: successful responses per second and latency in ms. */
export interface HttpLoadResult {
  /** 2xx responses per second over the whole slot. */
  readonly rate: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly seconds: number;
}

/** Runs one load with autocannon (its own HTTP/1.1 client; keep-alive, no pipelining). */
export async function runHttpLoad(spec: HttpLoadSpec): Promise<HttpLoadResult> {
  let i = 0;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationMs / 1000,
    ...(spec.overallRate === undefined ? {} : { overallRate: spec.overallRate }),
    requests: [
      {
        method: spec.method,
        headers: spec.body === undefined ? {} : { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const n = i++;
          return { ...request, path: spec.path(n), ...(spec.body === undefined ? {} : { body: spec.body(n) }) };
        },
      },
    ],
  });
  const ok = result['2xx'];
  return {
    rate: round(ok / result.duration, 1),
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
    p999: result.latency.p99_9,
    seconds: result.duration,
  };
}
