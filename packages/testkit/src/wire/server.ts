import { createServer, type Server, type Socket } from 'node:net';
import { ObjectId, type Document } from 'bson';
import { Catalog } from './catalog.js';
import { SUPPORTED_COMPRESSORS, compress, compressorId, decompress } from './compression.js';
import type { ServerState, Topology } from './context.js';
import { CursorRegistry } from './cursors.js';
import { dispatch, type ConnectionInfo } from './dispatch.js';
import { OP_MSG, OP_QUERY, compressMessage, decodeMessage, encodeReply, peekMessageLength } from './protocol.js';
import { TransactionManager } from './transactions.js';

/** Options of createWireServer. */
export interface WireServerOptions {
  /** 'replset' (default) presents a single-node replica set primary; 'standalone' a plain mongod. */
  topology?: Topology;
  /** TCP port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Replica set name (default 'rs0'). */
  replSetName?: string;
  /** Offer zlib compression in hello when the client asks for it (default true). */
  compression?: boolean;
}

/** A running wire server. */
export interface WireServer {
  readonly uri: string;
  readonly port: number;
  readonly topology: Topology;
  /** Closes the listener and every open connection. */
  stop(): Promise<void>;
}

const COMMANDS_WITHOUT_COMPRESSION = new Set(['hello', 'ismaster', 'isMaster', 'saslStart', 'saslContinue', 'getnonce', 'authenticate', 'createUser', 'updateUser', 'copydbSaslStart', 'copydbgetnonce', 'copydb']);

/** Starts an in-process server that speaks the MongoDB wire protocol on 127.0.0.1. */
export async function createWireServer(options: WireServerOptions = {}): Promise<WireServer> {
  const topology = options.topology ?? 'replset';
  const state: ServerState = {
    topology,
    setName: options.replSetName ?? 'rs0',
    catalog: new Catalog(),
    cursors: new CursorRegistry(),
    transactions: new TransactionManager(),
    hostAndPort: '',
    compressors: options.compression === false ? [] : SUPPORTED_COMPRESSORS,
    electionId: new ObjectId('7fffffff0000000000000001'),
  };
  const sockets = new Set<Socket>();
  let nextConnectionId = 1;
  let nextRequestId = 1;
  const server: Server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    serveConnection(socket);
  });

  function serveConnection(socket: Socket): void {
    let compressor: number | undefined;
    const conn: ConnectionInfo = {
      connectionId: nextConnectionId++,
      clientCompressors: undefined,
      negotiate: (name) => {
        compressor = compressorId(name);
      },
    };
    // Chunks are kept until a whole message is in, so a large message is copied once, not per chunk.
    let chunks: Buffer[] = [];
    let buffered = 0;
    let needed = 0;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered < 4 || buffered < needed) return;
      const buf = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, buffered);
      chunks = [];
      buffered = 0;
      needed = 0;
      let offset = 0;
      const replies: Buffer[] = [];
      try {
        for (;;) {
          const len = peekMessageLength(buf, offset);
          if (len < 0 || buf.length - offset < len) break;
          const msg = buf.subarray(offset, offset + len);
          offset += len;
          const req = decodeMessage(msg, decompress);
          const reply = dispatch(state, req.command, conn);
          if (req.moreToCome) continue;
          const replyOp = req.opCode === OP_QUERY ? OP_QUERY : OP_MSG;
          let out: Buffer;
          try {
            out = encodeReply(nextRequestId++, req.requestId, replyOp, reply);
          } catch (err) {
            const errmsg = `reply could not be encoded: ${err instanceof Error ? err.message : String(err)}`;
            out = encodeReply(nextRequestId++, req.requestId, replyOp, { ok: 0, errmsg, code: 10334, codeName: 'BSONObjectTooLarge' });
          }
          if (req.compressorId !== 0 && compressor !== undefined && !COMMANDS_WITHOUT_COMPRESSION.has(firstKey(req.command))) {
            out = compressMessage(out, req.compressorId, compress);
          }
          replies.push(out);
        }
        if (offset < buf.length) {
          const rest = buf.subarray(offset);
          chunks = [rest];
          buffered = rest.length;
          needed = rest.length >= 4 ? peekMessageLength(rest, 0) : 0;
        }
      } catch {
        // A malformed message closes this connection only; other clients are unaffected.
        socket.destroy();
        return;
      }
      // One write per chunk of requests: a syscall costs more than a copy here.
      if (replies.length === 1) socket.write(replies[0] as Buffer);
      else if (replies.length > 1) socket.write(Buffer.concat(replies));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  state.hostAndPort = `127.0.0.1:${port}`;
  const uri = topology === 'replset' ? `mongodb://${state.hostAndPort}/?replicaSet=${state.setName}` : `mongodb://${state.hostAndPort}/`;
  let stopped: Promise<void> | undefined;
  return {
    uri,
    port,
    topology,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      })),
  };
}

function firstKey(doc: Document): string {
  for (const k in doc) return k;
  return '';
}
