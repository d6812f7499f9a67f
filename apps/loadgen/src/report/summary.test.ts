import { describe, expect, it } from 'vitest';
import { flatLatency, reportFixture } from '../../test/fixtures.js';
import { formatSummary } from './summary.js';

describe('formatSummary', () => {
  it('prints the totals, a table per operation, setup and cleanup, thresholds and saturation', () => {
    const base = reportFixture();
    const report = reportFixture({
      operations: {
        get: { ...base.operations.get!, latency: { ...flatLatency(2.345, 900), p50: 1.5, p99: 12.25, max: 140 }, serviceTime: { ...flatLatency(1, 900), p99: 9.876 } },
        update: base.operations.update!,
      },
      seedPhase: { created: 200, durationMs: 412 },
      cleanup: { deleted: 248, failed: 2 },
      thresholds: [
        { expression: 'p99<250ms', ok: true, actual: 200, limit: 250, unit: 'ms' },
        { expression: 'errors<1%', ok: false, actual: 0.02, limit: 0.01, unit: 'ratio' },
      ],
      thresholdsPassed: false,
      generator: { ...base.generator, saturated: true, warnings: ['generator saturated in 3 of 9 intervals (3 intervals with the generator event loop over 95% busy, worst 99%): latency and throughput understate the service'] },
    });
    expect(formatSummary(report).split('\n')).toStrictEqual([
      '950 requests in 10s: target 100/s, achieved 95/s, errors 19, conflicts 5, late 10, dropped 50',
      'latency (from schedule) p50 10 p90 40 p99 200 p99.9 400 max 500 ms; service time p99 90 ms',
      '',
      'operation (ms)  requests  errors  conflicts   p50   p90   p99   max  service p99',
      'all                  950      19          5  10.0  40.0   200   500         90.0',
      'get                  900       9          0  1.50  2.35  12.3   140         9.88',
      'update                50      10          5  80.0  80.0  80.0  80.0         70.0',
      '',
      'setup created 200 portfolios in 412 ms; cleanup deleted 248, failed 2',
      'threshold PASS p99<250ms (actual 200 ms)',
      'threshold FAIL errors<1% (actual 2.000%)',
      'GENERATOR SATURATED: generator saturated in 3 of 9 intervals (3 intervals with the generator event loop over 95% busy, worst 99%): latency and throughput understate the service',
      '',
    ]);
  });

  it('leaves cleanup out when the run did not clean up', () => {
    expect(formatSummary(reportFixture())).toContain('\nsetup created 0 portfolios in 0 ms\n');
  });
});
