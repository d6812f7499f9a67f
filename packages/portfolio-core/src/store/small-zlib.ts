import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import zlib from 'node:zlib';
import { MongoDecompressionError } from 'mongodb';

/** Messages up to this size are compressed and decompressed synchronously. */
export const SYNC_ZLIB_LIMIT = 16 * 1024;

/** Marks a driver copy already switched, so applying twice changes nothing. */
const APPLIED = Symbol.for('@globeco/portfolio-core/small-zlib');

// Wire protocol constants (MongoDB wire protocol: message header, OP_COMPRESSED layout).
const MESSAGE_HEADER_SIZE = 16;
const OP_COMPRESSED = 2012;
const OP_MSG = 2013;
const ZLIB_COMPRESSOR_ID = 2;

type Compress = ((options: { agreedCompressor?: string; zlibCompressionLevel?: number }, data: Uint8Array) => Promise<Uint8Array>) & { [APPLIED]?: true };
type DecompressResponse = ((message: Buffer) => Promise<unknown>) & { [APPLIED]?: true };
type ResponseClass = new (message: Buffer, header: Record<string, unknown>, body: Uint8Array) => unknown;

/** The parts of the driver's internal modules this relies on. */
interface DriverInternals {
  readonly compression: { compress?: Compress; decompressResponse?: DecompressResponse };
  readonly commands: { OpMsgResponse?: ResponseClass; OpReply?: ResponseClass };
}

function loadInternals(): DriverInternals | undefined {
  try {
    const driverRequire = createRequire(createRequire(import.meta.url).resolve('mongodb'));
    const lib = dirname(driverRequire.resolve('mongodb'));
    return {
      compression: driverRequire(join(lib, 'cmap', 'wire_protocol', 'compression.js')) as DriverInternals['compression'],
      commands: driverRequire(join(lib, 'cmap', 'commands.js')) as DriverInternals['commands'],
    };
  } catch {
    return undefined;
  }
}

/**
 * Makes the MongoDB driver run zlib synchronously for messages up to {@link SYNC_ZLIB_LIMIT}:
 * mongodb 7.9.x compresses every command and decompresses every reply through the callback API,
 * whose per-call stream and thread-pool round trip cost several times the work for a message of
 * a few hundred bytes (about 200 µs against 40 µs of CPU per compress + decompress). Larger
 * messages, and the other compressors, keep the driver's own path. Applied once per copy of the
 * driver; {@link createMongoClient} calls it.
 * @returns whether the driver's compression is switched (false when this driver has no such internals)
 */
export function useSynchronousZlibForSmallMessages(): boolean {
  const internals = loadInternals();
  if (internals === undefined) return false;
  const { compression, commands } = internals;
  const { compress, decompressResponse } = compression;
  const { OpMsgResponse, OpReply } = commands;
  if (typeof compress !== 'function' || typeof decompressResponse !== 'function' || typeof OpMsgResponse !== 'function' || typeof OpReply !== 'function') {
    return false;
  }
  if (compress[APPLIED] === true && decompressResponse[APPLIED] === true) return true;

  const syncCompress: Compress = async function (options, data) {
    if (options.agreedCompressor !== 'zlib' || data.length > SYNC_ZLIB_LIMIT) return compress(options, data);
    // the driver passes a level only when one is configured
    return zlib.deflateSync(data, options.zlibCompressionLevel ? { level: options.zlibCompressionLevel } : {});
  };
  const syncDecompressResponse: DecompressResponse = async function (message) {
    if (
      message.length <= MESSAGE_HEADER_SIZE + 9 ||
      message.readInt32LE(12) !== OP_COMPRESSED ||
      message[MESSAGE_HEADER_SIZE + 8] !== ZLIB_COMPRESSOR_ID ||
      message.length - (MESSAGE_HEADER_SIZE + 9) > SYNC_ZLIB_LIMIT
    ) {
      return decompressResponse(message);
    }
    const header = {
      length: message.readInt32LE(MESSAGE_HEADER_SIZE + 4),
      requestId: message.readInt32LE(4),
      responseTo: message.readInt32LE(8),
      opCode: message.readInt32LE(MESSAGE_HEADER_SIZE),
      fromCompressed: true,
    };
    const body = zlib.inflateSync(message.subarray(MESSAGE_HEADER_SIZE + 9));
    if (body.length !== header.length) throw new MongoDecompressionError('Message body and message header must be the same length');
    const Response = header.opCode === OP_MSG ? OpMsgResponse : OpReply;
    return new Response(message, header, body);
  };
  syncCompress[APPLIED] = true;
  syncDecompressResponse[APPLIED] = true;
  compression.compress = syncCompress;
  compression.decompressResponse = syncDecompressResponse;
  return true;
}
