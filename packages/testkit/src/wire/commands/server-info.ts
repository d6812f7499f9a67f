import { Long, type Document } from 'bson';
import type { CommandContext, CommandHandler } from '../context.js';

/** The server version the wire server reports (buildInfo, hello's wire versions match it). */
export const SERVER_VERSION = '7.0.0';
const MAX_WIRE_VERSION = 21;

function hello(ctx: CommandContext): Document {
  const { state, cmd } = ctx;
  const asked = Array.isArray(cmd.compression) ? (cmd.compression as unknown[]).filter((c): c is string => typeof c === 'string') : [];
  const chosen = asked.filter((c) => state.compressors.includes(c));
  if (cmd.compression !== undefined) ctx.negotiate(chosen[0]);
  const reply: Document = {
    helloOk: true,
    isWritablePrimary: true,
    ismaster: true,
  };
  if (state.topology === 'replset') {
    Object.assign(reply, {
      hosts: [state.hostAndPort],
      setName: state.setName,
      setVersion: 1,
      secondary: false,
      primary: state.hostAndPort,
      me: state.hostAndPort,
      electionId: state.electionId,
      lastWrite: { lastWriteDate: new Date() },
    });
  }
  Object.assign(reply, {
    maxBsonObjectSize: 16777216,
    maxMessageSizeBytes: 48000000,
    maxWriteBatchSize: 100000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
  });
  if (chosen.length > 0) reply.compression = chosen;
  return reply;
}

function buildInfo(): Document {
  return {
    version: SERVER_VERSION,
    gitVersion: 'globeco-testkit-wire',
    versionArray: SERVER_VERSION.split('.').map(Number).concat(0),
    bits: 64,
    debug: false,
    maxBsonObjectSize: 16777216,
    storageEngines: ['memory'],
    javascriptEngine: 'none',
  };
}

/** Handshake and informational commands. */
export const serverInfoCommands: Record<string, CommandHandler> = {
  hello,
  ismaster: hello,
  isMaster: hello,
  ping: () => ({}),
  buildInfo,
  buildinfo: buildInfo,
  hostInfo: () => ({ system: { currentTime: new Date(), hostname: 'localhost', cpuAddrSize: 64, numCores: 1 }, os: {}, extra: {} }),
  whatsmyuri: () => ({ you: '127.0.0.1:0' }),
  getParameter: () => ({ featureCompatibilityVersion: { version: '7.0' } }),
  getCmdLineOpts: () => ({ argv: ['mongod'], parsed: {} }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] } }),
  serverStatus: (ctx) => ({
    host: ctx.state.hostAndPort,
    version: SERVER_VERSION,
    process: 'mongod',
    uptime: process.uptime(),
    localTime: new Date(),
    connections: { current: 1 },
  }),
  replSetGetStatus: (ctx) =>
    ctx.state.topology === 'replset'
      ? { set: ctx.state.setName, myState: 1, members: [{ _id: 0, name: ctx.state.hostAndPort, health: 1, state: 1, stateStr: 'PRIMARY' }] }
      : { ok: 0, errmsg: 'not running with --replSet', code: 76, codeName: 'NoReplicationEnabled' },
  endSessions: (ctx) => {
    const ids: unknown = ctx.cmd.endSessions;
    if (Array.isArray(ids)) ctx.state.transactions.endSessions(ids as Document[]);
    return {};
  },
  startSession: () => ({ id: { id: crypto.randomUUID() }, timeoutMinutes: 30 }),
  refreshSessions: () => ({}),
  killAllSessions: () => ({}),
  getLastError: () => ({ n: 0, err: null }),
  listDatabases: (ctx) => {
    const databases = ctx.state.catalog.databases().map((name) => ({ name, sizeOnDisk: Long.fromNumber(8192), empty: false }));
    return ctx.cmd.nameOnly === true ? { databases: databases.map(({ name }) => ({ name })) } : { databases, totalSize: 8192 * databases.length };
  },
};
