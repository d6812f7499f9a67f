import { createRequire } from 'node:module';
import { MongoClient, ReadPreference, type MongoClientOptions as DriverOptions, type W } from 'mongodb';
import { guardDroppedConnections } from './dropped-connection-guard.js';
import { useSynchronousZlibForSmallMessages } from './small-zlib.js';

/** Wire compressors the MongoDB driver knows. */
export type CompressorName = 'zstd' | 'zlib' | 'snappy';

/**
 * Default compressor preference: zstd (best ratio for its CPU) when its codec is installed, then
 * snappy (cheapest CPU), then zlib (built into Node, so always available, but the most CPU per byte).
 */
export const DEFAULT_COMPRESSORS: readonly CompressorName[] = ['zstd', 'snappy', 'zlib'];

/** Default database name. */
export const DEFAULT_DATABASE_NAME = 'portfolio_db';

/** Plain options of {@link createMongoClient}; the caller reads them from its own config. */
export interface MongoConnectionOptions {
  /** Connection string, e.g. `mongodb://127.0.0.1:27017`. */
  readonly uri: string;
  /** Minimum pool size (default 10). */
  readonly minPoolSize?: number;
  /** Maximum pool size (default 50). */
  readonly maxPoolSize?: number;
  /** Compressors in preference order; those whose codec cannot load are dropped (default zstd, snappy, zlib). */
  readonly compressors?: readonly CompressorName[];
  /** Write concern: `w` (default 1) and `journal` (default unset, i.e. server default). */
  readonly writeConcern?: { readonly w?: number | 'majority'; readonly journal?: boolean };
  /** Server selection timeout, ms (default 5000). */
  readonly serverSelectionTimeoutMS?: number;
  /** Connect timeout, ms (default 10000). */
  readonly connectTimeoutMS?: number;
  /** Socket inactivity timeout, ms (default 0 = none). */
  readonly socketTimeoutMS?: number;
  /**
   * Longest wait for a pooled connection, ms (default 0 = none). Set it to the per-operation time
   * budget so an operation its caller has given up on leaves the pool's wait queue too, instead of
   * queueing behind a slow database.
   */
  readonly waitQueueTimeoutMS?: number;
  /** Application name sent in the handshake. */
  readonly appName?: string;
  /** Emit command monitoring events (`commandStarted` …) on the client (default false). */
  readonly monitorCommands?: boolean;
  /** How often the driver's monitor checks each server, ms (driver default 10 000; at least 500). */
  readonly heartbeatFrequencyMS?: number;
}

/** Which requested compressors can be used here. */
export interface CompressorSupport {
  /** Compressors whose codec loaded, in preference order. */
  readonly enabled: CompressorName[];
  /** Compressors dropped, with the reason. */
  readonly unavailable: { readonly name: CompressorName; readonly reason: string }[];
}

const CODEC_MODULES: Record<CompressorName, string | undefined> = {
  zlib: undefined,
  snappy: 'snappy',
  zstd: '@mongodb-js/zstd',
};

/**
 * Checks which compressors can actually be loaded: zlib is built in; snappy and zstd need the
 * optional native packages `snappy` and `@mongodb-js/zstd`, resolved the way the driver resolves them.
 * @param requested compressors in preference order
 */
export function detectCompressors(requested: readonly CompressorName[] = DEFAULT_COMPRESSORS): CompressorSupport {
  // Resolve from the driver's location: that is where the driver itself will look.
  const driverRequire = createRequire(createRequire(import.meta.url).resolve('mongodb'));
  const enabled: CompressorName[] = [];
  const unavailable: { name: CompressorName; reason: string }[] = [];
  for (const name of requested) {
    if (enabled.includes(name)) continue;
    const module = CODEC_MODULES[name];
    if (module === undefined) {
      enabled.push(name);
      continue;
    }
    try {
      driverRequire(module);
      enabled.push(name);
    } catch (error) {
      unavailable.push({ name, reason: error instanceof Error ? error.message.split('\n')[0]! : String(error) });
    }
  }
  return { enabled, unavailable };
}

/**
 * Builds the driver options from plain options: pool sizes, usable compressors, write concern,
 * primary reads and timeouts.
 */
export function toDriverOptions(options: MongoConnectionOptions): DriverOptions {
  const { enabled } = detectCompressors(options.compressors ?? DEFAULT_COMPRESSORS);
  const writeConcern: { w: W; journal?: boolean } = { w: options.writeConcern?.w ?? 1 };
  if (options.writeConcern?.journal !== undefined) writeConcern.journal = options.writeConcern.journal;
  const driver: DriverOptions = {
    minPoolSize: options.minPoolSize ?? 10,
    maxPoolSize: options.maxPoolSize ?? 50,
    compressors: enabled,
    writeConcern,
    readPreference: ReadPreference.primary,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    connectTimeoutMS: options.connectTimeoutMS ?? 10_000,
    socketTimeoutMS: options.socketTimeoutMS ?? 0,
    waitQueueTimeoutMS: options.waitQueueTimeoutMS ?? 0,
  };
  if (options.appName !== undefined) driver.appName = options.appName;
  if (options.monitorCommands !== undefined) driver.monitorCommands = options.monitorCommands;
  if (options.heartbeatFrequencyMS !== undefined) driver.heartbeatFrequencyMS = options.heartbeatFrequencyMS;
  return driver;
}

/**
 * Creates a (not yet connected) MongoDB client from plain options; call `connect()` or let the
 * first operation connect it. The driver's connections fail an operation whose connection closes
 * mid-write instead of hanging (see {@link guardDroppedConnections}), and zlib messages up to
 * 16 KiB are compressed synchronously (see {@link useSynchronousZlibForSmallMessages}).
 */
export function createMongoClient(options: MongoConnectionOptions): MongoClient {
  applyDriverHooks();
  return new MongoClient(options.uri, toDriverOptions(options));
}

/** The package's run-time fixes of the MongoDB driver, by the internal each one replaces. */
export interface DriverHooks {
  /** {@link guardDroppedConnections}: an operation whose connection closes mid-write fails instead of hanging. */
  readonly 'mongodb.Connection.writeCommand': boolean;
  /** {@link useSynchronousZlibForSmallMessages}: zlib messages up to 16 KiB are compressed synchronously. */
  readonly 'mongodb.compression.zlib': boolean;
}

/**
 * Applies the package's run-time fixes to the installed MongoDB driver (idempotent;
 * {@link createMongoClient} calls it) and says which applied: `false` means the driver's internals
 * moved, and the service runs without that fix. A host reports these at start-up.
 */
export function applyDriverHooks(): DriverHooks {
  return { 'mongodb.Connection.writeCommand': guardDroppedConnections(), 'mongodb.compression.zlib': useSynchronousZlibForSmallMessages() };
}
