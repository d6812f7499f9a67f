import { afterEach, describe, expect, it } from 'vitest';
import { createTestMeter, points, type TestMeter } from '../../test/support/meter.js';
import { createSaturationMetrics } from './saturation-metrics.js';

let tm: TestMeter;
afterEach(async () => {
  await tm.shutdown();
});

describe('createSaturationMetrics', () => {
  it('reports event-loop utilization, delay p99 and RSS, and stops reporting after stop()', async () => {
    tm = createTestMeter();
    const saturation = createSaturationMetrics(tm.meter, { resolutionMillis: 1 });
    await new Promise((r) => setTimeout(r, 20));
    // Block the loop once so the delay histogram has a sample well above its resolution.
    const until = Date.now() + 30;
    while (Date.now() < until) {
      /* busy */
    }
    await new Promise((r) => setTimeout(r, 20));
    const m = await tm.collect();
    const [[, elu]] = points(m.get('event_loop_utilization')) as [[unknown, number]];
    const [[, p99]] = points(m.get('event_loop_delay_p99')) as [[unknown, number]];
    const [[, rss]] = points(m.get('process_resident_memory')) as [[unknown, number]];
    expect(elu).toBeGreaterThan(0);
    expect(elu).toBeLessThanOrEqual(1);
    expect(p99).toBeGreaterThan(10);
    expect(rss).toBeGreaterThan(10 * 1024 * 1024);
    expect(m.get('event_loop_delay_p99')?.descriptor.unit).toBe('ms');
    saturation.stop();
    const ballast = Buffer.alloc(32 * 1024 * 1024, 1);
    // Not read any more: the SDK repeats the last observation although RSS grew.
    expect(points((await tm.collect()).get('process_resident_memory'))).toStrictEqual([[{}, rss]]);
    expect(ballast.length).toBe(32 * 1024 * 1024);
  });
});
