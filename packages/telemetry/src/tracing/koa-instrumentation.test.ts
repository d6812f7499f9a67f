import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AlwaysOffSampler, TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKoaInstrumentation } from './koa-instrumentation.js';

type Layer = (ctx: unknown, next: () => Promise<unknown>) => Promise<unknown>;

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

describe('createKoaInstrumentation', () => {
  it('traces a router layer under a recording parent and calls it directly otherwise', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const { instrumentation, hooks } = createKoaInstrumentation({ enabled: false });
    instrumentation.setTracerProvider(provider);
    expect(hooks).toStrictEqual({ 'koa._patchLayer': true });

    const activeInside: (string | undefined)[] = [];
    const layer: Layer = () => {
      activeInside.push(trace.getActiveSpan()?.spanContext().spanId);
      return Promise.resolve('done');
    };
    const patchLayer = (instrumentation as unknown as { _patchLayer: (l: Layer, isRouter: boolean, path?: string) => Layer })._patchLayer;
    const wrapped = patchLayer(layer, true, '/items/:id');
    expect(wrapped).not.toBe(layer);
    const ctx = { _matchedRoute: '/items/:id', request: {}, method: 'GET' };
    const next = () => Promise.resolve();

    const unsampled = new TracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('t').startSpan('GET');
    await context.with(trace.setSpan(context.active(), unsampled), () => wrapped(ctx, next));
    await wrapped(ctx, next);
    expect(exporter.getFinishedSpans()).toStrictEqual([]);
    expect(activeInside).toStrictEqual([unsampled.spanContext().spanId, undefined]);

    const parent = provider.getTracer('t').startSpan('GET');
    expect(await context.with(trace.setSpan(context.active(), parent), () => wrapped(ctx, next))).toBe('done');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.parentSpanContext?.spanId, s.attributes['http.route']])).toStrictEqual([['router - /items/:id', parent.spanContext().spanId, '/items/:id']]);
    expect(activeInside[2]).toBe(spans[0]?.spanContext().spanId);
  });
});
