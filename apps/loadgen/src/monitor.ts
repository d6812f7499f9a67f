import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';

/** Event-loop health of the current thread since the previous sample. */
export interface LoopSample {
  elu: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

/** Samples this thread's event-loop lag and utilisation, interval by interval. */
export interface LoopMonitor {
  sample(): LoopSample;
  stop(): void;
}

/** Starts an event-loop monitor (10 ms resolution) for the calling thread. */
export function createLoopMonitor(): LoopMonitor {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return {
    sample() {
      const now = performance.eventLoopUtilization();
      const elu = performance.eventLoopUtilization(now, last).utilization;
      last = now;
      // the histogram includes the 10 ms sampling resolution itself
      const lagP99Ms = delay.count > 0 ? Math.max(0, delay.percentile(99) / 1e6 - 10) : 0;
      const lagMaxMs = delay.count > 0 ? Math.max(0, delay.max / 1e6 - 10) : 0;
      delay.reset();
      return { elu: Math.round(elu * 1000) / 1000, lagP99Ms: Math.round(lagP99Ms * 100) / 100, lagMaxMs: Math.round(lagMaxMs * 100) / 100 };
    },
    stop() {
      delay.disable();
    },
  };
}

/** Wall-clock time in milliseconds with sub-millisecond resolution, comparable across threads. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
