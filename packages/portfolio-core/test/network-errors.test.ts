import { randomUUID } from 'node:crypto';
import { startFaultProxy } from '@globeco/testkit';
import type {} from '@globeco/testkit/vitest-setup';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createPortfolioService, type PortfolioService } from '../src/service/portfolio-service.js';
import { toDriverOptions } from '../src/store/mongo-client.js';
import { createMongoPortfolioStore } from '../src/store/mongo-store.js';
import { topologies } from './mongo-fixture.js';

type Call = (service: PortfolioService) => Promise<unknown>;

const CALLS: [string, Call][] = [
  ['get', (s) => s.get('65a1b2c3d4e5f6a7b8c9d0e1')],
  ['create', (s) => s.create({ name: 'Dropped' })],
  ['createMany', (s) => s.createMany([{ name: 'Dropped A' }, { name: 'Dropped B' }])],
];

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { resolved: await promise };
  } catch (error) {
    return error;
  }
}

describe.each(topologies())('connections dropped mid-operation ($name)', ({ uri }) => {
  it.each(CALLS)('%s answers UNAVAILABLE (database) and counts as a breaker failure', async (_name, call) => {
    const proxy = await startFaultProxy(uri);
    const client = new MongoClient(proxy.uri, {
      ...toDriverOptions({ uri: proxy.uri, minPoolSize: 0, maxPoolSize: 5, serverSelectionTimeoutMS: 1500, monitorCommands: true }),
      // The driver's own single retry would hide the network error this suite is about.
      retryReads: false,
      retryWrites: false,
    });
    const databaseName = `t_${randomUUID().replaceAll('-', '')}`;
    try {
      const store = createMongoPortfolioStore({ client, databaseName });
      await store.ensureIndexes();
      await store.bulkStrategy();
      // One failure opens the breaker, so the state shows whether the failure was counted.
      const service = createPortfolioService({
        store,
        resilience: { failureThreshold: 1, readRetries: 0, bulkRetries: 0, timeoutMs: 10_000 },
      });
      let sent = 0;
      client.on('commandStarted', (e) => {
        if (e.commandName === 'find' || e.commandName === 'insert') sent += 1;
      });
      proxy.stall(true);
      const pending = outcome(call(service));
      // Drop once the operation's command is on the wire (bounded wait).
      for (let i = 0; i < 100 && sent === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      proxy.dropConnections();
      await new Promise((r) => setTimeout(r, 50));
      // The database is back at once: the error is the dropped connection's, not server selection's.
      proxy.stall(false);
      const error = await pending;
      expect(error).toMatchObject({ code: 'UNAVAILABLE', reason: 'database' });
      expect(service.policy.state).toBe('open');
    } finally {
      proxy.stall(false);
      await client.db(databaseName).dropDatabase().catch(() => undefined);
      await client.close();
      await proxy.stop();
    }
  });
});
