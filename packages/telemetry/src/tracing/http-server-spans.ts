import { Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { RPCType, setRPCMetadata, suppressTracing, type RPCMetadata } from '@opentelemetry/core';

/** Options of `instrumentHttpServers`. */
export interface HttpServerSpanOptions {
  /** Tracer of the server spans; its sampler decides once per request. */
  tracer: Tracer;
  /** Request paths (query removed) that get no span and suppress tracing below them. */
  isIgnored?: (path: string) => boolean;
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);
const INSTALLED = Symbol.for('@globeco/telemetry.http-server-spans');

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
type PatchableProto = { emit: Emit; [INSTALLED]?: true };

/** Request attributes of a recording server span (stable HTTP semantic conventions). */
function requestAttributes(req: IncomingMessage, method: string, url: string, q: number, scheme: string): Attributes {
  const attrs: Attributes = {
    'http.request.method': method,
    'url.scheme': scheme,
    'url.path': q === -1 ? url : url.slice(0, q),
    'network.protocol.version': req.httpVersion,
  };
  if (method === '_OTHER') attrs['http.request.method_original'] = req.method;
  if (q !== -1) attrs['url.query'] = url.slice(q + 1);
  const host = req.headers.host;
  if (host !== undefined) {
    const colon = host.lastIndexOf(':');
    const bracket = host.lastIndexOf(']');
    if (colon > bracket) {
      attrs['server.address'] = host.slice(0, colon);
      const port = Number(host.slice(colon + 1));
      if (Number.isInteger(port)) attrs['server.port'] = port;
    } else {
      attrs['server.address'] = host;
    }
  }
  const socket = req.socket as { remoteAddress?: string; remotePort?: number } | undefined;
  if (socket?.remoteAddress !== undefined) {
    attrs['client.address'] = socket.remoteAddress;
    attrs['network.peer.address'] = socket.remoteAddress;
  }
  if (socket?.remotePort !== undefined) attrs['network.peer.port'] = socket.remotePort;
  const agent = req.headers['user-agent'];
  if (agent !== undefined) attrs['user_agent.original'] = agent;
  return attrs;
}

function endServerSpan(span: Span, method: string, res: ServerResponse, rpc: RPCMetadata): void {
  const status = res.statusCode;
  span.setAttribute('http.response.status_code', status);
  if (rpc.type === RPCType.HTTP && rpc.route !== undefined) {
    span.setAttribute('http.route', rpc.route);
    span.updateName(`${method} ${rpc.route}`);
  }
  if (!res.writableFinished) {
    // The connection closed before the response was complete.
    span.setAttribute('error.type', 'aborted');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'response aborted' });
  } else if (status >= 500) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * Traces incoming requests of every `node:http` and `node:https` server with one SERVER span each.
 * The sampler runs first, on the bare method name: an unsampled request costs one non-recording
 * span in the context and nothing else (no attributes, no listeners); a sampled one gets the
 * stable HTTP attributes, `http.route` as set by the Koa instrumentation, and ends when the
 * response closes.
 * @returns `installed`: whether `Server.prototype.emit` of both modules is now the traced one; `uninstall` removes the patch
 */
export function instrumentHttpServers(options: HttpServerSpanOptions): { installed: boolean; uninstall: () => void } {
  const { tracer } = options;
  const isIgnored = options.isIgnored ?? (() => false);
  const restores: (() => void)[] = [];
  for (const [proto, scheme] of [
    [HttpServer.prototype as unknown as PatchableProto, 'http'],
    [HttpsServer.prototype as unknown as PatchableProto, 'https'],
  ] as const) {
    if (proto[INSTALLED] === true) continue;
    const own = Object.getOwnPropertyDescriptor(proto, 'emit');
    const original = proto.emit;
    const patched = function emit(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
      if (event !== 'request') return original.apply(this, [event, ...args]);
      const req = args[0] as IncomingMessage;
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      if (isIgnored(q === -1 ? url : url.slice(0, q))) {
        return context.with(suppressTracing(context.active()), () => original.call(this, event, ...args));
      }
      const parent = propagation.extract(ROOT_CONTEXT, req.headers);
      const rawMethod = req.method ?? 'GET';
      const method = KNOWN_METHODS.has(rawMethod) ? rawMethod : '_OTHER';
      const span = tracer.startSpan(method, { kind: SpanKind.SERVER }, parent);
      if (!span.isRecording()) {
        // Children see a non-recording parent: parent-based sampling drops them, logs still get the trace id.
        return context.with(trace.setSpan(parent, span), () => original.call(this, event, ...args));
      }
      span.setAttributes(requestAttributes(req, method, url, q, scheme));
      const rpc: RPCMetadata = { type: RPCType.HTTP, span };
      const res = args[1] as ServerResponse;
      res.once('close', () => endServerSpan(span, method, res, rpc));
      try {
        return context.with(setRPCMetadata(trace.setSpan(parent, span), rpc), () => original.call(this, event, ...args));
      } catch (err) {
        span.recordException(err instanceof Error ? err : String(err));
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      }
    };
    Object.defineProperty(proto, 'emit', { value: patched, writable: true, configurable: true, enumerable: false });
    proto[INSTALLED] = true;
    restores.push(() => {
      if (own === undefined) delete (proto as Partial<PatchableProto>).emit;
      else Object.defineProperty(proto, 'emit', own);
      delete proto[INSTALLED];
    });
  }
  const installed = [HttpServer.prototype, HttpsServer.prototype].every((proto) => (proto as unknown as PatchableProto)[INSTALLED] === true);
  return {
    installed,
    uninstall: () => {
      for (const restore of restores.splice(0)) restore();
    },
  };
}
