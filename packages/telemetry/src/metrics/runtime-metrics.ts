import type { Meter, ObservableResult } from '@opentelemetry/api';
import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';

/**
 * Runtime families of `@opentelemetry/instrumentation-runtime-node` kept, one per concern: event-loop
 * utilisation and delay (p99), GC duration, heap used. Its other instruments (delay min/max/mean/
 * stddev/p50/p90, event-loop time, heap space sizes, active resources) repeat these and are dropped.
 */
export const KEPT_RUNTIME_INSTRUMENTS: readonly string[] = [
  'nodejs.eventloop.utilization',
  'nodejs.eventloop.delay.p99',
  'v8js.gc.duration',
  'v8js.memory.heap.used',
];

const DROPPED_RUNTIME_INSTRUMENTS: readonly string[] = [
  'nodejs.eventloop.delay.min',
  'nodejs.eventloop.delay.max',
  'nodejs.eventloop.delay.mean',
  'nodejs.eventloop.delay.stddev',
  'nodejs.eventloop.delay.p50',
  'nodejs.eventloop.delay.p90',
  'nodejs.eventloop.time',
  'v8js.memory.heap.limit',
  'v8js.memory.heap.space.available_size',
  'v8js.memory.heap.space.physical_size',
  'v8js.memory.heap.space.size',
  'v8js.resource.active',
];

/** Views of the meter provider that drop the runtime instrumentation's repeated families. */
export function runtimeViews(meterName: string): ViewOptions[] {
  return DROPPED_RUNTIME_INSTRUMENTS.map((instrumentName) => ({ instrumentName, meterName, aggregation: { type: AggregationType.DROP } }));
}

/** Handle returned by `createProcessMetrics`. */
export interface ProcessMetrics {
  stop(): void;
}

/**
 * Registers the process families the runtime instrumentation lacks: `process_cpu_seconds_total`
 * (user + system CPU time) and `process_resident_memory_bytes` (RSS), read at collection time.
 */
export function createProcessMetrics(meter: Meter): ProcessMetrics {
  const cpu = meter.createObservableCounter('process_cpu_seconds_total', { description: 'Total user and system CPU time spent', unit: 's' });
  const rss = meter.createObservableGauge('process_resident_memory_bytes', { description: 'Resident set size', unit: 'By' });
  const onCpu = (r: ObservableResult): void => {
    const { user, system } = process.cpuUsage();
    r.observe((user + system) / 1e6);
  };
  const onRss = (r: ObservableResult): void => r.observe(process.memoryUsage.rss());
  cpu.addCallback(onCpu);
  rss.addCallback(onRss);
  return {
    stop() {
      cpu.removeCallback(onCpu);
      rss.removeCallback(onRss);
    },
  };
}
