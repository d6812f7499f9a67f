import { describe, expect, it } from 'vitest';
import { resolveTelemetryConfig } from './config.js';
import { parseKeyValueList, parseOtelEnv } from './otel-env.js';

describe('parseOtelEnv', () => {
  it('maps the standard OTEL_* and pod variables to options', () => {
    const env = {
      OTEL_SERVICE_NAME: 'svc',
      OTEL_RESOURCE_ATTRIBUTES: 'team=core,region=eu%2Dwest',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      OTEL_METRIC_EXPORT_TIMEOUT: '4000',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
      OTEL_BSP_MAX_QUEUE_SIZE: '4096',
      MY_POD_NAME: 'pod-7',
      MY_POD_IP: '10.0.0.7',
      MY_NODE_NAME: 'node-2',
      NODE_IP: '10.1.0.2',
      UNRELATED: 'x',
    };
    expect(parseOtelEnv(env)).toStrictEqual({
      errors: [],
      options: {
        serviceName: 'svc',
        resourceAttributes: { team: 'core', region: 'eu-west' },
        otlp: {
          protocol: 'http/protobuf',
          metricsProtocol: 'grpc',
          endpoint: 'http://otel:4318',
          tracesEndpoint: 'http://tempo:4318/v1/traces',
          headers: { 'x-api-key': 'abc' },
          timeoutMillis: 3000,
        },
        sampler: 'parentbased_traceidratio',
        samplerRatio: 0.25,
        metricExportIntervalMillis: 5000,
        metricExportTimeoutMillis: 4000,
        bsp: { scheduleDelayMillis: 1000, maxQueueSize: 4096 },
        podName: 'pod-7',
        podIp: '10.0.0.7',
        nodeName: 'node-2',
        nodeIp: '10.1.0.2',
      },
    });
  });

  it('gives options that resolve to the expected URLs', () => {
    const { options } = parseOtelEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318' });
    const resolved = resolveTelemetryConfig(options);
    expect(resolved.ok && [resolved.config.traces.url, resolved.config.metrics.url]).toStrictEqual(['http://otel:4318/v1/traces', 'http://otel:4318/v1/metrics']);
  });

  it('switches signals off with OTEL_SDK_DISABLED and the *_EXPORTER=none variables', () => {
    expect(parseOtelEnv({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'prometheus' })).toStrictEqual({
      errors: [],
      options: { disabled: true, enableTracing: false, enableMetricsExport: false },
    });
  });

  it('names each bad variable', () => {
    expect(
      parseOtelEnv({
        OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'otel:4317',
        OTEL_TRACES_SAMPLER_ARG: 'half',
        OTEL_METRIC_EXPORT_INTERVAL: '5s',
        OTEL_SDK_DISABLED: 'yes',
        OTEL_RESOURCE_ATTRIBUTES: 'novalue',
      }).errors,
    ).toStrictEqual([
      'OTEL_SDK_DISABLED must be true or false, got "yes"',
      'OTEL_RESOURCE_ATTRIBUTES must be a list of key=value pairs separated by commas',
      'OTEL_EXPORTER_OTLP_PROTOCOL must be grpc, http/protobuf or http/json, got "thrift"',
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got "otel:4317"',
      'OTEL_TRACES_SAMPLER_ARG must be a number in [0, 1], got "half"',
      'OTEL_METRIC_EXPORT_INTERVAL must be an integer ≥ 1, got "5s"',
    ]);
  });

  it('ignores empty values', () => {
    expect(parseOtelEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ', OTEL_SERVICE_NAME: '' })).toStrictEqual({ errors: [], options: {} });
  });
});

describe('parseKeyValueList', () => {
  it('parses and percent-decodes pairs, rejecting malformed ones', () => {
    expect(parseKeyValueList('a=1, b = two ,c=x%3Dy')).toStrictEqual({ a: '1', b: 'two', c: 'x=y' });
    expect(parseKeyValueList('a=1,=2')).toBeUndefined();
  });
});
