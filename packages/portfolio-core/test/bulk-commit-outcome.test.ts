import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultProxy } from '@globeco/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { Portfolio } from '../src/portfolio/types.js';
import { createPortfolioService } from '../src/service/portfolio-service.js';
import type { MongoPortfolioStore } from '../src/store/mongo-store.js';
import { openProxiedStore, topologies, type ProxiedStore } from './mongo-fixture.js';

const replset = topologies()[0]!;
const NAMES = ['C1', 'C2', 'C3', 'C4', 'C5'];

async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('bulk insert whose commit is answered late (replset)', () => {
  let fixture: ProxiedStore | undefined;
  let proxy: FaultProxy | undefined;

  afterEach(async () => {
    await fixture?.close();
  });

  /** A store behind a proxy that stops answering the moment the first commit is sent. */
  async function setup(): Promise<{ store: MongoPortfolioStore; commands: string[] }> {
    fixture = await openProxiedStore(replset.uri, { settleDelayMs: 10 });
    const { client, store } = fixture;
    proxy = fixture.proxy;
    expect(await store.bulkStrategy()).toBe('transaction');
    const commands: string[] = [];
    let stalled = false;
    client.on('commandStarted', (e) => {
      commands.push(e.commandName);
      if (e.commandName === 'commitTransaction' && !stalled) {
        stalled = true;
        proxy?.stall(true);
      }
    });
    return { store, commands };
  }

  it('answers with the one stored copy when the attempt times out after its commit was sent', async () => {
    const { store, commands } = await setup();
    const service = createPortfolioService({ store, resilience: { timeoutMs: 800, bulkRetries: 1, retryInitialDelayMs: 0 } });
    const pending = settle(service.createMany(NAMES.map((name) => ({ name }))));
    // The commit is held past the attempt's timeout, then reaches the server and commits.
    await sleep(1300);
    proxy!.stall(false);
    const result = await pending;
    const stored = (await store.findAll()).map((p) => p.portfolioId).sort();
    // Whatever the caller is told must be what the database holds: one copy, reported as created.
    expect(stored).toHaveLength(NAMES.length);
    expect(result.ok).toBe(true);
    const created = (result as { value: Portfolio[] }).value;
    expect(created.map((p) => p.name)).toStrictEqual(NAMES);
    expect(created.map((p) => p.portfolioId).sort()).toStrictEqual(stored);
    // The retry found the committed batch by its ids instead of inserting it again.
    expect(commands.filter((c) => c === 'insert')).toStrictEqual(['insert']);
  });

  // A bulk attempt's timeout aborts its signal instead of rejecting: past the commit, the store waits
  // for the outcome, so the caller never hears TIMEOUT for a stored batch.
  it('answers the stored batch as created when the last attempt times out after its commit was sent', async () => {
    const { store } = await setup();
    const service = createPortfolioService({ store, resilience: { timeoutMs: 800, bulkRetries: 0 } });
    const pending = settle(service.createMany(NAMES.map((name) => ({ name }))));
    await sleep(1300);
    proxy!.stall(false);
    const result = await pending;
    // The released commit lands (bounded wait), so the comparison sees the final state.
    for (let i = 0; i < 50 && (await store.collection.countDocuments({})) < NAMES.length; i += 1) await sleep(20);
    const stored = (await store.findAll()).map((p) => p.portfolioId).sort();
    expect(result.ok ? (result.value).map((p) => p.portfolioId).sort() : []).toStrictEqual(stored);
  });

  it('resolves a commit whose reply is lost by re-sending it, never by inserting again', async () => {
    const { store, commands } = await setup();
    const batch = NAMES.map((name) => ({ name, dateCreated: new Date('2024-02-01T00:00:00Z'), version: 1 }));
    const pending = store.insertMany(batch);
    await sleep(300);
    // The connection carrying the commit dies: the driver reports an unknown commit result.
    proxy!.dropConnections();
    proxy!.stall(false);
    const created = await pending;
    expect(created.map((p) => p.name)).toStrictEqual(NAMES);
    const stored = await store.findAll();
    expect(stored.map((p) => p.portfolioId).sort()).toStrictEqual(created.map((p) => p.portfolioId).sort());
    expect(commands.filter((c) => c === 'insert')).toStrictEqual(['insert']);
  });
});
