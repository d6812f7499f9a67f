// `migrate drop-name-lower` as an operator runs it: dist/migrate.js against a database that an
// earlier version of the service wrote (nameLower fields and their index).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createMongoClient, LEGACY_NAME_LOWER_INDEX } from '@globeco/portfolio-core';
import type {} from '@globeco/testkit/vitest-setup';
import { describe, expect, inject, it } from 'vitest';

const MIGRATE = fileURLToPath(new URL('../dist/migrate.js', import.meta.url));
const run = promisify(execFile);

describe('migrate drop-name-lower', () => {
  it('removes nameLower fields and their index once, idempotently, and nothing else', async () => {
    const uri = inject('mongoUri');
    const database = `t_${randomUUID().replaceAll('-', '')}`;
    const client = createMongoClient({ uri, minPoolSize: 0 });
    try {
      const raw = client.db(database).collection('portfolio');
      const dateCreated = new Date('2024-01-01T00:00:00.000Z');
      await raw.insertMany([
        { name: 'Old Fund', nameLower: 'old fund', dateCreated, version: 1 },
        { name: 'New Fund', dateCreated, version: 2 },
      ]);
      await raw.createIndex({ nameLower: 1, dateCreated: -1, _id: -1 }, { name: LEGACY_NAME_LOWER_INDEX });
      const env = { PATH: process.env.PATH ?? '', APP_ENV: 'development', MONGODB_URI: uri, MONGODB_DATABASE: database };
      const first = await run(process.execPath, [MIGRATE, 'drop-name-lower'], { env, timeout: 30_000 });
      expect(JSON.parse(first.stdout) as unknown).toStrictEqual({ documentsUpdated: 1, indexDropped: true });
      const second = await run(process.execPath, [MIGRATE, 'drop-name-lower'], { env, timeout: 30_000 });
      expect(JSON.parse(second.stdout) as unknown).toStrictEqual({ documentsUpdated: 0, indexDropped: false });
      const docs = await raw.find({}, { projection: { _id: 0 } }).sort({ version: 1 }).toArray();
      expect(docs).toStrictEqual([
        { name: 'Old Fund', dateCreated, version: 1 },
        { name: 'New Fund', dateCreated, version: 2 },
      ]);
      expect((await raw.indexes()).map((i) => i.name)).toStrictEqual(['_id_']);
      await expect(run(process.execPath, [MIGRATE, 'something-else'], { env, timeout: 30_000 })).rejects.toMatchObject({ code: 2 });
    } finally {
      await client.db(database).dropDatabase();
      await client.close();
    }
  });
});
