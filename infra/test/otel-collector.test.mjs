// The OpenTelemetry Collector configuration: every pipeline references defined components, every
// defined component is used, processors are ordered as the collector documents, and the ports
// and environment variables agree with the DaemonSet.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { observabilityDir } from './lib/paths.mjs';

/** Component types in the pinned contrib distribution that this configuration may use. */
const knownTypes = {
  receivers: ['otlp'],
  processors: ['memory_limiter', 'batch', 'resource'],
  exporters: ['prometheus', 'debug', 'otlp', 'otlphttp'],
  extensions: ['health_check'],
};

/**
 * Lists the problems of a collector configuration object (empty when consistent).
 * @param {any} config
 */
export function collectorProblems(config) {
  const problems = [];
  const typeOf = (id) => id.split('/')[0];
  for (const section of Object.keys(knownTypes)) {
    for (const id of Object.keys(config[section] ?? {})) {
      if (!knownTypes[section].includes(typeOf(id))) problems.push(`${section}.${id}: unknown component type`);
    }
  }
  for (const id of config.service?.extensions ?? []) {
    if (!(id in (config.extensions ?? {}))) problems.push(`service.extensions: ${id} is not defined`);
  }
  const pipelines = Object.entries(config.service?.pipelines ?? {});
  if (pipelines.length === 0) problems.push('service.pipelines: none');
  const used = { receivers: new Set(), processors: new Set(), exporters: new Set() };
  for (const [name, pipeline] of pipelines) {
    if (!['traces', 'metrics', 'logs'].includes(name.split('/')[0])) problems.push(`pipeline ${name}: unknown signal`);
    for (const section of ['receivers', 'processors', 'exporters']) {
      const ids = pipeline[section] ?? [];
      if (section !== 'processors' && ids.length === 0) problems.push(`pipeline ${name}: no ${section}`);
      for (const id of ids) {
        used[section].add(id);
        if (!(id in (config[section] ?? {}))) problems.push(`pipeline ${name}: ${section.slice(0, -1)} ${id} is not defined`);
      }
    }
    const processors = pipeline.processors ?? [];
    if (processors[0] !== 'memory_limiter') problems.push(`pipeline ${name}: memory_limiter must be the first processor`);
    if (processors.at(-1) !== 'batch') problems.push(`pipeline ${name}: batch must be the last processor`);
  }
  for (const section of ['receivers', 'processors', 'exporters']) {
    for (const id of Object.keys(config[section] ?? {})) if (!used[section].has(id)) problems.push(`${section}.${id}: defined but unused`);
  }
  return problems;
}

const config = parse(readFileSync(join(observabilityDir, 'otel-collector-config.yaml'), 'utf8'));
const daemonSet = parse(readFileSync(join(observabilityDir, 'otel-collector.yaml'), 'utf8'));
const container = daemonSet.spec.template.spec.containers[0];

describe('OpenTelemetry Collector configuration', () => {
  it('is consistent: defined, used and ordered components', () => {
    expect(collectorProblems(config)).toStrictEqual([]);
  });

  it('reports undefined, unused and misordered components (the check has teeth)', () => {
    const broken = structuredClone(config);
    broken.service.pipelines.traces.exporters = ['otlp/tempo'];
    broken.service.pipelines.logs.processors = ['batch', 'memory_limiter'];
    expect(collectorProblems(broken)).toStrictEqual([
      'pipeline traces: exporter otlp/tempo is not defined',
      'pipeline logs: memory_limiter must be the first processor',
      'pipeline logs: batch must be the last processor',
    ]);
  });

  it('has OTLP receivers, memory_limiter + batch processors and Prometheus + debug exporters in the metrics pipeline', () => {
    expect(config.service.pipelines.metrics).toStrictEqual({
      receivers: ['otlp'],
      processors: ['memory_limiter', 'resource', 'batch'],
      exporters: ['prometheus', 'debug'],
    });
    expect(Object.keys(config.receivers.otlp.protocols).sort()).toStrictEqual(['grpc', 'http']);
  });

  it('listens on the ports the DaemonSet publishes, and probes the health_check extension', () => {
    const port = (endpoint) => Number(endpoint.split(':').pop());
    const published = Object.fromEntries(container.ports.map((p) => [p.name, p.containerPort]));
    expect({
      'otlp-grpc': port(config.receivers.otlp.protocols.grpc.endpoint),
      'otlp-http': port(config.receivers.otlp.protocols.http.endpoint),
      'prom-exporter': port(config.exporters.prometheus.endpoint),
      health: port(config.extensions.health_check.endpoint),
    }).toStrictEqual(published);
    expect(Number(daemonSet.spec.template.metadata.annotations['prometheus.io/port'])).toBe(published['prom-exporter']);
    expect([container.livenessProbe.httpGet.port, container.readinessProbe.httpGet.port]).toStrictEqual(['health', 'health']);
  });

  it('reads only environment variables the DaemonSet sets', () => {
    const text = readFileSync(join(observabilityDir, 'otel-collector-config.yaml'), 'utf8');
    const referenced = [...new Set([...text.matchAll(/\$\{env:([A-Z_]+)\}/g)].map((m) => m[1]))].sort();
    expect(referenced.filter((name) => !container.env.some((e) => e.name === name))).toStrictEqual([]);
    expect(referenced).toStrictEqual(['MY_NODE_NAME', 'MY_POD_IP']);
  });

  it('mounts the configuration file the collector is started with', () => {
    const mount = container.volumeMounts.find((m) => m.name === 'config').mountPath;
    expect(container.args).toStrictEqual([`--config=${mount}/otel-collector-config.yaml`]);
  });
});
