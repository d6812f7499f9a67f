import { context, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOffSampler, TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMongoInstrumentation } from './mongo-instrumentation.js';

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

type Command = (this: unknown, ...args: unknown[]) => Promise<unknown>;

describe('createMongoInstrumentation', () => {
  it('skips command instrumentation unless the parent span records', () => {
    const { instrumentation, hooks } = createMongoInstrumentation({ enabled: false });
    expect(hooks).toStrictEqual({ 'mongodb._checkSkipInstrumentation': true, 'mongodb._getV4PatchCommandPromise': true });
    const skip = (span: Span | undefined): boolean =>
      (instrumentation as unknown as { _checkSkipInstrumentation: (s: Span | undefined) => boolean })._checkSkipInstrumentation(span);
    const recording = new TracerProvider().getTracer('t').startSpan('GET');
    const unsampled = new TracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('t').startSpan('GET');
    expect([skip(undefined), skip(unsampled), skip(recording)]).toStrictEqual([true, true, false]);
    expect(instrumentation.getConfig().requireParentSpan).toBe(true);
  });

  it('calls Connection.command unwrapped unless the parent records, and traces it when it does', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const statements: unknown[] = [];
    const { instrumentation } = createMongoInstrumentation({ enabled: false, dbStatementSerializer: (cmd) => (statements.push(cmd), 'find') });
    instrumentation.setTracerProvider(provider);
    const connection = { id: 1, address: '127.0.0.1:27017' };
    const original: Command = function (this: unknown) {
      return Promise.resolve(this === connection ? 'ok' : 'wrong this');
    };
    const makeWrapper = (instrumentation as unknown as { _getV4PatchCommandPromise: () => (c: Command) => Command })._getV4PatchCommandPromise;
    const command = makeWrapper.call(instrumentation)(original);
    const ns = { db: 'app', collection: 'portfolio' };
    const cmd = { find: 'portfolio', filter: {} };

    expect(await command.call(connection, ns, cmd)).toBe('ok');
    const unsampled = new TracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('t').startSpan('GET');
    expect(await context.with(trace.setSpan(context.active(), unsampled), () => command.call(connection, ns, cmd))).toBe('ok');
    expect([exporter.getFinishedSpans(), statements]).toStrictEqual([[], []]);

    const parent = provider.getTracer('t').startSpan('GET');
    expect(await context.with(trace.setSpan(context.active(), parent), () => command.call(connection, ns, cmd))).toBe('ok');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.parentSpanContext?.spanId, s.attributes['db.query.text']])).toStrictEqual([['find portfolio', parent.spanContext().spanId, 'find']]);
    expect(statements).toStrictEqual([cmd]);
  });
});
