import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import supertest from 'supertest';
import { inject } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig, type AppConfig } from '../src/config.js';
import { createLifecycle, type Lifecycle } from '../src/lifecycle.js';
import { startTelemetry, type Telemetry } from '@globeco/telemetry';
import type { DestinationStream } from 'pino';
import { createDatabaseStack, type DatabaseStack } from '../src/wiring.js';

declare module 'vitest' {
  /** Provided by @globeco/testkit/vitest-setup (declared here too, so tests type-check on their own). */
  export interface ProvidedContext {
    mongoUri: string;
  }
}

/** A portfolio as the API answers it (PortfolioResponse of the contract). */
export interface PortfolioBody {
  portfolioId: string;
  name: string;
  dateCreated: string;
  version: number;
}

/**
 * Telemetry as the app gets it, SDK off (tests run many apps in one process): the logger, and the
 * Koa middleware giving request ids and access lines. Writes nothing unless given a destination.
 */
export function testTelemetry(destination?: DestinationStream, level: 'info' | 'debug' = 'info'): Telemetry {
  return destination === undefined
    ? startTelemetry({ disabled: true, profile: 'test', log: { level: 'silent' } })
    : startTelemetry({ disabled: true, profile: 'test', log: { level } }, { logDestination: destination });
}

/** An app on testkit's MongoDB with a database of its own. */
export interface TestStack {
  readonly app: Koa;
  readonly http: ReturnType<typeof supertest>;
  readonly stack: DatabaseStack;
  readonly lifecycle: Lifecycle;
  readonly config: AppConfig;
  /** Number of documents stored in the portfolio collection. */
  count(): Promise<number>;
  /** Removes every portfolio. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** App settings serve.ts does not take from the environment. */
export interface TestStackOptions {
  readonly telemetry?: Telemetry;
  readonly listStallTimeoutMs?: number;
}

/** Creates the app exactly as serve.ts does, on a fresh database of testkit's replica set. */
export async function createTestStack(env: Record<string, string> = {}, options: TestStackOptions = {}): Promise<TestStack> {
  const config = loadConfig({
    APP_ENV: 'test',
    MONGODB_URI: inject('mongoUri'),
    MONGODB_DATABASE: `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    ...env,
  });
  const stack = createDatabaseStack(config.mongo.uri ?? '', config);
  await stack.store.ensureIndexes();
  const lifecycle = createLifecycle();
  lifecycle.markStarted();
  const app = createApp({
    service: stack.service,
    health: stack.health,
    lifecycle,
    telemetry: options.telemetry ?? testTelemetry(),
    corsOrigins: config.http.corsOrigins,
    ...(options.listStallTimeoutMs === undefined ? {} : { listStallTimeoutMs: options.listStallTimeoutMs }),
  });
  return {
    app,
    http: supertest(app.callback()),
    stack,
    lifecycle,
    config,
    count: () => stack.store.collection.countDocuments(),
    clear: async () => {
      await stack.store.collection.deleteMany({});
    },
    close: async () => {
      await stack.client.db(config.mongo.database).dropDatabase();
      await stack.client.close();
    },
  };
}

/** Polls `check` every 10 ms until it resolves true; rejects after `ms`. */
export async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`condition not met within ${ms} ms`);
}
