import { describe, expect, it } from 'vitest';
import { resolveTelemetryConfig } from './config.js';

describe('resolveTelemetryConfig', () => {
  it('fills the production profile defaults in one place', () => {
    const result = resolveTelemetryConfig({ profile: 'production', serviceVersion: '2.0.0', podName: 'p-1', podIp: '10.0.0.5', nodeName: 'n-1', nodeIp: '10.1.0.1' });
    expect(result).toStrictEqual({
      ok: true,
      config: {
        disabled: false,
        profile: 'production',
        serviceName: 'globeco-portfolio-service',
        serviceNamespace: 'globeco',
        serviceVersion: '2.0.0',
        resourceAttributes: { 'k8s.pod.name': 'p-1', 'k8s.pod.ip': '10.0.0.5', 'k8s.node.name': 'n-1', 'k8s.node.ip': '10.1.0.1' },
        enableTracing: true,
        enableMetrics: true,
        enableMetricsExport: true,
        enableRuntimeMetrics: true,
        traces: { protocol: 'grpc', url: 'http://localhost:4317', headers: {}, timeoutMillis: 10_000 },
        metrics: { protocol: 'grpc', url: 'http://localhost:4317', headers: {}, timeoutMillis: 10_000 },
        sampler: 'parentbased_traceidratio',
        samplerRatio: 0.1,
        metricExportIntervalMillis: 10_000,
        metricExportTimeoutMillis: 5_000,
        bsp: { scheduleDelayMillis: 5_000, maxQueueSize: 2_048, maxExportBatchSize: 512, exportTimeoutMillis: 30_000 },
        exportBreaker: { consecutiveFailures: 3, halfOpenAfterMillis: 60_000 },
        log: { level: 'warn', accessLog: true, debugSampleRate: 0.1, pretty: false },
        diagLogIntervalMillis: 60_000,
        untracedPaths: [],
        entities: 'items',
      },
    });
  });

  it('samples by profile: 1.0 development, 0.5 staging, 0.1 production, overridable', () => {
    const ratio = (o: Parameters<typeof resolveTelemetryConfig>[0]) => {
      const r = resolveTelemetryConfig(o);
      return r.ok ? r.config.samplerRatio : undefined;
    };
    expect([ratio({ profile: 'development' }), ratio({ profile: 'staging' }), ratio({ profile: 'production' }), ratio({ profile: 'production', samplerRatio: 0.75 })]).toStrictEqual([
      1, 0.5, 0.1, 0.75,
    ]);
  });

  it('derives signal URLs like the OTEL_EXPORTER_OTLP_* variables', () => {
    const http = resolveTelemetryConfig({ otlp: { protocol: 'http/protobuf', endpoint: 'http://collector:4318/', metricsEndpoint: 'http://m:9/custom' } });
    expect(http.ok && [http.config.traces.url, http.config.metrics.url]).toStrictEqual(['http://collector:4318/v1/traces', 'http://m:9/custom']);
    const grpc = resolveTelemetryConfig({ otlp: { endpoint: 'http://collector:4317', metricsProtocol: 'http/json', headers: { a: '1' }, metricsHeaders: { b: '2' } } });
    expect(grpc.ok && [grpc.config.traces, grpc.config.metrics]).toStrictEqual([
      { protocol: 'grpc', url: 'http://collector:4317', headers: { a: '1' }, timeoutMillis: 10_000 },
      { protocol: 'http/json', url: 'http://collector:4317/v1/metrics', headers: { a: '1', b: '2' }, timeoutMillis: 10_000 },
    ]);
    const local = resolveTelemetryConfig({ otlp: { protocol: 'http/json' } });
    expect(local.ok && local.config.traces.url).toBe('http://localhost:4318/v1/traces');
  });

  it('reports every bad value, naming the option', () => {
    const result = resolveTelemetryConfig({
      profile: 'qa' as 'test',
      otlp: { protocol: 'udp' as 'grpc', endpoint: 'not a url' },
      samplerRatio: 2,
      bsp: { maxQueueSize: 10, maxExportBatchSize: 20 },
      log: { level: 'loud' as 'info' },
    });
    expect(result).toStrictEqual({
      ok: false,
      errors: [
        'profile must be one of development, staging, production, test, got "qa"',
        'otlp.protocol must be one of grpc, http/protobuf, http/json, got "udp"',
        'otlp.tracesProtocol must be one of grpc, http/protobuf, http/json, got "udp"',
        'otlp.metricsProtocol must be one of grpc, http/protobuf, http/json, got "udp"',
        'otlp traces endpoint is not a valid URL: "not a url/v1/traces"',
        'otlp metrics endpoint is not a valid URL: "not a url/v1/metrics"',
        'samplerRatio must be a number in [0, 1], got 2',
        'bsp.maxExportBatchSize must be a number in [1, 10], got 20',
        'log.level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      ],
    });
  });
});
