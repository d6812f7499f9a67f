// The MongoDB driver must fail, not hang, an operation whose connection drops while the command
// is being compressed or written (mongodb 7.9.0 and 7.9.1 await a 'drain' that a destroyed socket never
// emits; the package's guardDroppedConnections, applied by createMongoClient, fixes it on the
// unpatched driver). Checked with zlib, the compressor this backend negotiates, and without compression.
import { startFaultProxy, type FaultProxy } from '@globeco/testkit';
import type {} from '@globeco/testkit/vitest-setup';
import type { MongoClient } from 'mongodb';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createMongoClient } from '../src/store/mongo-client.js';

const WRITERS = 8;
const DROPS = 10;
const DROP_EVERY_MS = 150;
/** Far above any healthy round trip, far below "forever". */
const SETTLE_BUDGET_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  { label: 'zlib', compressors: ['zlib'] as const },
  { label: 'none', compressors: [] as const },
])(
  'connections dropped under write load (compression: $label)',
  ({ label, compressors }) => {
    let proxy: FaultProxy | undefined;
    let client: MongoClient | undefined;

    afterEach(async () => {
      await client?.db(`driver_drops_${label}`).dropDatabase().catch(() => undefined);
      await client?.close(true);
      await proxy?.stop();
    });

    it('every operation settles, and the client works again afterwards', async () => {
      proxy = await startFaultProxy(inject('mongoUri'));
      client = createMongoClient({
        uri: proxy.uri,
        compressors: [...compressors],
        maxPoolSize: 10,
        serverSelectionTimeoutMS: 1000,
        connectTimeoutMS: 1000,
      });
      const collection = client.db(`driver_drops_${label}`).collection<{ writer: number; n: number; pad: string }>('writes');
      await collection.insertOne({ writer: -1, n: 0, pad: '' });

      let stop = false;
      let pending = 0;
      const outcomes = { ok: 0, failed: 0 };
      const writers = Array.from({ length: WRITERS }, async (_, writer) => {
        for (let n = 0; !stop && n < 100_000; n++) {
          pending++;
          try {
            // Above the driver's 16 KiB synchronous-zlib limit, so compression runs on the thread
            // pool and the connection can drop between checkout and write.
            await collection.insertOne({ writer, n, pad: 'x'.repeat(20_000) });
            outcomes.ok++;
          } catch {
            outcomes.failed++;
            await sleep(5);
          } finally {
            pending--;
          }
        }
      });

      for (let i = 0; i < DROPS; i++) {
        await sleep(DROP_EVERY_MS);
        proxy.dropConnections();
      }
      stop = true;
      const settled = await Promise.race([
        Promise.all(writers).then(() => 'settled'),
        sleep(SETTLE_BUDGET_MS).then(() => `${pending} operations still pending after ${SETTLE_BUDGET_MS} ms`),
      ]);

      expect(settled).toBe('settled');
      expect(outcomes.ok).toBeGreaterThan(0);
      // The drops were real: some operations failed, and the driver opened new connections.
      expect(outcomes.failed).toBeGreaterThan(0);
      expect(proxy.accepted).toBeGreaterThan(DROPS);
      await expect(collection.countDocuments({ writer: -1 })).resolves.toBe(1);
    }, 30_000);
  },
);
