import { randomUUID } from 'node:crypto';
import { startFaultProxy, type FaultProxy } from '@globeco/testkit';
import type {} from '@globeco/testkit/vitest-setup';
import type { MongoClient } from 'mongodb';
import { inject } from 'vitest';
import { createMongoClient } from '../src/store/mongo-client.js';
import { createMongoPortfolioStore, type MongoPortfolioStore, type MongoPortfolioStoreOptions } from '../src/store/mongo-store.js';
import type { StoreFixture } from './store-contract.js';

/** The two deployments every Mongo suite runs on, with the bulk strategy each must pick. */
export function topologies(): { name: 'replset' | 'standalone'; uri: string; strategy: 'transaction' | 'compensation' }[] {
  const external = inject('mongoBackend') === 'external';
  return [
    { name: 'replset', uri: inject('mongoUri'), strategy: 'transaction' },
    // An external server serves both URIs; it is whatever topology it is.
    { name: 'standalone', uri: inject('mongoStandaloneUri'), strategy: external ? 'transaction' : 'compensation' },
  ];
}

/** A Mongo store on a fresh database, with its client; `close` drops the database. */
export interface MongoFixture extends StoreFixture {
  readonly store: MongoPortfolioStore;
  /** Names of the commands the client sent, in order (command monitoring). */
  readonly commands: string[];
}

/** Opens a client on `uri` and a store on a database unique to this call. */
export async function openMongoStore(
  uri: string,
  options: Pick<MongoPortfolioStoreOptions, 'bulkStrategy'> = {},
): Promise<MongoFixture> {
  const client = createMongoClient({ uri, minPoolSize: 0, maxPoolSize: 10, serverSelectionTimeoutMS: 3000, monitorCommands: true });
  const commands: string[] = [];
  client.on('commandStarted', (event) => commands.push(event.commandName));
  const databaseName = `t_${randomUUID().replaceAll('-', '')}`;
  const store = createMongoPortfolioStore({ client, databaseName, ...options });
  await store.ensureIndexes();
  return {
    store,
    commands,
    clear: async () => {
      await store.collection.deleteMany({});
    },
    close: async () => {
      await client.db(databaseName).dropDatabase();
      await client.close();
    },
  };
}

/** A store whose connections go through a fault proxy, on a database unique to this call. */
export interface ProxiedStore {
  readonly proxy: FaultProxy;
  readonly client: MongoClient;
  readonly store: MongoPortfolioStore;
  /** Releases a stall, drops the database, closes the client and stops the proxy. */
  close(): Promise<void>;
}

/** Opens a proxy in front of `uri`, a monitored client through it and a store with its indexes. */
export async function openProxiedStore(
  uri: string,
  options: Omit<MongoPortfolioStoreOptions, 'client' | 'databaseName'> = {},
): Promise<ProxiedStore> {
  const proxy = await startFaultProxy(uri);
  const client = createMongoClient({ uri: proxy.uri, minPoolSize: 0, maxPoolSize: 5, monitorCommands: true });
  const databaseName = `t_${randomUUID().replaceAll('-', '')}`;
  const store = createMongoPortfolioStore({ client, databaseName, ...options });
  await store.ensureIndexes();
  return {
    proxy,
    client,
    store,
    close: async () => {
      proxy.stall(false);
      await client.db(databaseName).dropDatabase().catch(() => undefined);
      await client.close();
      await proxy.stop();
    },
  };
}
