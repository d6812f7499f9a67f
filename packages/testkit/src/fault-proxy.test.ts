import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

const target = inject('mongoUri');
let proxy: FaultProxy | undefined;
const clients: MongoClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close(true);
  await proxy?.stop();
  proxy = undefined;
});

function client(uri: string, extra: ConstructorParameters<typeof MongoClient>[1] = {}): MongoClient {
  const c = new MongoClient(uri, { serverSelectionTimeoutMS: 800, connectTimeoutMS: 800, heartbeatFrequencyMS: 500, ...extra });
  clients.push(c);
  return c;
}

async function ping(c: MongoClient): Promise<number> {
  const r = await c.db('admin').command({ ping: 1 });
  return r.ok as number;
}

describe('startFaultProxy', () => {
  it('builds a direct-connection URI on 127.0.0.1 and forwards traffic', async () => {
    proxy = await startFaultProxy(target);
    expect(proxy.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/.*directConnection=true/);
    expect(proxy.uri).not.toContain('replicaSet');
    const c = client(proxy.uri);
    const coll = c.db('testkit_proxy').collection('p');
    await coll.insertOne({ via: 'proxy' });
    expect(await coll.findOne({}, { projection: { _id: 0 } })).toStrictEqual({ via: 'proxy' });
    expect(proxy.connections).toBeGreaterThan(0);
    await c.db('testkit_proxy').dropDatabase();
  });

  it('refuses new connections while asked to, then accepts again', async () => {
    proxy = await startFaultProxy(target);
    proxy.refuse(true);
    await expect(ping(client(proxy.uri))).rejects.toThrow();
    expect(proxy.connections).toBe(0);
    proxy.refuse(false);
    expect(await ping(client(proxy.uri))).toBe(1);
  });

  it('drops live connections; the next operation fails and a later one reconnects', async () => {
    proxy = await startFaultProxy(target);
    const c = client(proxy.uri, { retryReads: false, retryWrites: false });
    expect(await ping(c)).toBe(1);
    const acceptedBefore = proxy.accepted;
    proxy.dropConnections();
    expect(proxy.connections).toBe(0);
    await expect(c.db('admin').command({ ping: 1 })).rejects.toThrow();
    expect(await ping(c)).toBe(1);
    expect(proxy.accepted).toBeGreaterThan(acceptedBefore);
  });

  it('adds latency to every round trip', async () => {
    proxy = await startFaultProxy(target);
    const c = client(proxy.uri);
    await ping(c);
    proxy.setLatency(60);
    const started = performance.now();
    await ping(c);
    // one request and one reply, each delayed
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    proxy.setLatency(0);
    expect(() => proxy?.setLatency(-1)).toThrow(RangeError);
  });

  it('stalls traffic until released', async () => {
    proxy = await startFaultProxy(target);
    const c = client(proxy.uri);
    await ping(c);
    proxy.stall(true);
    const pending = ping(c);
    const raced = await Promise.race([pending, new Promise((r) => setTimeout(() => r('still waiting'), 150))]);
    expect(raced).toBe('still waiting');
    proxy.stall(false);
    expect(await pending).toBe(1);
  });

  it('stops and restarts on the same port', async () => {
    proxy = await startFaultProxy(target);
    const port = proxy.port;
    const c = client(proxy.uri, { retryReads: false });
    expect(await ping(c)).toBe(1);
    await proxy.stop();
    await expect(c.db('admin').command({ ping: 1 })).rejects.toThrow();
    await proxy.start();
    expect(proxy.port).toBe(port);
    expect(await ping(client(proxy.uri))).toBe(1);
  });

  it('rejects a URI it cannot route', async () => {
    await expect(startFaultProxy('mongodb+srv://cluster.example.net/db')).rejects.toThrow(/unsupported MongoDB URI/);
  });
});
