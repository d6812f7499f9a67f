// The metric families the API exposes on /metrics, produced by the telemetry package itself
// (startTelemetry, as the API starts it: no OTLP, metrics on), with one sample each; the MongoDB
// command durations from real commands against the test MongoDB.
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startTelemetry } from '@globeco/telemetry';
import { startMongo } from '@globeco/testkit';

/**
 * Renders the exposition and returns each family's type and label names (Prometheus' own
 * target_info and the otel_scope_* labels left out).
 * @returns {Promise<Map<string, { type: string, labels: string[] }>>}
 */
export function exposedFamilies() {
  // Once per process: the driver is instrumented when it is first loaded, after startTelemetry.
  families ??= render();
  return families;
}

/** @type {Promise<Map<string, { type: string, labels: string[] }>> | undefined} */
let families;

/** @returns {Promise<Map<string, { type: string, labels: string[] }>>} */
async function render() {
  const telemetry = startTelemetry(
    // Tracing on (to a closed port, nothing is sent before shutdown) for the hook gauge.
    { profile: 'test', enableMetricsExport: false, otlp: { endpoint: 'http://127.0.0.1:9' }, entities: 'portfolios', log: { level: 'silent' } },
    { logDestination: new Writable({ write: (_chunk, _encoding, done) => done() }) },
  );
  const middleware = telemetry.koaMiddleware();
  const request = (route) => {
    const headers = new Map();
    const ctx = { method: 'GET', status: 200, _matchedRoute: route, response: {}, get: () => '', set: (k, v) => headers.set(k, v) };
    return middleware(ctx, () => Promise.resolve());
  };
  await request('/api/v1/portfolio/:portfolioId');
  await request(undefined);
  let release = () => undefined;
  const pending = middleware({ method: 'GET', status: 200, response: {}, get: () => '', set: () => undefined }, () => new Promise((r) => (release = r)));
  telemetry.app.observeCircuitBreaker('database', () => 'open');
  telemetry.app.recordCircuitBreakerTransition('database', 'open');
  telemetry.app.recordCreated('v1', 1);
  telemetry.app.recordBulkBatchSize('v2', 10);
  telemetry.app.recordFailure('NOT_FOUND');
  telemetry.app.recordRetry('find');
  telemetry.app.observeCache('validation', () => ({ hits: 1, misses: 1, size: 1 }));
  // Real commands through the driver, loaded after startTelemetry as the API loads it: a find, and
  // an insert the server answers with a duplicate-key error (for error_type).
  const { MongoClient, ObjectId } = await import('mongodb');
  const server = await startMongo();
  const client = new MongoClient(server.uri, { monitorCommands: telemetry.mongoCommandEvents });
  const mongo = telemetry.instrumentMongoClient(client);
  const collection = client.db('portfolio_db').collection('portfolio');
  await collection.find({}).toArray();
  const _id = new ObjectId();
  await collection.insertOne({ _id });
  await collection.insertOne({ _id }).catch(() => undefined);
  // A collection makes v8js_gc_duration appear; the event-loop delay is reported once its monitor
  // has 5 samples (10 ms apart).
  setFlagsFromString('--expose-gc');
  runInNewContext('gc')();
  await new Promise((r) => setTimeout(r, 120));
  try {
    const text = await telemetry.renderPrometheus();
    const families = new Map();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(name, { type, labels: new Set() });
    for (const [, series, labelText = ''] of text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /gm)) {
      const family = families.get(series) ?? families.get(series.replace(/_(bucket|sum|count)$/, ''));
      for (const [, label] of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) family?.labels.add(label);
    }
    families.delete('target_info');
    return new Map([...families].map(([name, f]) => [name, { type: f.type, labels: [...f.labels].filter((l) => !l.startsWith('otel_scope_') && l !== 'le').sort() }]));
  } finally {
    release();
    await pending;
    mongo.stop();
    await client.close();
    await server.stop();
    await telemetry.shutdown();
  }
}
