import { fileURLToPath } from 'node:url';
import { startMongo, type StartedMongo } from '@globeco/testkit';
import { MongoClient, ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpVariant } from './environment.js';
import { stopChild } from './processes.js';
import { findReferencePython, REFERENCE_SETUP, referencePythonCandidates, startFastapiReference } from './reference.js';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const python = findReferencePython(referencePythonCandidates(benchDir));
if (python === undefined) process.stderr.write(`[bench] FastAPI reference server test skipped: no Python with its packages (${REFERENCE_SETUP})\n`);

describe.skipIf(python === undefined)('the FastAPI + Motor reference server', () => {
  let mongo: StartedMongo;
  let server: HttpVariant;
  const id = new ObjectId();
  const dateCreated = new Date('2026-03-04T05:06:07.089Z');

  beforeAll(async () => {
    mongo = await startMongo();
    const client = new MongoClient(mongo.uri);
    await client.db('bench_reference').collection('portfolio').insertOne({ _id: id, name: 'Reference Fund', dateCreated, version: 3 });
    await client.close();
    server = await startFastapiReference(python!.python, benchDir, mongo.uri, { database: 'bench_reference', name: 'portfolio' }, undefined);
  }, 60_000);

  afterAll(async () => {
    if (server !== undefined) await stopChild(server.child);
    await mongo?.stop();
  });

  it('answers GET by id with the portfolio from MongoDB, as the original does', async () => {
    const res = await fetch(`${server.url}/api/v1/portfolio/${id.toHexString()}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect({ ...body, dateCreated: new Date(`${String(body.dateCreated)}Z`).toISOString() }).toStrictEqual({
      portfolioId: id.toHexString(),
      name: 'Reference Fund',
      dateCreated: dateCreated.toISOString(),
      version: 3,
    });
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const path of [new ObjectId().toHexString(), 'not-an-id']) {
      const res = await fetch(`${server.url}/api/v1/portfolio/${path}`);
      expect([res.status, await res.json()]).toStrictEqual([404, { detail: 'Portfolio not found' }]);
    }
  });

  it('stops on SIGTERM', async () => {
    expect(await stopChild(server.child)).toBe(0);
  });
});
