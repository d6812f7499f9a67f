import { randomUUID } from 'node:crypto';
import { startFaultProxy, type FaultProxy } from '@globeco/testkit';
import type {} from '@globeco/testkit/vitest-setup';
import type { MongoClient } from 'mongodb';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { type PortfolioError, type UnavailableError } from '../src/errors.js';
import { isUnavailableError } from '../src/error-guards.js';
import { createPortfolioService, type PortfolioService } from '../src/service/portfolio-service.js';
import { createMongoClient } from '../src/store/mongo-client.js';
import { createMongoPortfolioStore } from '../src/store/mongo-store.js';
import type { CircuitBreakerState } from '../src/resilience/database-policy.js';

const SELECTION_TIMEOUT_MS = 800;

async function failure(promise: Promise<unknown>): Promise<PortfolioError> {
  try {
    await promise;
  } catch (error) {
    return error as PortfolioError;
  }
  throw new Error('expected a rejection');
}

/** Polls the database directly (outside the breaker) until it answers, bounded in time. */
async function waitForDatabase(client: MongoClient, budgetMs = 15_000): Promise<void> {
  const deadline = performance.now() + budgetMs;
  for (;;) {
    try {
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('circuit breaker against a real outage (fault proxy)', () => {
  let proxy: FaultProxy;
  let client: MongoClient;
  let service: PortfolioService;
  let databaseName: string;
  const commands: string[] = [];
  const states: CircuitBreakerState[] = [];

  beforeEach(async () => {
    // Only Date is faked: cockatiel's half-open clock moves on demand, sockets and driver timers stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    proxy = await startFaultProxy(inject('mongoUri'));
    client = createMongoClient({
      uri: proxy.uri,
      minPoolSize: 0,
      maxPoolSize: 5,
      serverSelectionTimeoutMS: SELECTION_TIMEOUT_MS,
      connectTimeoutMS: SELECTION_TIMEOUT_MS,
      monitorCommands: true,
    });
    client.on('commandStarted', (e) => commands.push(e.commandName));
    databaseName = `t_${randomUUID().replaceAll('-', '')}`;
    const store = createMongoPortfolioStore({ client, databaseName });
    await store.ensureIndexes();
    // Defaults (5 failures, 30 s, 3 successes); no read retries so each call is one attempt.
    service = createPortfolioService({ store, resilience: { readRetries: 0, timeoutMs: 2000 } });
    states.length = 0;
    commands.length = 0;
    service.policy.onStateChange((s) => states.push(s));
  });

  afterEach(async () => {
    vi.useRealTimers();
    proxy.refuse(false);
    proxy.stall(false);
    proxy.setLatency(0);
    await client.db(databaseName).dropDatabase().catch(() => undefined);
    await client.close();
    await proxy.stop();
  });

  it('opens after 5 failures, rejects without touching the database, half-opens after 30 s and closes after 3 successes', async () => {
    const created = await service.create({ name: 'Survivor' });
    expect(await service.get(created.portfolioId)).toStrictEqual(created);

    proxy.refuse(true);
    proxy.dropConnections();
    const codes: string[] = [];
    for (let i = 0; i < 6 && service.policy.state === 'closed'; i += 1) codes.push((await failure(service.get(created.portfolioId))).code);
    // A call caught on a dropped socket may use up its time budget (TIMEOUT, not a breaker failure
    // while the monitor still reaches the server); the rest find no server: 5 of those open it.
    expect(codes.filter((c) => c !== 'UNAVAILABLE' && c !== 'TIMEOUT')).toStrictEqual([]);
    expect(codes.filter((c) => c === 'UNAVAILABLE')).toHaveLength(5);
    expect(codes.slice(1)).toStrictEqual(['UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE', 'UNAVAILABLE'].slice(0, codes.length - 1));
    expect(service.policy.state).toBe('open');

    const accepted = proxy.accepted;
    const sent = commands.length;
    const rounds = 1000;
    const started = performance.now();
    const rejections: PortfolioError[] = [];
    for (let i = 0; i < rounds; i += 1) rejections.push(await failure(service.get(created.portfolioId)));
    const perCallMs = (performance.now() - started) / rounds;
    console.log(`[breaker] open-circuit rejection: ${(perCallMs * 1000).toFixed(1)} µs per call (${rounds} calls)`);
    expect(rejections.every((e) => isUnavailableError(e) && e.reason === 'circuit-open')).toBe(true);
    expect((rejections[0] as UnavailableError).retryAfterMs).toBe(30_000);
    // Not one connection attempt or command while open, and nobody waited for a server-selection timeout.
    expect([proxy.accepted, commands.length]).toStrictEqual([accepted, sent]);
    expect(perCallMs).toBeLessThan(SELECTION_TIMEOUT_MS / 10);

    vi.setSystemTime(Date.now() + 10_000);
    expect(((await failure(service.get(created.portfolioId))) as UnavailableError).retryAfterMs).toBe(20_000);

    proxy.refuse(false);
    await waitForDatabase(client);
    vi.setSystemTime(Date.now() + 20_000);
    expect(await service.get(created.portfolioId)).toStrictEqual(created);
    expect(service.policy.state).toBe('half-open');
    expect(await service.get(created.portfolioId)).toStrictEqual(created);
    expect(service.policy.state).toBe('half-open');
    expect((await service.search({ name: 'survivor' })).portfolios).toStrictEqual([created]);
    expect(service.policy.state).toBe('closed');
    expect(states).toStrictEqual(['open', 'half-open', 'closed']);
  });

  it('reopens when the database is still down at the half-open trial', async () => {
    await service.ping();
    proxy.refuse(true);
    proxy.dropConnections();
    for (let i = 0; i < 5; i += 1) await failure(service.ping());
    expect(service.policy.state).toBe('open');
    vi.setSystemTime(Date.now() + 30_000);
    expect((await failure(service.ping())).code).toBe('UNAVAILABLE');
    expect(service.policy.state).toBe('open');
    expect(states).toStrictEqual(['open', 'half-open', 'open']);
  });

  it('a slow database answers TIMEOUT without opening the breaker while the monitor reaches it', async () => {
    const timed = createPortfolioService({
      store: createMongoPortfolioStore({ client, databaseName }),
      resilience: { readRetries: 0, timeoutMs: 300, failureThreshold: 2 },
    });
    await timed.list();
    // 400 ms per round trip: over the 300 ms budget of an operation, well within the heartbeat's 800 ms.
    proxy.setLatency(200);
    for (let i = 0; i < 4; i += 1) {
      expect(await failure(timed.list())).toMatchObject({ code: 'TIMEOUT', operation: 'findAll', timeoutMs: 300 });
    }
    expect(timed.policy.state).toBe('closed');
    proxy.setLatency(0);
  });

  it('a stalled database opens the breaker once the driver\'s monitor has lost it', async () => {
    const monitored = createMongoClient({
      uri: proxy.uri,
      minPoolSize: 0,
      maxPoolSize: 5,
      serverSelectionTimeoutMS: SELECTION_TIMEOUT_MS,
      connectTimeoutMS: SELECTION_TIMEOUT_MS,
      heartbeatFrequencyMS: 500,
    });
    try {
      const timed = createPortfolioService({
        store: createMongoPortfolioStore({ client: monitored, databaseName }),
        resilience: { readRetries: 0, timeoutMs: 300, failureThreshold: 2 },
      });
      await timed.list();
      proxy.stall(true);
      const codes: string[] = [];
      // Bounded: the monitor notices within heartbeat + connect timeout (about 1.3 s), then two failures open it.
      const deadline = performance.now() + 10_000;
      while (timed.policy.state === 'closed' && performance.now() < deadline) codes.push((await failure(timed.list())).code);
      expect(timed.policy.state).toBe('open');
      expect(codes.filter((c) => c !== 'TIMEOUT' && c !== 'UNAVAILABLE')).toStrictEqual([]);
      expect(codes.length).toBeGreaterThan(2);
    } finally {
      proxy.stall(false);
      await monitored.close();
    }
  });
});
