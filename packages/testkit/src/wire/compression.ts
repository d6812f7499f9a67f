import { deflateSync, inflateSync } from 'node:zlib';
import { ProtocolError } from './protocol.js';

/** Compressor ids of OP_COMPRESSED. */
const NOOP = 0;
const ZLIB = 2;

/** Compressor names the server can offer in hello. */
export const SUPPORTED_COMPRESSORS = ['zlib'];

/** The OP_COMPRESSED id for a compressor name, or undefined. */
export function compressorId(name: string | undefined): number | undefined {
  if (name === 'zlib') return ZLIB;
  if (name === 'noop') return NOOP;
  return undefined;
}

/** Inflates an OP_COMPRESSED payload. */
export function decompress(id: number, data: Buffer, size: number): Buffer {
  if (id === NOOP) return data;
  if (id === ZLIB) return inflateSync(data, { maxOutputLength: Math.max(size, 1) });
  throw new ProtocolError(`unsupported compressor id ${id}`);
}

/** Deflates a payload for OP_COMPRESSED. */
export function compress(id: number, data: Buffer): Buffer {
  if (id === ZLIB) return deflateSync(data);
  return data;
}
