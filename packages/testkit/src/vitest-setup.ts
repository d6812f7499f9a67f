import type { TestProject } from 'vitest/node';
import type {} from 'vitest';
import { formatBackendLine, startMongo, type MongoBackend, type StartedMongo } from './start-mongo.js';

declare module 'vitest' {
  /** Values the testkit global setup provides to tests via `inject()`. */
  export interface ProvidedContext {
    /** URI of a replica-set primary (transactions work). */
    mongoUri: string;
    /** URI of a standalone server (transactions are rejected); equals mongoUri for an external server. */
    mongoStandaloneUri: string;
    /** Which backend serves both URIs. */
    mongoBackend: MongoBackend;
  }
}

/**
 * Vitest `globalSetup`: starts a replica-set and a standalone MongoDB once per run, prints the
 * backend line, provides their URIs to tests and stops them at teardown.
 */
export default async function setup(project: Pick<TestProject, 'provide'>): Promise<() => Promise<void>> {
  const replset = await startMongo({ topology: 'replset' });
  let standalone: StartedMongo = replset;
  try {
    if (replset.backend !== 'external') standalone = await startMongo({ topology: 'standalone' });
  } catch (err) {
    await replset.stop();
    throw err;
  }
  console.log(formatBackendLine(replset) + (standalone !== replset ? `, standalone ${standalone.uri}` : ''));
  project.provide('mongoUri', replset.uri);
  project.provide('mongoStandaloneUri', standalone.uri);
  project.provide('mongoBackend', replset.backend);
  return async () => {
    if (standalone !== replset) await standalone.stop();
    await replset.stop();
  };
}
