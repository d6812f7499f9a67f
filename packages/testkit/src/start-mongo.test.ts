import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { formatBackendLine, startMongo } from './start-mongo.js';

// No cached mongod can be found here, so the memory-server step depends only on the download probe.
const emptyDir = mkdtempSync(join(tmpdir(), 'testkit-mongoms-'));
process.env.MONGOMS_DOWNLOAD_DIR = emptyDir;
delete process.env.MONGOMS_SYSTEM_BINARY;
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

describe('startMongo', () => {
  it('uses MONGODB_URI as it is when set', async () => {
    const mongo = await startMongo({ env: { MONGODB_URI: 'mongodb://db.example:27017/?replicaSet=x' } });
    expect({ uri: mongo.uri, backend: mongo.backend, topology: mongo.topology }).toStrictEqual({
      uri: 'mongodb://db.example:27017/?replicaSet=x',
      backend: 'external',
      topology: 'replset',
    });
    await expect(mongo.stop()).resolves.toBeUndefined();
  });

  it('falls back to the wire server within a few seconds when no mongod can be had', async () => {
    const started = performance.now();
    const mongo = await startMongo({ topology: 'standalone', env: { MONGOMS_DOWNLOAD_URL: 'http://127.0.0.1:9/' } });
    try {
      expect(performance.now() - started).toBeLessThan(5000);
      expect(mongo.backend).toBe('wire');
      expect(mongo.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    } finally {
      await mongo.stop();
    }
  });

  it('fails fast with a clear message when memory-server is required but its binary is missing', async () => {
    const started = performance.now();
    await expect(
      startMongo({ env: { GLOBECO_TEST_MONGO_BACKEND: 'memory-server', MONGOMS_SYSTEM_BINARY: '/nonexistent/mongod' } }),
    ).rejects.toThrow('MONGOMS_SYSTEM_BINARY points at a missing file: /nonexistent/mongod');
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('starts a wire replica-set primary that the driver discovers and stops it', async () => {
    const mongo = await startMongo({ topology: 'replset', env: { GLOBECO_TEST_MONGO_BACKEND: 'wire' } });
    expect(mongo.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/\?replicaSet=rs0$/);
    const client = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 2000 });
    try {
      const hello = await client.db('admin').command({ hello: 1 });
      expect([hello.setName, hello.isWritablePrimary, hello.topologyVersion]).toStrictEqual(['rs0', true, undefined]);
    } finally {
      await client.close();
    }
    await mongo.stop();
    const after = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 300 });
    await expect(after.connect()).rejects.toThrow();
    await after.close();
  });

  it('formats the backend line and hides credentials', () => {
    expect(formatBackendLine({ backend: 'wire', topology: 'replset', uri: 'mongodb://127.0.0.1:1/?replicaSet=rs0' })).toBe(
      '[testkit] MongoDB backend: wire (replset) mongodb://127.0.0.1:1/?replicaSet=rs0',
    );
    expect(formatBackendLine({ backend: 'external', topology: 'replset', uri: 'mongodb://u:secret@h:1/' })).toBe(
      '[testkit] MongoDB backend: external (as configured) mongodb://***@h:1/',
    );
  });
});
