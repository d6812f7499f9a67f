/**
 * The baseline: a bare Koa 3 + @koa/router server doing the same driver calls as the service
 * (same client options, collection and queries) and nothing else: no validation, telemetry,
 * breaker, request ids or security headers. Reads PORT, MONGODB_URI and BENCH_COMPRESSORS (comma-separated
 * wire compressors; the service's default set when unset); prints `listening <port>`.
 */
import type { IncomingMessage } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import { ObjectId } from 'mongodb';
import { DEFAULT_COMPRESSORS, type CompressorName, type PortfolioDocument } from '@globeco/portfolio-core';
import { BENCH_COLLECTION, BENCH_DATABASE, SEARCH_LIMIT, SORT_NEWEST, createBenchClient, nameLikeFilter, toJson } from './workload.js';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const uri = process.env.MONGODB_URI;
if (uri === undefined) throw new Error('MONGODB_URI is required');
const compressors = process.env.BENCH_COMPRESSORS?.split(',').filter((c): c is CompressorName => DEFAULT_COMPRESSORS.includes(c as CompressorName));
const client = createBenchClient(uri, compressors);
await client.connect();
const collection = client.db(BENCH_DATABASE).collection<PortfolioDocument>(BENCH_COLLECTION);

const router = new Router();
router.get('/health', (ctx) => {
  ctx.body = 'OK';
});
router.get('/api/v1/portfolio/:id', async (ctx) => {
  const id = ctx.params.id ?? '';
  const doc = ObjectId.isValid(id) ? await collection.findOne({ _id: new ObjectId(id) }) : null;
  if (doc === null) {
    ctx.status = 404;
    ctx.body = { detail: 'Portfolio not found' };
    return;
  }
  ctx.body = toJson(doc);
});
router.post('/api/v1/portfolios', async (ctx) => {
  const { name } = JSON.parse(await readBody(ctx.req)) as { name: string };
  const doc: PortfolioDocument = { _id: new ObjectId(), name, dateCreated: new Date(), version: 1 };
  await collection.insertOne(doc);
  ctx.status = 201;
  ctx.body = toJson(doc);
});
router.get('/api/v2/portfolios', async (ctx) => {
  const term = typeof ctx.query.name_like === 'string' ? ctx.query.name_like : '';
  const filter = nameLikeFilter(term);
  const [docs, total] = await Promise.all([
    collection.find(filter).sort(SORT_NEWEST).limit(SEARCH_LIMIT).toArray(),
    collection.countDocuments(filter),
  ]);
  ctx.body = { portfolios: docs.map(toJson), pagination: { totalElements: total, limit: SEARCH_LIMIT, offset: 0 } };
});

const app = new Koa();
app.use(router.routes());
app.use(router.allowedMethods());
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
server.keepAliveTimeout = 65_000;

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void client.close().finally(() => process.exit(0));
});
