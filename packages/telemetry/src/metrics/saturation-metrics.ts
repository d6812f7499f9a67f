import type { Meter, ObservableResult } from '@opentelemetry/api';
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Handle returned by `createSaturationMetrics`; `stop()` ends the monitors. */
export interface SaturationMetrics {
  stop(): void;
}

/**
 * Registers Node saturation gauges for autoscaling: `event_loop_utilization` (0..1 since the
 * last collection), `event_loop_delay_p99` (ms, monitorEventLoopDelay, reset per collection)
 * and `process_resident_memory` (bytes).
 */
export function createSaturationMetrics(meter: Meter, options: { resolutionMillis?: number } = {}): SaturationMetrics {
  const histogram = monitorEventLoopDelay({ resolution: options.resolutionMillis ?? 10 });
  histogram.enable();
  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();

  const elu = meter.createObservableGauge('event_loop_utilization', {
    description: 'Event loop utilization since the previous collection (0..1)',
    unit: '1',
  });
  const delay = meter.createObservableGauge('event_loop_delay_p99', {
    description: 'Event loop delay, 99th percentile since the previous collection',
    unit: 'ms',
  });
  const rss = meter.createObservableGauge('process_resident_memory', { description: 'Resident set size', unit: 'By' });

  const onElu = (r: ObservableResult): void => {
    const current = performance.eventLoopUtilization();
    r.observe(performance.eventLoopUtilization(current, lastElu).utilization);
    lastElu = current;
  };
  const onDelay = (r: ObservableResult): void => {
    // NaN/0 before the first sample: report 0 rather than nothing so the series exists.
    const p99 = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
    r.observe(p99);
    histogram.reset();
  };
  const onRss = (r: ObservableResult): void => r.observe(process.memoryUsage.rss());
  elu.addCallback(onElu);
  delay.addCallback(onDelay);
  rss.addCallback(onRss);
  return {
    stop() {
      elu.removeCallback(onElu);
      delay.removeCallback(onDelay);
      rss.removeCallback(onRss);
      histogram.disable();
    },
  };
}
