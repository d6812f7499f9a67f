import { ReadPreference } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createMongoClient, detectCompressors, toDriverOptions } from './mongo-client.js';

describe('detectCompressors', () => {
  it('always enables zlib and reports a missing codec with its reason', () => {
    const support = detectCompressors(['zlib', 'zlib']);
    expect(support).toStrictEqual({ enabled: ['zlib'], unavailable: [] });
  });

  it('keeps preference order and only lists codecs that load', () => {
    const support = detectCompressors(['zstd', 'zlib', 'snappy']);
    expect(support.enabled).toContain('zlib');
    expect([...support.enabled, ...support.unavailable.map((u) => u.name)].sort()).toStrictEqual(['snappy', 'zlib', 'zstd']);
    const order = ['zstd', 'zlib', 'snappy'];
    expect(support.enabled).toStrictEqual(order.filter((name) => support.enabled.includes(name as 'zlib')));
    for (const u of support.unavailable) expect(u.reason).toMatch(/Cannot find (module|package)/);
  });
});

describe('toDriverOptions', () => {
  it('fills the documented defaults', () => {
    const options = toDriverOptions({ uri: 'mongodb://127.0.0.1:1', compressors: ['zlib'] });
    expect(options).toStrictEqual({
      minPoolSize: 10,
      maxPoolSize: 50,
      compressors: ['zlib'],
      writeConcern: { w: 1 },
      readPreference: ReadPreference.primary,
      serverSelectionTimeoutMS: 5000,
      connectTimeoutMS: 10_000,
      socketTimeoutMS: 0,
      waitQueueTimeoutMS: 0,
    });
  });

  it('prefers the cheaper codecs by default: zstd, then snappy, then zlib', () => {
    const options = toDriverOptions({ uri: 'mongodb://127.0.0.1:1' });
    const installed = detectCompressors(['zstd', 'snappy', 'zlib']).enabled;
    expect(options.compressors).toStrictEqual(installed);
    expect(installed.at(-1)).toBe('zlib');
  });

  it('passes pool sizes, write concern and timeouts through', () => {
    const given = {
      minPoolSize: 5,
      maxPoolSize: 20,
      compressors: [],
      writeConcern: { w: 'majority', journal: true },
      serverSelectionTimeoutMS: 1000,
      connectTimeoutMS: 2000,
      socketTimeoutMS: 3000,
      waitQueueTimeoutMS: 2500,
      appName: 'portfolio',
      monitorCommands: true,
    } as const;
    expect(toDriverOptions({ uri: 'mongodb://127.0.0.1:1', ...given })).toStrictEqual({ ...given, readPreference: ReadPreference.primary });
  });

  it('builds a client whose options reflect them', async () => {
    const client = createMongoClient({ uri: 'mongodb://127.0.0.1:1', maxPoolSize: 7, compressors: ['zlib'] });
    expect([client.options.maxPoolSize, client.options.compressors, client.options.readPreference.mode]).toStrictEqual([
      7,
      ['zlib'],
      'primary',
    ]);
    await client.close();
  });
});
