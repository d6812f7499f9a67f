import { createRequire } from 'node:module';
import { deflateSync, inflateSync } from 'node:zlib';
import { ProtocolError } from './protocol.js';

/** Compressor ids of OP_COMPRESSED. */
const NOOP = 0;
const SNAPPY = 1;
const ZLIB = 2;

interface SnappyCodec {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Buffer, options: { asBuffer: true }): Buffer;
}

/** The `snappy` codec (prebuilt native package), or undefined where it cannot load. */
function loadSnappy(): SnappyCodec | undefined {
  try {
    return createRequire(import.meta.url)('snappy') as SnappyCodec;
  } catch {
    return undefined;
  }
}

const snappy = loadSnappy();

/**
 * Compressor names the server can offer in hello, as mongod does (snappy and zlib; zstd is not
 * installed here). The client's order of preference decides which one a connection uses.
 */
export const SUPPORTED_COMPRESSORS = snappy ? ['snappy', 'zlib'] : ['zlib'];

/** The OP_COMPRESSED id for a compressor name, or undefined. */
export function compressorId(name: string | undefined): number | undefined {
  if (name === 'zlib') return ZLIB;
  if (name === 'snappy' && snappy) return SNAPPY;
  if (name === 'noop') return NOOP;
  return undefined;
}

/** Decompresses an OP_COMPRESSED payload. */
export function decompress(id: number, data: Buffer, size: number): Buffer {
  if (id === NOOP) return data;
  if (id === ZLIB) return inflateSync(data, { maxOutputLength: Math.max(size, 1) });
  if (id === SNAPPY && snappy) return snappy.uncompressSync(data, { asBuffer: true });
  throw new ProtocolError(`unsupported compressor id ${id}`);
}

/** Compresses a payload for OP_COMPRESSED. */
export function compress(id: number, data: Buffer): Buffer {
  if (id === ZLIB) return deflateSync(data);
  if (id === SNAPPY && snappy) return snappy.compressSync(data);
  return data;
}
