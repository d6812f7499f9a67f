import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { RetryEvent } from '../src/resilience/database-policy.js';
import { createPortfolioService } from '../src/service/portfolio-service.js';
import { openProxiedStore, topologies, type ProxiedStore } from './mongo-fixture.js';

describe.each(topologies())('bulk insert that times out and is retried ($name)', ({ uri, strategy }) => {
  let fixture: ProxiedStore | undefined;

  afterEach(async () => {
    await fixture?.close();
  });

  it('keeps exactly one copy of the batch when the first attempt completes late', async () => {
    fixture = await openProxiedStore(uri);
    const { proxy, client, store } = fixture;
    const undo: string[] = [];
    client.on('commandSucceeded', (e) => {
      if (e.commandName === 'abortTransaction' || e.commandName === 'delete') undo.push(e.commandName);
    });
    client.on('commandFailed', (e) => {
      if (e.commandName === 'abortTransaction') undo.push(e.commandName);
    });
    expect(await store.bulkStrategy()).toBe(strategy);
    const service = createPortfolioService({
      store,
      resilience: { timeoutMs: 1500, bulkRetries: 1, retryInitialDelayMs: 0 },
    });
    const retries: RetryEvent[] = [];
    service.policy.onRetry((e) => retries.push(e));

    // The database stops answering: the first attempt times out and the retry starts while the
    // first insert is still held in the proxy; both reach the server once it answers again.
    proxy.stall(true);
    const pending = service.createMany(['T1', 'T2', 'T3', 'T4', 'T5'].map((name) => ({ name })));
    await sleep(2000);
    proxy.stall(false);
    const created = await pending;
    expect(created.map((p) => p.name)).toStrictEqual(['T1', 'T2', 'T3', 'T4', 'T5']);
    expect(retries.map((r) => [r.operation, r.attempt, (r.error as Error).message])).toStrictEqual([
      ['insertMany', 1, 'Attempt timed out after 1500 ms'],
    ]);

    // The late first attempt undoes itself (abort or compensating delete); wait for that, bounded.
    for (let i = 0; i < 50 && undo.length === 0; i += 1) await sleep(100);
    if (strategy === 'transaction') {
      // The retry may also meet the first attempt's transaction still holding the ids (WriteConflict)
      // and abort its own try before trying again: aborts only, at least the first attempt's.
      expect(undo.length).toBeGreaterThan(0);
      expect([...new Set(undo)]).toStrictEqual(['abortTransaction']);
    } else {
      expect(undo).toStrictEqual(['delete']);
    }
    const stored = await store.findAll();
    expect(stored.map((p) => p.portfolioId).sort()).toStrictEqual(created.map((p) => p.portfolioId).sort());
  });
});
