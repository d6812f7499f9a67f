import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEngine } from './engine.js';
import type { EngineConfig, EngineRuntime } from './engine.js';
import type { HttpClient } from './http/client.js';
import { createHistogram, recordMs, summarize } from './stats/hdr.js';
import { createAccumulator } from './stats/aggregate.js';
import type { IntervalSnapshot } from './stats/recorder.js';

interface FakeServer {
  sends: number[];
  maxConcurrent: number;
  runtime: EngineRuntime;
}

/** A runtime on vitest's fake clock whose HTTP client answers after `delayMs` of fake time. */
function fakeRuntime(delayMs: number): FakeServer {
  const server: FakeServer = { sends: [], maxConcurrent: 0, runtime: undefined as unknown as EngineRuntime };
  let concurrent = 0;
  const client: HttpClient = {
    send() {
      server.sends.push(Date.now());
      concurrent++;
      server.maxConcurrent = Math.max(server.maxConcurrent, concurrent);
      return new Promise((resolve) =>
        setTimeout(() => {
          concurrent--;
          resolve({ status: 200 });
        }, delayMs),
      );
    },
    close: () => Promise.resolve(),
  };
  server.runtime = {
    now: () => Date.now(),
    setTimer: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
    clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
    createClient: () => client,
  };
  return server;
}

const START = Date.parse('2026-01-01T00:00:00.000Z');

function config(over: Partial<EngineConfig>): EngineConfig {
  return {
    target: 'http://fake',
    model: 'open',
    stages: [{ kind: 'hold', durationMs: 1000, rate: 100 }],
    initialRate: 100,
    maxRequests: Infinity,
    slot: 0,
    slots: 1,
    startAt: START + 100,
    intervalMs: 1000,
    maxInFlight: 1000,
    concurrency: 1,
    connections: 8,
    connectionTtlMs: 0,
    timeoutMs: 5000,
    lateMs: 10,
    maxLagMs: 10_000,
    mix: { list: { weight: 1 } },
    seed: 1,
    items: [],
    namePrefix: 'lg-t-',
    warmupRequests: 0,
    ...over,
  };
}

async function runToEnd(cfg: EngineConfig, server: FakeServer): Promise<IntervalSnapshot[]> {
  const snaps: IntervalSnapshot[] = [];
  const handle = startEngine(cfg, (s) => snaps.push(s), server.runtime);
  let done = false;
  void handle.done.then(() => (done = true));
  for (let i = 0; i < 200 && !done; i++) await vi.advanceTimersByTimeAsync(50);
  expect(done).toBe(true);
  return snaps;
}

function totals(snaps: IntervalSnapshot[]): ReturnType<ReturnType<typeof createAccumulator>['result']> {
  const acc = createAccumulator(1, 1000);
  snaps.forEach((s) => acc.addSnapshot(s));
  return acc.result(() => 0);
}

describe('startEngine (fake clock)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(START);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('open model sends on schedule without waiting for responses and records from the schedule', async () => {
    const server = fakeRuntime(30);
    const snaps = await runToEnd(config({}), server);
    expect(server.sends.map((t) => t - START - 100)).toStrictEqual(Array.from({ length: 100 }, (_, k) => 5 + 10 * k));
    // 30 ms responses overlap 3 deep: the generator never waited for one
    expect(server.maxConcurrent).toBe(3);
    const ref = createHistogram();
    for (let i = 0; i < 100; i++) recordMs(ref, 30);
    const t = totals(snaps);
    expect([t.requests, t.sent, t.late, t.dropped, t.errors]).toStrictEqual([100, 100, 0, 0, 0]);
    expect(t.latency).toStrictEqual(summarize(ref));
    expect(t.serviceTime).toStrictEqual(summarize(ref));
  });

  it('takes only its slot of the arrivals', async () => {
    const server = fakeRuntime(1);
    await runToEnd(config({ slot: 1, slots: 2 }), server);
    expect(server.sends.map((t) => t - START - 100)).toStrictEqual(Array.from({ length: 50 }, (_, k) => 15 + 20 * k));
  });

  it('holds arrivals at the in-flight cap, charges the wait to response time, and drops past max lag', async () => {
    const server = fakeRuntime(50);
    const snaps = await runToEnd(config({ maxInFlight: 2, maxLagMs: 200 }), server);
    const t = totals(snaps);
    expect(server.maxConcurrent).toBe(2);
    expect(t.sent + t.dropped).toBe(100);
    expect(t.requests).toBe(t.sent);
    expect(t.dropped).toBeGreaterThan(0);
    // every send after the first two waited for a slot; none was the generator's fault
    expect(t.late).toBe(t.sent - 2);
    expect(snaps.reduce((n, s) => n + s.lateGenerator, 0)).toBe(0);
    // service time is the 50 ms the server took; response time includes the wait (≤ max lag + 50)
    expect(t.serviceTime.max).toBeLessThan(51);
    expect(t.latency.p50).toBeGreaterThan(200);
    expect(t.latency.max).toBeLessThanOrEqual(250.2);
  });

  it('closed model runs N loops back to back for the duration', async () => {
    const server = fakeRuntime(100);
    const snaps = await runToEnd(config({ model: 'closed', concurrency: 3 }), server);
    const t = totals(snaps);
    expect(server.sends.length).toBe(30);
    expect(server.maxConcurrent).toBe(3);
    expect([t.requests, t.latency.p50, t.serviceTime.p50]).toStrictEqual([30, 100.031, 100.031]);
  });

  it('warms up with GET /health before the start, unrecorded', async () => {
    const server = fakeRuntime(1);
    const snaps = await runToEnd(config({ warmupRequests: 20, connections: 4, maxRequests: 5 }), server);
    const before = server.sends.filter((t) => t < START + 100);
    expect(before.length).toBe(20);
    expect(server.sends.length).toBe(25);
    expect(totals(snaps).requests).toBe(5);
  });

  it('stops at the request bound', async () => {
    const server = fakeRuntime(1);
    await runToEnd(config({ maxRequests: 7 }), server);
    expect(server.sends.length).toBe(7);
  });
});
