import { deserialize, serialize, type Document } from 'bson';

/** Opcode of the legacy reply to OP_QUERY. */
export const OP_REPLY = 1;
/** Opcode of the legacy query (used only for the first hello on a connection). */
export const OP_QUERY = 2004;
/** Opcode of a compressed message wrapping another opcode. */
export const OP_COMPRESSED = 2012;
/** Opcode of the extensible message format used for every other command. */
export const OP_MSG = 2013;

const HEADER_SIZE = 16;
/** Largest message accepted, as advertised in hello (maxMessageSizeBytes). */
export const MAX_MESSAGE_SIZE = 48_000_000;
const FLAG_CHECKSUM_PRESENT = 1;
/** OP_MSG flag: the sender expects no reply. */
export const FLAG_MORE_TO_COME = 2;

/** A decoded request: the command document plus how it must be answered. */
export interface WireRequest {
  requestId: number;
  opCode: typeof OP_MSG | typeof OP_QUERY;
  /** The command, with kind-1 document sequences merged in as arrays. */
  command: Document;
  /** True when the sender set moreToCome and expects no reply. */
  moreToCome: boolean;
  /** Compressor id the request arrived with (0 = none). */
  compressorId: number;
}

/** Raised for bytes that are not a valid message; the connection is closed. */
export class ProtocolError extends Error {}

/** Reads the total length prefix of the next message, or -1 when fewer than 4 bytes are buffered. */
export function peekMessageLength(buf: Buffer, offset: number): number {
  if (buf.length - offset < 4) return -1;
  const len = buf.readInt32LE(offset);
  if (len < HEADER_SIZE || len > MAX_MESSAGE_SIZE) throw new ProtocolError(`invalid message length ${len}`);
  return len;
}

/**
 * Decodes one complete message (header included).
 * @param decompress turns an OP_COMPRESSED payload back into the original body bytes.
 */
export function decodeMessage(
  msg: Buffer,
  decompress: (compressorId: number, data: Buffer, size: number) => Buffer,
): WireRequest {
  const requestId = msg.readInt32LE(4);
  let opCode = msg.readInt32LE(12);
  let body = msg.subarray(HEADER_SIZE);
  let compressorId = 0;
  if (opCode === OP_COMPRESSED) {
    if (body.length < 9) throw new ProtocolError('truncated OP_COMPRESSED');
    opCode = body.readInt32LE(0);
    const size = body.readInt32LE(4);
    compressorId = body.readUInt8(8);
    body = decompress(compressorId, body.subarray(9), size);
    if (body.length !== size) throw new ProtocolError('OP_COMPRESSED size mismatch');
  }
  if (opCode === OP_MSG) return { ...decodeOpMsg(body), requestId, opCode, compressorId };
  if (opCode === OP_QUERY) return { command: decodeOpQuery(body), requestId, opCode, moreToCome: false, compressorId };
  throw new ProtocolError(`unsupported opcode ${opCode}`);
}

function readBsonLength(body: Buffer, offset: number, end: number): number {
  if (end - offset < 5) throw new ProtocolError('truncated BSON document');
  const len = body.readInt32LE(offset);
  if (len < 5 || offset + len > end) throw new ProtocolError('BSON document overruns its section');
  return len;
}

function decodeOpMsg(body: Buffer): { command: Document; moreToCome: boolean } {
  if (body.length < 5) throw new ProtocolError('truncated OP_MSG');
  const flags = body.readUInt32LE(0);
  const end = flags & FLAG_CHECKSUM_PRESENT ? body.length - 4 : body.length;
  let offset = 4;
  let command: Document | undefined;
  let sequences: [string, Document[]][] | undefined;
  while (offset < end) {
    const kind = body[offset++];
    if (kind === 0) {
      const len = readBsonLength(body, offset, end);
      command = deserialize(body.subarray(offset, offset + len));
      offset += len;
    } else if (kind === 1) {
      const size = readBsonLength(body, offset, end);
      const sectionEnd = offset + size;
      const nameEnd = body.indexOf(0, offset + 4);
      if (nameEnd < 0 || nameEnd >= sectionEnd) throw new ProtocolError('bad document sequence identifier');
      const name = body.toString('utf8', offset + 4, nameEnd);
      const docs: Document[] = [];
      let p = nameEnd + 1;
      while (p < sectionEnd) {
        const len = readBsonLength(body, p, sectionEnd);
        docs.push(deserialize(body.subarray(p, p + len)));
        p += len;
      }
      (sequences ??= []).push([name, docs]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${String(kind)}`);
    }
  }
  if (!command) throw new ProtocolError('OP_MSG without a body section');
  if (sequences) for (const [name, docs] of sequences) command[name] = docs;
  return { command, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0 };
}

function decodeOpQuery(body: Buffer): Document {
  const nameEnd = body.indexOf(0, 4);
  if (nameEnd < 0) throw new ProtocolError('bad OP_QUERY collection name');
  const offset = nameEnd + 1 + 8;
  const len = readBsonLength(body, offset, body.length);
  const query = deserialize(body.subarray(offset, offset + len));
  // Legacy wrapping: {$query: {...}, $readPreference: ...}
  const inner: unknown = query.$query;
  const command = inner && typeof inner === 'object' ? (inner as Document) : query;
  if (command.$db === undefined) {
    const ns = body.toString('utf8', 4, nameEnd);
    command.$db = ns.slice(0, Math.max(0, ns.indexOf('.')));
  }
  return command;
}

/** Serialises a reply for the given request (OP_MSG kind 0, or OP_REPLY for OP_QUERY). */
export function encodeReply(requestId: number, responseTo: number, opCode: number, doc: Document): Buffer {
  const bson = serialize(doc);
  if (opCode === OP_QUERY) {
    const out = Buffer.allocUnsafe(HEADER_SIZE + 20 + bson.length);
    writeHeader(out, requestId, responseTo, OP_REPLY);
    out.writeInt32LE(8, 16); // AwaitCapable
    out.writeBigInt64LE(0n, 20);
    out.writeInt32LE(0, 28);
    out.writeInt32LE(1, 32);
    out.set(bson, 36);
    return out;
  }
  const out = Buffer.allocUnsafe(HEADER_SIZE + 5 + bson.length);
  writeHeader(out, requestId, responseTo, OP_MSG);
  out.writeUInt32LE(0, 16);
  out[20] = 0;
  out.set(bson, 21);
  return out;
}

/** Wraps an encoded message into OP_COMPRESSED with the given compressor. */
export function compressMessage(
  message: Buffer,
  compressorId: number,
  compress: (compressorId: number, data: Buffer) => Buffer,
): Buffer {
  const payload = message.subarray(HEADER_SIZE);
  const compressed = compress(compressorId, payload);
  const out = Buffer.allocUnsafe(HEADER_SIZE + 9 + compressed.length);
  writeHeader(out, message.readInt32LE(4), message.readInt32LE(8), OP_COMPRESSED);
  out.writeInt32LE(message.readInt32LE(12), 16);
  out.writeInt32LE(payload.length, 20);
  out.writeUInt8(compressorId, 24);
  compressed.copy(out, 25);
  return out;
}

function writeHeader(out: Buffer, requestId: number, responseTo: number, opCode: number): void {
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(opCode, 12);
}
