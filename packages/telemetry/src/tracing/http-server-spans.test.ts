import { createServer, Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import { context, propagation, SpanKind, SpanStatusCode, trace, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { getRPCMetadata, isTracingSuppressed, RPCType, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  TracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { instrumentHttpServers } from './http-server-spans.js';

interface Seen {
  spanContext: SpanContext | undefined;
  recording: boolean | undefined;
  suppressed: boolean;
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  context.disable();
  propagation.disable();
});

let uninstall: (() => void) | undefined;
let server: Server | undefined;
afterEach(async () => {
  uninstall?.();
  uninstall = undefined;
  if (server !== undefined) await new Promise((r) => server?.close(r));
  server = undefined;
});

/** Starts a traced server whose handler reports what it sees and plays the Koa router's part (route). */
async function start(sampler: Sampler, status = 201) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const servers = instrumentHttpServers({ tracer: provider.getTracer('test'), isIgnored: (path) => path === '/health' });
  // The start-up check reports this: a Node.js whose Server no longer dispatches through emit() would fail it.
  expect(servers.installed).toBe(true);
  uninstall = servers.uninstall;
  const seen: Seen[] = [];
  // Resolved on each response's 'close', after the span (ended on the same event, registered first).
  const closed: Promise<unknown>[] = [];
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    closed.push(new Promise((r) => res.once('close', r)));
    const span = trace.getActiveSpan();
    seen.push({ spanContext: span?.spanContext(), recording: span?.isRecording(), suppressed: isTracingSuppressed(context.active()) });
    const rpc = getRPCMetadata(context.active());
    if (rpc?.type === RPCType.HTTP) rpc.route = '/items/:id';
    res.statusCode = req.url?.startsWith('/health') === true ? 200 : status;
    res.end('ok');
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'user-agent': 'probe/1', ...headers } });
    await res.text();
    await closed.at(-1);
    return res.status;
  };
  return { exporter, seen, get, port };
}

describe('instrumentHttpServers', () => {
  it('records a SERVER span with the stable HTTP attributes and the route, active in the handler', async () => {
    const { exporter, seen, get, port } = await start(new AlwaysOnSampler());
    expect(await get('/items/7?x=1')).toBe(201);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect([span?.name, span?.kind, span?.status, span?.parentSpanContext]).toStrictEqual(['GET /items/:id', SpanKind.SERVER, { code: SpanStatusCode.UNSET }, undefined]);
    const { 'network.peer.port': peerPort, ...attributes } = span?.attributes ?? {};
    expect(typeof peerPort).toBe('number');
    expect(attributes).toStrictEqual({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'url.path': '/items/7',
      'url.query': 'x=1',
      'network.protocol.version': '1.1',
      'server.address': '127.0.0.1',
      'server.port': port,
      'client.address': '127.0.0.1',
      'network.peer.address': '127.0.0.1',
      'user_agent.original': 'probe/1',
      'http.response.status_code': 201,
      'http.route': '/items/:id',
    });
    expect(seen).toStrictEqual([{ spanContext: span?.spanContext(), recording: true, suppressed: false }]);
  });

  it('marks 5xx answers as errors', async () => {
    const { exporter, get } = await start(new AlwaysOnSampler(), 503);
    expect(await get('/items/1')).toBe(503);
    const [span] = exporter.getFinishedSpans();
    expect([span?.status, span?.attributes['error.type'], span?.attributes['http.response.status_code']]).toStrictEqual([
      { code: SpanStatusCode.ERROR },
      '503',
      503,
    ]);
  });

  it('continues an incoming sampled trace as a child of the remote parent', async () => {
    const { exporter, get } = await start(new ParentBasedSampler({ root: new AlwaysOffSampler() }));
    await get('/items/1', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    const [span] = exporter.getFinishedSpans();
    expect([span?.spanContext().traceId, span?.parentSpanContext?.spanId, span?.parentSpanContext?.isRemote]).toStrictEqual([
      '0af7651916cd43dd8448eb211c80319c',
      'b7ad6b7169203331',
      true,
    ]);
  });

  it('gives an unsampled request a non-recording span that carries the trace id, and exports nothing', async () => {
    const { exporter, seen, get } = await start(new ParentBasedSampler({ root: new AlwaysOnSampler() }));
    await get('/items/1', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' });
    expect(exporter.getFinishedSpans()).toStrictEqual([]);
    expect(seen).toHaveLength(1);
    expect([seen[0]?.recording, seen[0]?.spanContext?.traceId, seen[0]?.spanContext?.traceFlags, seen[0]?.spanContext?.spanId]).toStrictEqual([
      false,
      '0af7651916cd43dd8448eb211c80319c',
      0,
      expect.stringMatching(/^[0-9a-f]{16}$/),
    ]);
  });

  it('skips ignored paths with tracing suppressed, and the patch comes off again', async () => {
    const { exporter, seen, get } = await start(new AlwaysOnSampler());
    await get('/health?verbose=1');
    expect(exporter.getFinishedSpans()).toStrictEqual([]);
    expect(seen).toStrictEqual([{ spanContext: undefined, recording: undefined, suppressed: true }]);
    expect(Object.hasOwn(Server.prototype, 'emit')).toBe(true);
    uninstall?.();
    uninstall = undefined;
    expect(Object.hasOwn(Server.prototype, 'emit')).toBe(false);
    const emitOf = (o: object): unknown => Reflect.get(o, 'emit');
    expect(emitOf(Server.prototype)).toBe(emitOf(EventEmitter.prototype));
    await get('/items/2');
    expect(exporter.getFinishedSpans()).toStrictEqual([]);
  });
});
