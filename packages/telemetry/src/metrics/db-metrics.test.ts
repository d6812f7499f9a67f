import { EventEmitter } from 'node:events';
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createCommandRecorder, instrumentMongoCommands, timeCommands } from './db-metrics.js';

/** The recorded series: attributes and count of each data point of db.client.operation.duration. */
async function recorded(use: (provider: MeterProvider) => Promise<void> | void): Promise<[Record<string, unknown>, number][]> {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ readers: [reader] });
  await use(provider);
  await reader.forceFlush();
  const metric = exporter.getMetrics().at(-1)?.scopeMetrics[0]?.metrics.find((m) => m.descriptor.name === 'db.client.operation.duration') as HistogramMetricData | undefined;
  await provider.shutdown();
  expect(metric?.dataPointType).toBe(DataPointType.HISTOGRAM);
  return (metric?.dataPoints ?? []).map((p) => [p.attributes, p.value.count]);
}

const FIND = { 'db.system.name': 'mongodb', 'db.namespace': 'db', 'db.operation.name': 'find', 'db.collection.name': 'portfolio' };
const DUPLICATE = { 'db.system.name': 'mongodb', 'db.namespace': 'db', 'db.operation.name': 'insert', 'db.collection.name': 'portfolio', 'error.type': 'DuplicateKey' };
const FAILED_PING = { 'db.system.name': 'mongodb', 'db.namespace': 'admin', 'db.operation.name': 'ping', 'error.type': 'MongoNetworkError' };

describe('db.client.operation.duration', () => {
  it('times Connection.command calls through the wrapper: outcome, write errors, failures; handshakes are left out and the result is the original one', async () => {
    const series = await recorded(async (provider) => {
      const record = createCommandRecorder(provider.getMeter('t'));
      const replies: Record<string, () => Promise<unknown>> = {
        find: () => Promise.resolve({ ok: 1, cursor: { firstBatch: [] } }),
        insert: () => Promise.resolve({ ok: 1, n: 0, writeErrors: [{ index: 0, code: 11000 }] }),
        ping: () => Promise.reject(Object.assign(new Error('closed'), { name: 'MongoNetworkError' })),
        hello: () => Promise.resolve({ ok: 1 }),
      };
      const original = function (this: unknown, _ns: unknown, cmd: Record<string, unknown>): Promise<unknown> {
        return replies[Object.keys(cmd)[0]!]!();
      } as (this: unknown, ...args: unknown[]) => unknown;
      const command = timeCommands(original, () => record);
      const connection = {};
      expect(await command.call(connection, { db: 'db', collection: 'portfolio' }, { find: 'portfolio', filter: {} })).toStrictEqual({ ok: 1, cursor: { firstBatch: [] } });
      await command.call(connection, { db: 'db', collection: 'portfolio' }, { insert: 'portfolio', documents: [] });
      await expect(command.call(connection, { db: 'admin' }, { ping: 1 })).rejects.toThrow('closed');
      await command.call(connection, { db: 'admin' }, { hello: 1 });
      // no recorder (no client instrumented): passes through untimed
      await timeCommands(original, () => undefined).call(connection, { db: 'db' }, { find: 'other' });
    });
    expect(series).toStrictEqual([
      [FIND, 1],
      [DUPLICATE, 1],
      [FAILED_PING, 1],
    ]);
  });

  it('falls back to command monitoring events with the same series', async () => {
    const series = await recorded((provider) => {
      const client = new EventEmitter();
      const commands = instrumentMongoCommands(client, createCommandRecorder(provider.getMeter('t')));
      client.emit('commandStarted', { requestId: 1, commandName: 'find', databaseName: 'db', command: { find: 'portfolio' } });
      client.emit('commandSucceeded', { requestId: 1, commandName: 'find', databaseName: 'db', duration: 2.5 });
      client.emit('commandStarted', { requestId: 2, commandName: 'insert', databaseName: 'db', command: { insert: 'portfolio' } });
      client.emit('commandSucceeded', { requestId: 2, commandName: 'insert', databaseName: 'db', duration: 1, reply: { ok: 1, writeErrors: [{ index: 0, code: 11000 }] } });
      client.emit('commandStarted', { requestId: 3, commandName: 'ping', databaseName: 'admin', command: { ping: 1 } });
      client.emit('commandFailed', { requestId: 3, commandName: 'ping', databaseName: 'admin', duration: 5, failure: { name: 'MongoNetworkError' } });
      commands.stop();
      client.emit('commandStarted', { requestId: 4, commandName: 'find', databaseName: 'db', command: { find: 'portfolio' } });
      client.emit('commandSucceeded', { requestId: 4, commandName: 'find', databaseName: 'db', duration: 1 });
    });
    expect(series).toStrictEqual([
      [FIND, 1],
      [DUPLICATE, 1],
      [FAILED_PING, 1],
    ]);
  });
});
