// With zlib negotiated, the MongoDB driver compresses and decompresses small messages synchronously
// (useSynchronousZlibForSmallMessages, applied by createMongoClient): for a message of a few hundred bytes, the
// asynchronous zlib API's thread-pool round trip and per-call stream cost several times the work
// itself (about 200 µs against 40 µs of CPU per request/response pair on this machine). Messages
// above 16 KiB stay asynchronous so they never hold the event loop.
import zlib from 'node:zlib';
import type {} from '@globeco/testkit/vitest-setup';
import { ObjectId, type MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createMongoClient } from '../src/store/mongo-client.js';
import { useSynchronousZlibForSmallMessages } from '../src/store/small-zlib.js';

interface Doc {
  _id: ObjectId;
  name: string;
  pad?: string;
}

describe('zlib wire compression', () => {
  let client: MongoClient;

  beforeAll(async () => {
    client = createMongoClient({ uri: inject('mongoUri'), compressors: ['zlib'], minPoolSize: 0, maxPoolSize: 2 });
    await client.connect();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await client.db('driver_zlib').dropDatabase();
    await client.close();
  });

  it('compresses small commands and decompresses small replies without the asynchronous zlib API', async () => {
    const collection = client.db('driver_zlib').collection<Doc>('small');
    const deflate = vi.spyOn(zlib, 'deflate');
    const inflate = vi.spyOn(zlib, 'inflate');
    const deflateSync = vi.spyOn(zlib, 'deflateSync');
    const inflateSync = vi.spyOn(zlib, 'inflateSync');
    const _id = new ObjectId();
    await collection.insertOne({ _id, name: 'Small Fund' });
    await expect(collection.findOne({ _id })).resolves.toStrictEqual({ _id, name: 'Small Fund' });
    // compressed both ways, synchronously
    expect([deflateSync.mock.calls.length >= 2, inflateSync.mock.calls.length >= 2]).toStrictEqual([true, true]);
    expect([deflate.mock.calls.length, inflate.mock.calls.length]).toStrictEqual([0, 0]);
  });

  it('keeps large messages on the asynchronous API, and they round-trip intact', async () => {
    const collection = client.db('driver_zlib').collection<Doc>('large');
    const deflate = vi.spyOn(zlib, 'deflate');
    // random text compresses little, so the reply stays above the limit too
    const pad = Array.from({ length: 64 * 1024 }, () => String.fromCharCode(33 + Math.floor(Math.random() * 90))).join('');
    const _id = new ObjectId();
    await collection.insertOne({ _id, name: 'Large Fund', pad });
    expect(deflate).toHaveBeenCalled();
    const inflate = vi.spyOn(zlib, 'inflate');
    await expect(collection.findOne({ _id })).resolves.toStrictEqual({ _id, name: 'Large Fund', pad });
    expect(inflate).toHaveBeenCalled();
  });

  // Last, so the tests above see only what createMongoClient applied.
  it('applies to the installed driver (false would mean its internals moved)', () => {
    expect(useSynchronousZlibForSmallMessages()).toBe(true);
  });
});
