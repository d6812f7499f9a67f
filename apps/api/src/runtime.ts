import { applyDriverHooks, type MongoPortfolioStore } from '@globeco/portfolio-core';
import type { Telemetry } from '@globeco/telemetry';
import type { startMongo } from '@globeco/testkit';
import { createApp } from './app.js';
import type { AppConfig } from './config.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { startServer, type RunningServer } from './server.js';
import { createDatabaseStack, instrumentDatabase, recordOutcomes } from './wiring.js';

/** A running service: stop it with {@link RunningService.shutdown}. */
export interface RunningService {
  readonly server: RunningServer;
  readonly lifecycle: Lifecycle;
  /** Drains HTTP, closes MongoDB and flushes telemetry; resolves when done. */
  shutdown(reason: string): Promise<void>;
}

interface MongoTarget {
  readonly uri: string;
  stop(): Promise<void>;
}

/** The development-only embedded MongoDB; a clear start-up error where the install lacks it. */
async function loadEmbeddedMongo(): Promise<{ startMongo: typeof startMongo }> {
  try {
    return await import('@globeco/testkit');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      'MONGODB_URI is not set and this install has no embedded MongoDB (@globeco/testkit is a development dependency, absent from production installs): set MONGODB_URI',
      { cause: error },
    );
  }
}

async function resolveMongo(config: AppConfig, obs: Telemetry): Promise<MongoTarget> {
  if (config.mongo.uri !== undefined) return { uri: config.mongo.uri, stop: () => Promise.resolve() };
  const { startMongo } = await loadEmbeddedMongo();
  // An empty env: the configuration above is the only source of settings.
  const mongo = await startMongo({ topology: 'replset', env: {} });
  obs.logger.info({ uri: mongo.uri, backend: mongo.backend }, `embedded MongoDB started (${mongo.backend}) at ${mongo.uri}`);
  return mongo;
}

/**
 * Connects and creates the indexes, retrying until it succeeds or `stopped()`; marks the lifecycle
 * started on success. The explicit connect matters: after a failed first connection the driver
 * keeps its topology closed until `connect()` is called again.
 */
async function ensureIndexesInBackground(
  client: { connect(): Promise<unknown> },
  store: MongoPortfolioStore,
  lifecycle: Lifecycle,
  obs: Telemetry,
  retryMs: number,
  stopped: () => boolean,
): Promise<void> {
  for (let attempt = 1; !stopped(); attempt++) {
    try {
      await client.connect();
      const names = await store.ensureIndexes();
      lifecycle.markStarted();
      obs.logger.info({ indexes: names, attempt }, 'indexes ensured; service started');
      return;
    } catch (error) {
      obs.logger.warn({ err: error, attempt, retryInMs: retryMs }, 'index creation failed; MongoDB unreachable?');
      await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
    }
  }
}

/** Starts MongoDB access, the app and the HTTP server from a loaded configuration. */
export async function startService(config: AppConfig, obs: Telemetry): Promise<RunningService> {
  const mongo = await resolveMongo(config, obs);
  const { client, store, service, health } = createDatabaseStack(mongo.uri, config, {
    instrument: (c, s) => instrumentDatabase(obs, c, s),
    commandEvents: obs.mongoCommandEvents,
  });
  service.policy.onStateChange((state) => obs.logger.warn({ state }, `database circuit breaker ${state}`));
  // The driver fixes portfolio-core applies at run time (createMongoClient applied them already).
  obs.reportHooks(applyDriverHooks(), 'the MongoDB driver runs without that fix (see the portfolio-core README)');

  const lifecycle = createLifecycle();
  const app = createApp({
    service: recordOutcomes(service, obs.app),
    health,
    lifecycle,
    telemetry: obs,
    corsOrigins: config.http.corsOrigins,
    accessLog: config.http.accessLog,
    version: config.service.version,
    ...(config.telemetry.enableMetrics
      ? { renderMetrics: async () => ({ contentType: obs.prometheusContentType, body: await obs.renderPrometheus() }) }
      : {}),
  });
  const server = await startServer(app.callback(), {
    ...config.http,
    // The client's doing (a malformed request, a reset): its code at debug, never its bytes.
    onClientError: (code) => obs.logger.debug({ code }, 'client connection error (malformed request or reset); connection closed'),
  });
  obs.logger.info(
    { host: server.address.address, port: server.address.port, http2: config.http.http2 },
    `listening on ${server.address.address}:${server.address.port}`,
  );

  let stopping = false;
  // Runs until indexes exist or shutdown begins; it never rejects.
  void ensureIndexesInBackground(client, store, lifecycle, obs, config.mongo.indexRetryMs, () => stopping);

  let done: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    done ??= (async () => {
      stopping = true;
      lifecycle.startDrain();
      obs.logger.info({ reason, inFlight: server.inFlight, graceMs: config.http.shutdownGraceMs }, 'shutting down');
      const { forced } = await server.drain(config.http.shutdownGraceMs);
      await client.close().catch((error: unknown) => obs.logger.warn({ err: error }, 'closing MongoDB failed'));
      await mongo.stop().catch((error: unknown) => obs.logger.warn({ err: error }, 'stopping embedded MongoDB failed'));
      obs.logger.info({ forced }, 'stopped');
      await obs.shutdown();
    })();
    return done;
  };
  return { server, lifecycle, shutdown };
}
