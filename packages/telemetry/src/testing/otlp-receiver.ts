import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { OtlpProtocol } from '../config.js';
import { decodeToJsonShape, MetricsRequest, TraceRequest } from './otlp-proto.js';

// A receiver for tests only: it accepts OTLP/gRPC, OTLP/HTTP protobuf and OTLP/HTTP JSON exports of
// traces and metrics, decodes them with a subset of opentelemetry-proto v1 (no logs, no exemplars,
// no exponential histograms) and keeps everything in memory. It is not a collector.

/** An attribute value as received (arrays and key-value lists arrive JSON-encoded). */
export type Primitive = string | number | boolean | null;

/** A span as received, flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, Primitive>;
  resource: Record<string, Primitive>;
}

/** One data point as received. */
export interface ReceivedPoint {
  attributes: Record<string, Primitive>;
  value?: number;
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

/** A metric as received, flattened. */
export interface ReceivedMetric {
  name: string;
  unit: string;
  description: string;
  type: 'sum' | 'gauge' | 'histogram';
  monotonic: boolean;
  points: ReceivedPoint[];
  resource: Record<string, Primitive>;
}

/** Options of {@link startOtlpReceiver}. */
export interface OtlpReceiverOptions {
  /** Protocol whose URL `endpoint` names (the receiver accepts all three); default `http/protobuf`. */
  readonly protocol?: OtlpProtocol;
}

/** An in-process OTLP receiver for tests, over gRPC and HTTP (protobuf and JSON), bound to 127.0.0.1. */
export interface OtlpReceiver {
  /** Base URL for the protocol chosen in the options (an OTEL_EXPORTER_OTLP_ENDPOINT value). */
  readonly endpoint: string;
  /** Base URL of the gRPC listener. */
  readonly grpcUrl: string;
  /** Base URL of the HTTP listener (`/v1/traces`, `/v1/metrics`; protobuf or JSON by content type). */
  readonly httpUrl: string;
  /** Every span received so far, in arrival order. */
  readonly spans: ReceivedSpan[];
  /** Every metric received so far, one entry per metric per export, in arrival order. */
  readonly metrics: ReceivedMetric[];
  /** Requests seen per transport/content type, e.g. `grpc:traces`, `http/protobuf:metrics`. */
  readonly requests: Map<string, number>;
  /** Polls `predicate` every 50 ms; rejects when it is still false after `timeoutMs` (default 15 s). */
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Stops both listeners, dropping open connections. */
  close(): Promise<void>;
}

interface JsonKeyValue {
  key: string;
  value?: Record<string, unknown>;
}

function anyValue(v: Record<string, unknown> | undefined): Primitive {
  if (v === undefined) return null;
  if ('stringValue' in v) return v.stringValue as string;
  if ('boolValue' in v) return v.boolValue as boolean;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  return JSON.stringify(v);
}

function attrs(list: unknown): Record<string, Primitive> {
  const out: Record<string, Primitive> = {};
  for (const kv of (list as JsonKeyValue[] | undefined) ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

type Json = Record<string, unknown>;
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

function collectSpans(body: Json, into: ReceivedSpan[]): void {
  for (const rs of arr(body.resourceSpans)) {
    const resource = attrs((rs.resource as Json | undefined)?.attributes);
    for (const ss of arr(rs.scopeSpans)) {
      for (const s of arr(ss.spans)) {
        into.push({
          traceId: str(s.traceId),
          spanId: str(s.spanId),
          parentSpanId: str(s.parentSpanId),
          name: str(s.name),
          kind: Number(s.kind ?? 0),
          attributes: attrs(s.attributes),
          resource,
        });
      }
    }
  }
}

function collectMetrics(body: Json, into: ReceivedMetric[]): void {
  for (const rm of arr(body.resourceMetrics)) {
    const resource = attrs((rm.resource as Json | undefined)?.attributes);
    for (const sm of arr(rm.scopeMetrics)) {
      for (const m of arr(sm.metrics)) {
        const base = { name: str(m.name), unit: str(m.unit), description: str(m.description), resource };
        if (m.sum !== undefined) {
          const sum = m.sum as Json;
          const points = arr(sum.dataPoints).map((p) => ({ attributes: attrs(p.attributes), value: Number(p.asInt ?? p.asDouble ?? 0) }));
          into.push({ ...base, type: 'sum', monotonic: sum.isMonotonic === true, points });
        } else if (m.gauge !== undefined) {
          const points = arr((m.gauge as Json).dataPoints).map((p) => ({ attributes: attrs(p.attributes), value: Number(p.asInt ?? p.asDouble ?? 0) }));
          into.push({ ...base, type: 'gauge', monotonic: false, points });
        } else if (m.histogram !== undefined) {
          const points = arr((m.histogram as Json).dataPoints).map((p) => ({
            attributes: attrs(p.attributes),
            count: Number(p.count ?? 0),
            sum: Number(p.sum ?? 0),
            bucketCounts: ((p.bucketCounts as unknown[] | undefined) ?? []).map(Number),
            explicitBounds: ((p.explicitBounds as unknown[] | undefined) ?? []).map(Number),
          }));
          into.push({ ...base, type: 'histogram', monotonic: false, points });
        }
      }
    }
  }
}

/** Starts a test OTLP receiver on 127.0.0.1 (random ports). */
export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const metrics: ReceivedMetric[] = [];
  const requests = new Map<string, number>();
  const count = (key: string): void => void requests.set(key, (requests.get(key) ?? 0) + 1);

  const http: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const json = (req.headers['content-type'] ?? '').includes('json');
      const signal = req.url === '/v1/traces' ? 'traces' : req.url === '/v1/metrics' ? 'metrics' : undefined;
      if (req.method !== 'POST' || signal === undefined) {
        res.statusCode = 404;
        res.end();
        return;
      }
      const type = signal === 'traces' ? TraceRequest : MetricsRequest;
      const body = (json ? JSON.parse(raw.toString('utf8')) : decodeToJsonShape(type, raw)) as Json;
      if (signal === 'traces') collectSpans(body, spans);
      else collectMetrics(body, metrics);
      count(`${json ? 'http/json' : 'http/protobuf'}:${signal}`);
      res.statusCode = 200;
      res.setHeader('content-type', json ? 'application/json' : 'application/x-protobuf');
      res.end(json ? '{}' : Buffer.alloc(0));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

  const server = new grpc.Server();
  const unary = (path: string, decode: (b: Buffer) => Json, onRequest: (body: Json) => void, key: string): [grpc.ServiceDefinition, grpc.UntypedServiceImplementation] => [
    {
      Export: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: (v: Buffer) => v,
        requestDeserialize: decode,
        responseSerialize: () => Buffer.alloc(0),
        responseDeserialize: () => ({}),
      },
    },
    {
      Export: (call: grpc.ServerUnaryCall<Json, Json>, callback: grpc.sendUnaryData<Json>) => {
        onRequest(call.request);
        count(key);
        callback(null, {});
      },
    },
  ];
  server.addService(
    ...unary('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (b) => decodeToJsonShape(TraceRequest, b) as Json, (body) => collectSpans(body, spans), 'grpc:traces'),
  );
  server.addService(
    ...unary(
      '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
      (b) => decodeToJsonShape(MetricsRequest, b) as Json,
      (body) => collectMetrics(body, metrics),
      'grpc:metrics',
    ),
  );
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  );

  const grpcUrl = `http://127.0.0.1:${grpcPort}`;
  const httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    endpoint: options.protocol === 'grpc' ? grpcUrl : httpUrl,
    grpcUrl,
    httpUrl,
    spans,
    metrics,
    requests,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      server.forceShutdown();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
