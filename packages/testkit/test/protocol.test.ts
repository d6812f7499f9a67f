import { Long, UUID } from 'bson';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { RawClient } from './raw-wire.js';

const uri = inject('mongoUri');
const open: RawClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
async function raw(): Promise<RawClient> {
  const c = await RawClient.open(uri);
  open.push(c);
  return c;
}

describe('wire protocol', () => {
  it('answers a legacy OP_QUERY hello with OP_REPLY', async () => {
    const c = await raw();
    const id = c.sendQuery('admin', { isMaster: 1, helloOk: true });
    const reply = await c.read();
    expect(reply.opCode).toBe(1);
    expect(reply.responseTo).toBe(id);
    expect(reply.doc).toMatchObject({ ok: 1, ismaster: true, maxWireVersion: expect.any(Number) as number, maxBsonObjectSize: 16777216 });
    expect(reply.doc.maxWireVersion).toBeGreaterThanOrEqual(9);
    expect(reply.doc.topologyVersion).toBeUndefined();
  });

  it('answers OP_MSG with OP_MSG and skips replies to moreToCome messages', async () => {
    const c = await raw();
    c.sendMsg({ insert: 'raw_more', documents: [{ a: 1 }], writeConcern: { w: 0 }, $db: 'testkit_raw' }, 2);
    const pingId = c.sendMsg({ ping: 1, $db: 'admin' });
    const reply = await c.read();
    expect([reply.opCode, reply.responseTo, reply.doc.ok]).toStrictEqual([2013, pingId, 1]);
    const countId = c.sendMsg({ count: 'raw_more', query: {}, $db: 'testkit_raw' });
    const count = await c.read();
    expect([count.responseTo, count.doc.n]).toStrictEqual([countId, 1]);
    c.sendMsg({ dropDatabase: 1, $db: 'testkit_raw' });
    await c.read();
  });

  it('answers unknown commands with CommandNotFound (59) and keeps the connection', async () => {
    const c = await raw();
    c.sendMsg({ noSuchCommandHere: 1, $db: 'admin' });
    const reply = await c.read();
    expect(reply.doc).toMatchObject({ ok: 0, code: 59, codeName: 'CommandNotFound' });
    c.sendMsg({ ping: 1, $db: 'admin' });
    expect((await c.read()).doc.ok).toBe(1);
  });

  it('closes only the connection that sent a malformed message', async () => {
    const bad = await raw();
    bad.socket.write(Buffer.from([8, 0, 0, 0, 1, 2, 3, 4]));
    expect(await bad.waitClosed()).toBe(true);
    const truncated = await raw();
    const frame = Buffer.alloc(40);
    frame.writeInt32LE(40, 0);
    frame.writeInt32LE(1, 4);
    frame.writeInt32LE(2013, 12);
    frame.writeInt32LE(200, 21); // BSON length running past the message
    truncated.socket.write(frame);
    expect(await truncated.waitClosed()).toBe(true);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
    try {
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    } finally {
      await client.close();
    }
  });

  it('accepts zlib-compressed messages when negotiated and answers compressed', async () => {
    const c = await raw();
    c.sendMsg({ hello: 1, compression: ['zlib'], $db: 'admin' });
    const hello = await c.read();
    expect(hello.doc.compression).toStrictEqual(['zlib']);
    const id = c.sendCompressedMsg({ ping: 1, $db: 'admin' });
    const reply = await c.read();
    expect([reply.opCode, reply.responseTo, reply.doc.ok]).toStrictEqual([2012, id, 1]);
  });

  it('applies a retried write (same lsid and txnNumber) only once, as mongod does', async () => {
    const c = await raw();
    const lsid = { id: new UUID() };
    const insert = { insert: 'retry', documents: [{ _id: 1 }], lsid, txnNumber: Long.fromNumber(1), $db: 'testkit_raw_retry' };
    c.sendMsg(insert);
    const first = await c.read();
    c.sendMsg(insert);
    const again = await c.read();
    expect([first.doc.ok, first.doc.n, again.doc.ok, again.doc.n, again.doc.writeErrors]).toStrictEqual([1, 1, 1, 1, undefined]);
    c.sendMsg({ insert: 'retry', documents: [{ _id: 1 }], lsid, txnNumber: Long.fromNumber(2), $db: 'testkit_raw_retry' });
    expect(((await c.read()).doc.writeErrors as { code: number }[] | undefined)?.[0]?.code).toBe(11000);
    c.sendMsg({ dropDatabase: 1, $db: 'testkit_raw_retry' });
    await c.read();
  });

  it('offers snappy and zlib in the order the client prefers, as mongod does', async () => {
    const c = await raw();
    c.sendMsg({ hello: 1, compression: ['zstd', 'snappy', 'zlib'], $db: 'admin' });
    expect((await c.read()).doc.compression).toStrictEqual(['snappy', 'zlib']);
    const id = c.sendCompressedMsg({ ping: 1, $db: 'admin' }, 'snappy');
    const reply = await c.read();
    expect([reply.opCode, reply.responseTo, reply.doc.ok]).toStrictEqual([2012, id, 1]);
    const z = await raw();
    z.sendMsg({ hello: 1, compression: ['zlib', 'snappy'], $db: 'admin' });
    expect((await z.read()).doc.compression).toStrictEqual(['zlib', 'snappy']);
  });

  it('works with a driver that asks for snappy compression', async () => {
    const client = new MongoClient(uri, { compressors: ['snappy'], serverSelectionTimeoutMS: 3000, monitorCommands: true });
    const replies: number[] = [];
    client.on('commandSucceeded', (e) => replies.push(e.commandName === 'find' ? 1 : 0));
    try {
      const coll = client.db('testkit_snappy').collection('s');
      await coll.insertMany(Array.from({ length: 200 }, (_, i) => ({ i, pad: 'y'.repeat(200) })));
      const docs = await coll.find({ i: { $gte: 195 } }, { projection: { _id: 0, i: 1 } }).sort({ i: 1 }).toArray();
      expect(docs).toStrictEqual([{ i: 195 }, { i: 196 }, { i: 197 }, { i: 198 }, { i: 199 }]);
      expect(replies.filter((r) => r === 1)).toStrictEqual([1]);
      await client.db('testkit_snappy').dropDatabase();
    } finally {
      await client.close();
    }
  });

  it('works with a driver that asks for zlib compression', async () => {
    const client = new MongoClient(uri, { compressors: ['zlib'], serverSelectionTimeoutMS: 3000 });
    try {
      const coll = client.db('testkit_zlib').collection('z');
      await coll.insertMany(Array.from({ length: 200 }, (_, i) => ({ i, pad: 'x'.repeat(200) })));
      expect(await coll.countDocuments({ i: { $lt: 50 } })).toBe(50);
      await client.db('testkit_zlib').dropDatabase();
    } finally {
      await client.close();
    }
  });
});
