// Bench target: GET /api/v1/portfolio/:portfolioId doing a findOne, bare or with full telemetry.
import { startTelemetry, type Telemetry } from '../src/index.js';

const [rawMode = 'bare', mongoUri = '', collector = ''] = process.argv.slice(2);
// `<mode>-before`: the same mode with the MongoDB instrumentation's own statement serializer as it
// behaves with enhancedDatabaseReporting off (every value of the command walked and replaced by '?').
const before = rawMode.endsWith('-before');
const mode = before ? rawMode.slice(0, -'-before'.length) : rawMode;
const librarySerializer = (command: Record<string, unknown>): string => {
  const seen = new WeakSet();
  return JSON.stringify(command, (_key, value: unknown) => {
    if (typeof value !== 'object' || value === null) return '?';
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    return value;
  });
};
const telemetry: Telemetry | undefined =
  mode === 'bare' || mode === 'als'
    ? undefined
    : startTelemetry(
        {
        profile: 'production',
        otlp: { protocol: 'grpc', endpoint: collector },
        log: { accessLog: false, level: 'warn' },
        samplerRatio: mode === 'full' ? 1 : 0.1,
        enableTracing: mode !== 'metrics-only',
        enableMetrics: mode !== 'tracing-only',
        },
        before ? { mongoStatementSerializer: librarySerializer } : {},
      );
const { default: Koa } = await import('koa');
const { default: Router } = await import('@koa/router');
const { MongoClient, ObjectId } = await import('mongodb');
const client = new MongoClient(mongoUri, { maxPoolSize: 50, monitorCommands: telemetry?.mongoCommandEvents === true });
telemetry?.instrumentMongoClient(client);
await client.connect();
const col = client.db('bench').collection<{ _id: InstanceType<typeof ObjectId>; name: string }>('p');
const { insertedId } = await col.insertOne({ _id: new ObjectId(), name: 'Bench' });

const app = new Koa();
if (telemetry !== undefined) app.use(telemetry.koaMiddleware());
if (mode === 'als') {
  // Context propagation alone (what every OpenTelemetry setup needs on Node 20): AsyncLocalStorage.
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const als = new AsyncLocalStorage<object>();
  app.use((_ctx, next) => als.run({}, next));
}
const router = new Router();
router.get('/api/v1/portfolio/:portfolioId', async (ctx) => {
  const doc = await col.findOne({ _id: new ObjectId(ctx.params.portfolioId) });
  ctx.body = doc === null ? { detail: 'Portfolio not found' } : { portfolioId: doc._id.toHexString(), name: doc.name };
});
// Bulk shape of the v2 API: one insertMany of 100 documents per request.
const bulk = client.db('bench').collection('bulk');
router.get('/bulk', async (ctx) => {
  const docs = Array.from({ length: 100 }, (_, i) => ({ _id: new ObjectId(), name: `Bulk ${String(i)}`, version: 1, dateCreated: new Date() }));
  const r = await bulk.insertMany(docs);
  ctx.body = { inserted: r.insertedCount };
});
app.use(router.routes());
const server = app.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`READY ${JSON.stringify({ port: typeof a === 'object' && a !== null ? a.port : 0, id: insertedId.toHexString() })}\n`);
});
process.stdin.on('data', (chunk: Buffer) => {
  if (chunk.toString('utf8').startsWith('cpu')) {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`CPU ${user + system}\n`);
    return;
  }
  server.close();
  void client.close().then(() => telemetry?.shutdown()).then(() => process.exit(0));
});
