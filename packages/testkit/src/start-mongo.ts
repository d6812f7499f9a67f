import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { createWireServer } from './wire/server.js';
import type { Topology } from './wire/context.js';

/** Which kind of MongoDB startMongo resolved to. */
export type MongoBackend = 'external' | 'memory-server' | 'wire';

/** Options of startMongo. */
export interface StartMongoOptions {
  /** 'replset' (default: a single-node replica set, so transactions work) or 'standalone'. */
  topology?: Topology;
  /** Port to listen on for the in-process backends (default: any free port). */
  port?: number;
  /** Environment to read MONGODB_URI, MONGOMS_* and GLOBECO_TEST_MONGO_BACKEND from (default process.env). */
  env?: Record<string, string | undefined>;
}

/** A MongoDB started (or found) by startMongo. */
export interface StartedMongo {
  /** Connection string for the driver. */
  uri: string;
  backend: MongoBackend;
  /** The topology asked for (an external server is used as it is). */
  topology: Topology;
  /** Stops the server (a no-op for an external one). */
  stop(): Promise<void>;
}

const PROBE_TIMEOUT_MS = 2500;
const MEMORY_SERVER_START_TIMEOUT_MS = 30_000;
/** Starting with a download first (only when the download host answered the probe). */
const MEMORY_SERVER_DOWNLOAD_TIMEOUT_MS = 300_000;

/**
 * Starts a MongoDB for tests: `MONGODB_URI` when set, else mongodb-memory-server when a mongod binary
 * can be had (fails fast offline), else the in-process wire-protocol server.
 */
export async function startMongo(options: StartMongoOptions = {}): Promise<StartedMongo> {
  const env = options.env ?? process.env;
  const topology = options.topology ?? 'replset';
  const external = env.MONGODB_URI?.trim();
  if (external) return { uri: external, backend: 'external', topology, stop: () => Promise.resolve() };
  const forced = env.GLOBECO_TEST_MONGO_BACKEND?.trim();
  if (forced !== 'wire') {
    const memory = await tryMemoryServer(topology, options.port, env, forced === 'memory-server');
    if (memory) return memory;
  }
  const server = await createWireServer({ topology, ...(options.port !== undefined ? { port: options.port } : {}) });
  return { uri: server.uri, backend: 'wire', topology, stop: () => server.stop() };
}

/** The one line a test run prints to say which MongoDB it uses. */
export function formatBackendLine(mongo: Pick<StartedMongo, 'backend' | 'topology' | 'uri'>): string {
  const topology = mongo.backend === 'external' ? 'as configured' : mongo.topology;
  return `[testkit] MongoDB backend: ${mongo.backend} (${topology}) ${redact(mongo.uri)}`;
}

function redact(uri: string): string {
  return uri.replace(/\/\/([^@/]*)@/, '//***@');
}

async function tryMemoryServer(
  topology: Topology,
  port: number | undefined,
  env: Record<string, string | undefined>,
  required: boolean,
): Promise<StartedMongo | undefined> {
  const systemBinary = env.MONGOMS_SYSTEM_BINARY?.trim();
  if (systemBinary && !existsSync(systemBinary)) {
    if (required) throw new Error(`MONGOMS_SYSTEM_BINARY points at a missing file: ${systemBinary}`);
    return undefined;
  }
  const mms = await import('mongodb-memory-server');
  let binary: string | undefined = systemBinary;
  if (!binary) {
    try {
      binary = await mms.DryMongoBinary.locateBinary(mms.DryMongoBinary.getEnsuredOptions());
    } catch {
      binary = undefined;
    }
  }
  if (!binary) {
    const { host, port: probePort } = downloadHost(env);
    if (!(await reachable(host, probePort, PROBE_TIMEOUT_MS))) {
      if (required) throw new Error(`mongodb-memory-server: no mongod binary and ${host}:${probePort} is unreachable`);
      return undefined;
    }
  }
  const instance = { ...(port !== undefined ? { port } : {}), ip: '127.0.0.1' };
  const binaryOpts = binary ? { systemBinary: binary } : {};
  const limit = binary ? MEMORY_SERVER_START_TIMEOUT_MS : MEMORY_SERVER_DOWNLOAD_TIMEOUT_MS;
  try {
    if (topology === 'replset') {
      const rs = await withTimeout(
        mms.MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' }, instanceOpts: [instance], binary: binaryOpts }),
        limit,
        (late) => void late.stop(),
      );
      return { uri: rs.getUri(), backend: 'memory-server', topology, stop: async () => void (await rs.stop()) };
    }
    const server = await withTimeout(mms.MongoMemoryServer.create({ instance, binary: binaryOpts }), limit, (late) => void late.stop());
    return { uri: server.getUri(), backend: 'memory-server', topology, stop: async () => void (await server.stop()) };
  } catch (err) {
    if (required) throw err;
    return undefined;
  }
}

function downloadHost(env: Record<string, string | undefined>): { host: string; port: number } {
  const url = env.MONGOMS_DOWNLOAD_URL?.trim() || env.MONGOMS_DOWNLOAD_MIRROR?.trim() || 'https://fastdl.mongodb.org';
  try {
    const u = new URL(url);
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443 };
  } catch {
    return { host: 'fastdl.mongodb.org', port: 443 };
  }
}

/** True when a TCP connection to host:port succeeds within the timeout (DNS failure counts as no). */
function reachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** Races `p` against a timer; a value that arrives after the timeout is handed to `onLate` (to stop it). */
function withTimeout<T>(p: Promise<T>, ms: number, onLate: (value: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`timed out after ${ms} ms`));
    }, ms);
    timer.unref();
  });
  p.then(
    (value) => {
      if (timedOut) onLate(value);
    },
    () => undefined,
  );
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
