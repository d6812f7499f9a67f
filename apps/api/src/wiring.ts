import {
  isPortfolioError,
  createMongoClient,
  createMongoPortfolioStore,
  createPortfolioService,
  createValidationCache,
  type MongoPortfolioStore,
  type PortfolioService,
} from '@globeco/portfolio-core';
import type { AppMetrics, PoolSnapshot, Telemetry } from '@globeco/telemetry';
import type { AppConfig } from './config.js';
import type { DatabaseCheck, HealthSource } from './routes/health.js';
import type { PortfolioOperations } from './routes/service-port.js';

/** The driver client of the core's MongoDB store (typed through the core, which owns the driver). */
type MongoClient = ReturnType<typeof createMongoClient>;

/** Longest wait of a readiness database check. */
const HEALTH_CHECK_TIMEOUT_MS = 2000;

/** The MongoDB client, store, service and health source of one process. */
export interface DatabaseStack {
  readonly client: MongoClient;
  readonly store: MongoPortfolioStore;
  readonly service: PortfolioService;
  readonly health: HealthSource;
}

/** Settings {@link createDatabaseStack} reads from the configuration. */
export type DatabaseSettings = Pick<AppConfig, 'mongo' | 'validationCacheSize' | 'service'>;

/** Hooks of {@link createDatabaseStack}. */
export interface DatabaseStackHooks {
  /** Instruments the client and service (metrics) and returns the connection pool reader. */
  readonly instrument?: (client: MongoClient, service: PortfolioService) => () => PoolSnapshot;
  /** The instrumentation times commands from command monitoring events (telemetry's `mongoCommandEvents`). */
  readonly commandEvents?: boolean;
}

/** Creates the (not yet connected) MongoDB client and the portfolio service on it. */
export function createDatabaseStack(uri: string, config: DatabaseSettings, hooks: DatabaseStackHooks = {}): DatabaseStack {
  const client = createMongoClient({
    uri,
    minPoolSize: config.mongo.minPoolSize,
    maxPoolSize: config.mongo.maxPoolSize,
    compressors: config.mongo.compressors.filter((c) => c !== 'none'),
    writeConcern: { w: config.mongo.writeConcern, journal: config.mongo.journal },
    serverSelectionTimeoutMS: config.mongo.serverSelectionTimeoutMs,
    connectTimeoutMS: config.mongo.connectTimeoutMs,
    socketTimeoutMS: config.mongo.socketTimeoutMs,
    // A request abandoned at its time budget also leaves the pool's wait queue.
    waitQueueTimeoutMS: config.mongo.operationTimeoutMs,
    appName: config.service.name,
    // Telemetry times commands by wrapping the driver's Connection.command; command monitoring events
    // (an event object and a second deserialization of every reply) only if that hook did not apply.
    monitorCommands: hooks.instrument !== undefined && hooks.commandEvents === true,
  });
  const store = createMongoPortfolioStore({ client, databaseName: config.mongo.database });
  const service = createPortfolioService({
    store,
    cache: createValidationCache({ maxSize: config.validationCacheSize }),
    resilience: {
      failureThreshold: config.mongo.breaker.failures,
      halfOpenAfterMs: config.mongo.breaker.halfOpenAfterMs,
      successThreshold: config.mongo.breaker.successes,
      timeoutMs: config.mongo.operationTimeoutMs,
    },
  });
  const pool = hooks.instrument?.(client, service);
  return { client, store, service, health: createHealthSource(service, config, pool) };
}

/** Hands the client, breaker, cache and retries of the database stack to telemetry; returns the pool reader. */
export function instrumentDatabase(telemetry: Pick<Telemetry, 'instrumentMongoClient' | 'app'>, client: MongoClient, service: PortfolioService): () => PoolSnapshot {
  const mongo = telemetry.instrumentMongoClient(client);
  const metrics = telemetry.app;
  metrics.observeCircuitBreaker('database', () => service.policy.state);
  metrics.observeCache('validation', () => service.cache.stats());
  service.policy.onStateChange((state) => metrics.recordCircuitBreakerTransition('database', state));
  service.policy.onRetry((event) => metrics.recordRetry(event.operation));
  return () => mongo.snapshot();
}

/**
 * The operations the surfaces call, counting what they create by surface (v1 single create, v2
 * bulk, fast bulk), bulk batch sizes, and failures by error code.
 */
export function recordOutcomes(service: PortfolioOperations, metrics: AppMetrics): PortfolioOperations {
  const failed = (error: unknown): never => {
    const code = (error as { code?: unknown } | null)?.code;
    metrics.recordFailure(isPortfolioError(error) && typeof code === 'string' ? code : 'UNKNOWN');
    throw error;
  };
  const counted = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => (...args: A): Promise<R> => call(...args).catch(failed);
  return {
    get: counted((id) => service.get(id)),
    listJsonBatches: (...args) => service.listJsonBatches(...args),
    search: counted((query) => service.search(query)),
    update: counted((id, input) => service.update(id, input)),
    delete: counted((id, version) => service.delete(id, version)),
    create: counted(async (input) => {
      const created = await service.create(input);
      metrics.recordCreated('v1', 1);
      return created;
    }),
    createMany: counted(async (inputs, options) => {
      const surface = options?.rejectExisting === true ? 'fast' : 'v2';
      // The size asked for, refused batches included; the service validates the body itself.
      if (Array.isArray(inputs)) metrics.recordBulkBatchSize(surface, inputs.length);
      const created = await service.createMany(inputs, options);
      metrics.recordCreated(surface, created.length);
      return created;
    }),
  };
}

function createHealthSource(
  service: PortfolioService,
  config: DatabaseSettings,
  pool: (() => PoolSnapshot) | undefined,
): HealthSource {
  return {
    async checkDatabase(): Promise<DatabaseCheck> {
      const start = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          service.ping(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_CHECK_TIMEOUT_MS} ms`)), HEALTH_CHECK_TIMEOUT_MS);
          }),
        ]);
        return { ok: true, latencyMs: Math.round(performance.now() - start) };
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - start), error: (error as Error).message };
      } finally {
        clearTimeout(timer);
      }
    },
    details() {
      const snapshot = pool?.();
      const waiting = snapshot !== undefined && snapshot.waitQueue > 0;
      return {
        circuit_breakers: { database: { state: service.policy.state, retry_after_ms: service.policy.retryAfterMs() } },
        connection_pool: {
          status: waiting ? 'saturated' : 'healthy',
          ...(snapshot === undefined
            ? {}
            : { open_connections: snapshot.total, in_use: snapshot.inUse, available: snapshot.available, wait_queue: snapshot.waitQueue }),
          min_pool_size: config.mongo.minPoolSize,
          max_pool_size: config.mongo.maxPoolSize,
        },
        validation_cache: { status: 'healthy', ...service.cache.stats() },
      };
    },
  };
}
