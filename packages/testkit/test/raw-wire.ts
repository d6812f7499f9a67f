import { connect, type Socket } from 'node:net';
import { deflateSync, inflateSync } from 'node:zlib';
import { deserialize, serialize, type Document } from 'bson';
import { compressSync, uncompressSync } from 'snappy';

/** host and port of a mongodb:// URI's first host. */
export function hostPort(uri: string): { host: string; port: number } {
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^/,?:]+):(\d+)/.exec(uri);
  if (!m) throw new Error(`cannot parse ${uri}`);
  return { host: m[1] as string, port: Number(m[2]) };
}

/** A decoded reply: header fields and the body document. */
export interface RawReply {
  responseTo: number;
  opCode: number;
  doc: Document;
}

/** A bare socket client for wire-level tests. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  private nextId = 100;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static open(uri: string): Promise<RawClient> {
    const { host, port } = hostPort(uri);
    return new Promise((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Sends an OP_MSG with one kind-0 section; returns its request id. */
  sendMsg(doc: Document, flags = 0): number {
    const body = serialize(doc);
    const out = Buffer.alloc(16 + 5 + body.length);
    const id = this.nextId++;
    out.writeInt32LE(out.length, 0);
    out.writeInt32LE(id, 4);
    out.writeInt32LE(0, 8);
    out.writeInt32LE(2013, 12);
    out.writeUInt32LE(flags, 16);
    out[20] = 0;
    out.set(body, 21);
    this.socket.write(out);
    return id;
  }

  /** Sends an OP_MSG body zlib-compressed in OP_COMPRESSED; returns its request id. */
  sendCompressedMsg(doc: Document, compressor: 'zlib' | 'snappy' = 'zlib'): number {
    const body = serialize(doc);
    const payload = Buffer.alloc(5 + body.length);
    payload.writeUInt32LE(0, 0);
    payload[4] = 0;
    payload.set(body, 5);
    const z = compressor === 'zlib' ? deflateSync(payload) : compressSync(payload);
    const out = Buffer.alloc(16 + 9 + z.length);
    const id = this.nextId++;
    out.writeInt32LE(out.length, 0);
    out.writeInt32LE(id, 4);
    out.writeInt32LE(0, 8);
    out.writeInt32LE(2012, 12);
    out.writeInt32LE(2013, 16);
    out.writeInt32LE(payload.length, 20);
    out.writeUInt8(compressor === 'zlib' ? 2 : 1, 24);
    z.copy(out, 25);
    this.socket.write(out);
    return id;
  }

  /** Sends a legacy OP_QUERY command on `db.$cmd`; returns its request id. */
  sendQuery(db: string, doc: Document): number {
    const name = Buffer.from(`${db}.$cmd\0`);
    const body = serialize(doc);
    const out = Buffer.alloc(16 + 4 + name.length + 8 + body.length);
    const id = this.nextId++;
    out.writeInt32LE(out.length, 0);
    out.writeInt32LE(id, 4);
    out.writeInt32LE(0, 8);
    out.writeInt32LE(2004, 12);
    out.writeInt32LE(0, 16);
    name.copy(out, 20);
    out.writeInt32LE(0, 20 + name.length);
    out.writeInt32LE(-1, 24 + name.length);
    out.set(body, 28 + name.length);
    this.socket.write(out);
    return id;
  }

  /** Reads the next reply (OP_MSG, OP_REPLY or OP_COMPRESSED wrapping either). */
  async read(timeoutMs = 2000): Promise<RawReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buf.length >= 4) {
        const len = this.buf.readInt32LE(0);
        if (this.buf.length >= len) {
          const msg = this.buf.subarray(0, len);
          this.buf = this.buf.subarray(len);
          return decode(msg);
        }
      }
      if (this.closed) throw new Error('connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a reply');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves true once the server closes the connection (false after the timeout). */
  async waitClosed(timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

function decode(msg: Buffer): RawReply {
  const responseTo = msg.readInt32LE(8);
  let opCode = msg.readInt32LE(12);
  let body = msg.subarray(16);
  const wireOpCode = opCode;
  if (opCode === 2012) {
    opCode = body.readInt32LE(0);
    const data = body.subarray(9);
    body = body.readUInt8(8) === 1 ? (uncompressSync(data, { asBuffer: true }) as Buffer) : inflateSync(data);
  }
  const doc = opCode === 1 ? deserialize(body.subarray(20)) : deserialize(body.subarray(5));
  return { responseTo, opCode: wireOpCode, doc };
}
