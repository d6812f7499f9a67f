import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { Metadata } from '@grpc/grpc-js';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtlpSignalConfig } from '../config.js';

// Few concurrent requests: with a slow collector, exports queue in the processors (bounded) rather than in sockets.
const CONCURRENCY_LIMIT = 2;

/** Creates the OTLP span exporter for the configured protocol and URL. */
export function createOtlpSpanExporter(signal: OtlpSignalConfig): SpanExporter {
  const base = { url: signal.url, headers: { ...signal.headers }, timeoutMillis: signal.timeoutMillis, concurrencyLimit: CONCURRENCY_LIMIT };
  switch (signal.protocol) {
    case 'grpc': {
      const { headers, ...rest } = base;
      return new GrpcTraceExporter({ ...rest, metadata: grpcMetadata(headers) });
    }
    case 'http/protobuf':
      return new ProtoTraceExporter(base);
    case 'http/json':
      return new JsonTraceExporter(base);
  }
}

/** Creates the OTLP metric exporter (cumulative temporality) for the configured protocol and URL. */
export function createOtlpMetricExporter(signal: OtlpSignalConfig): PushMetricExporter {
  const base = { url: signal.url, headers: { ...signal.headers }, timeoutMillis: signal.timeoutMillis, concurrencyLimit: CONCURRENCY_LIMIT };
  switch (signal.protocol) {
    case 'grpc': {
      const { headers, ...rest } = base;
      return new GrpcMetricExporter({ ...rest, metadata: grpcMetadata(headers) });
    }
    case 'http/protobuf':
      return new ProtoMetricExporter(base);
    case 'http/json':
      return new JsonMetricExporter(base);
  }
}

function grpcMetadata(headers: Record<string, string>): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata;
}
