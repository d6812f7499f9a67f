import { randomUUID } from 'node:crypto';
import { MongoClient, ObjectId, type Collection, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, beforeEach, inject } from 'vitest';

/** A connected client on the run's replica-set (or standalone) MongoDB and a fresh database. */
export async function openDb(topology: 'replset' | 'standalone' = 'replset'): Promise<{ client: MongoClient; db: Db; close(): Promise<void> }> {
  const uri = topology === 'replset' ? inject('mongoUri') : inject('mongoStandaloneUri');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db(`testkit_${randomUUID().slice(0, 8)}`);
  return {
    client,
    db,
    close: async () => {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}

/** The fields of a driver error that tests look at. */
export interface MongoFailure {
  code?: number;
  codeName?: string;
  message: string;
  keyPattern?: Document;
  keyValue?: Document;
  writeErrors?: Document[];
  errorLabels?: string[];
  errorResponse?: Document;
  errorLabelSet?: Set<string>;
  hasErrorLabel?(label: string): boolean;
}

/** The error a promise rejects with (as a plain document of its fields); fails when it resolves. */
export async function failure(p: Promise<unknown>): Promise<MongoFailure> {
  return p.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (err: unknown) => err as MongoFailure,
  );
}

/**
 * Registers hooks that open a database for the file's tests and give each test a fresh collection
 * named `<prefix>_<id>`; read `env` and `coll` inside the tests.
 */
export function useFreshCollection(prefix: string): { readonly env: Awaited<ReturnType<typeof openDb>>; readonly coll: Collection<Document> } {
  let env: Awaited<ReturnType<typeof openDb>> | undefined;
  let coll: Collection<Document> | undefined;
  beforeAll(async () => {
    env = await openDb();
  });
  afterAll(async () => {
    await env?.close();
  });
  beforeEach(() => {
    coll = env?.db.collection(`${prefix}_${new ObjectId().toHexString()}`);
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useFreshCollection: used outside a test');
    return value;
  };
  return {
    get env() {
      return need(env);
    },
    get coll() {
      return need(coll);
    },
  };
}
