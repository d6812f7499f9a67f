export { startMongo, formatBackendLine } from './start-mongo.js';
export type { MongoBackend, StartMongoOptions, StartedMongo } from './start-mongo.js';
export { startFaultProxy } from './fault-proxy.js';
export type { FaultProxy, FaultProxyOptions } from './fault-proxy.js';
export { createWireServer } from './wire/server.js';
export type { WireServer, WireServerOptions } from './wire/server.js';
export type { Topology } from './wire/context.js';
export { answersOk, freePort } from './net.js';
