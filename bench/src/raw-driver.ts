/**
 * The raw-driver variant: N concurrent loops calling the driver directly (no HTTP), with the same
 * client options, collection and queries as the service. Runs as a child process controlled over
 * IPC: `{ op, durationMs, loops, ids, term, tag }` in, `{ ops, seconds, p50, p99, errors }` out.
 */
import { ObjectId, type Collection, type MongoClient } from 'mongodb';
import { createMongoClient, type PortfolioDocument } from '@globeco/portfolio-core';
import type { RawRequest, RawResult } from './raw-protocol.js';
import { BENCH_COLLECTION, BENCH_DATABASE, PRODUCTION_POOL, SEARCH_LIMIT, SORT_NEWEST, createBenchClient, createNameSource, nameLikeFilter } from './workload.js';

const uri = process.env.MONGODB_URI;
if (uri === undefined) throw new Error('MONGODB_URI is required');
const client = createBenchClient(uri);
await client.connect();
const collection = client.db(BENCH_DATABASE).collection<PortfolioDocument>(BENCH_COLLECTION);
let plainClient: MongoClient | undefined;

/** The same options without wire compression, to price the compression the service negotiates. */
async function uncompressed(): Promise<Collection<PortfolioDocument>> {
  plainClient ??= createMongoClient({ uri: uri!, ...PRODUCTION_POOL, compressors: [], writeConcern: { w: 1, journal: false }, appName: 'globeco-bench' });
  await plainClient.connect();
  return plainClient.db(BENCH_DATABASE).collection<PortfolioDocument>(BENCH_COLLECTION);
}

async function operation(request: RawRequest): Promise<(i: number) => Promise<unknown>> {
  switch (request.op) {
    case 'getById': {
      const ids = request.ids.map((id) => new ObjectId(id));
      const target = request.compressed === false ? await uncompressed() : collection;
      return async (i) => {
        if ((await target.findOne({ _id: ids[i % ids.length]! })) === null) throw new Error('missing document');
      };
    }
    case 'create': {
      const next = createNameSource(`raw ${request.tag}`);
      return (_i) => {
        const name = next();
        return collection.insertOne({ _id: new ObjectId(), name, dateCreated: new Date(), version: 1 });
      };
    }
    case 'search': {
      const filter = nameLikeFilter(request.term);
      return (_i) =>
        Promise.all([collection.find(filter).sort(SORT_NEWEST).limit(SEARCH_LIMIT).toArray(), collection.countDocuments(filter)]);
    }
  }
}

async function run(request: RawRequest): Promise<RawResult> {
  const call = await operation(request);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + request.durationMs;
  await Promise.all(
    Array.from({ length: request.loops }, async (_, loop) => {
      for (let i = loop; performance.now() < deadline; i += request.loops) {
        const t = performance.now();
        try {
          await call(i);
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN;
  return { ops: latencies.length, seconds, rate: latencies.length / seconds, p50: pct(0.5), p99: pct(0.99), errors };
}

process.on('message', (message: RawRequest | { op: 'stop' }) => {
  if (message.op === 'stop') {
    void Promise.all([client.close(), plainClient?.close()]).finally(() => process.exit(0));
    return;
  }
  run(message).then(
    (result) => process.send?.(result),
    (error: unknown) => process.send?.({ ops: 0, seconds: 0, rate: 0, p50: Number.NaN, p99: Number.NaN, errors: 1, message: String(error) }),
  );
});
process.send?.({ ready: true });
