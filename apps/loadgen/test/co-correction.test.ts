import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli/args.js';
import { run } from '../src/run.js';
import { startFakeApi } from './fake-api.js';

// One connection at 50 req/s against a server that answers in 4 ms, except that the 30th request
// stalls for 400 ms. Arrivals scheduled during the stall must be charged the time they waited
// (response time); the service time of each request stays ~4 ms. Expected values come from the
// single-server queue recursion send_k = max(arrival_k, done_{k-1}) and, exactly, from the fake
// server's own clock: response_k = done_k − scheduled_k, service_k ≈ done_k − received_k.
const RATE = 50;
const N = 100;
const SERVICE = 4;
const STALL_AT = 30;
const STALL = 400;

function queueModel(): number[] {
  const response: number[] = [];
  let done = 0;
  for (let k = 0; k < N; k++) {
    const arrival = ((k + 0.5) * 1000) / RATE;
    const send = Math.max(arrival, done);
    done = send + (k + 1 === STALL_AT ? STALL : SERVICE);
    response.push(done - arrival);
  }
  return response;
}

const quantile = (sorted: readonly number[], p: number): number => sorted[Math.ceil((p / 100) * sorted.length) - 1] as number;

describe('coordinated-omission correction against a fixed-delay server', () => {
  it('the queue model predicts 19 answers over 100 ms for this schedule', () => {
    expect(queueModel().filter((v) => v > 100).length).toBe(19);
  });

  // timing on a shared machine: a rerun absorbs a rare scheduling hiccup, a real defect fails all three
  it('records response time from the scheduled send and service time from the actual send', { retry: 2, timeout: 30_000 }, async () => {
    const api = await startFakeApi({ delayMs: (n) => (n === STALL_AT ? STALL : SERVICE) });
    try {
      const cmd = parseArgs([api.url, '--rate', String(RATE), '--requests', String(N), '--max-in-flight', '1', '--mix', 'list=1', '--setup', '0', '--progress', 'none', '--late', '5ms', '--warmup', '0']);
      if (cmd.command !== 'run') throw new Error('expected a run command');
      const report = await run(cmd.options);
      expect([report.requests, report.errors, report.dropped, api.requests.length]).toStrictEqual([N, 0, 0, N]);

      const startAt = Date.parse(report.startedAt);
      const response = api.requests.map((r, k) => r.doneAt - (startAt + ((k + 0.5) * 1000) / RATE)).sort((a, b) => a - b);
      const service = api.requests.map((r) => r.doneAt - r.at).sort((a, b) => a - b);
      const l = report.latency;
      const s = report.serviceTime;
      // response time: the backlog behind the stall is charged its wait
      expect(l.p50).toBeGreaterThanOrEqual(quantile(response, 50) - 1);
      expect(l.p50).toBeLessThan(quantile(response, 50) + 8);
      expect(l.p90).toBeGreaterThanOrEqual(quantile(response, 90) - 1);
      expect(l.p90).toBeLessThan(quantile(response, 90) + 15);
      expect(l.max).toBeGreaterThanOrEqual(quantile(response, 100) - 1);
      expect(l.p90).toBeGreaterThan(100);
      expect(l.max).toBeGreaterThanOrEqual(STALL);
      // service time: only the stalled request itself is slow (what a closed-loop tool reports)
      expect(s.p50).toBeGreaterThanOrEqual(quantile(service, 50) - 1);
      expect(s.p50).toBeLessThan(quantile(service, 50) + 8);
      expect(s.p90).toBeLessThan(SERVICE + 15);
      expect(s.max).toBeGreaterThanOrEqual(STALL);
      expect(l.p90 / s.p90).toBeGreaterThan(5);
      // the queued sends were late, and not by the generator's fault
      expect(report.late).toBeGreaterThanOrEqual(15);
      expect(report.generator.lateGenerator).toBeLessThanOrEqual(report.late);
    } finally {
      await api.close();
    }
  });
});
