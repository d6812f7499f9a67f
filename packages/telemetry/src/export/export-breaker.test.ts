import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { isBrokenCircuitError } from 'cockatiel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { createExportBreaker, protectSpanExporter, type BreakerState } from './export-breaker.js';

/** A span exporter whose outcome the test decides call by call. */
function scriptedExporter(outcomes: boolean[]): SpanExporter & { calls: number } {
  const exporter = {
    calls: 0,
    export(_spans: ReadableSpan[], cb: (r: ExportResult) => void) {
      const ok = outcomes[exporter.calls] ?? true;
      exporter.calls += 1;
      cb(ok ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED') });
    },
    shutdown: () => Promise.resolve(),
  };
  return exporter;
}

function exportOnce(exporter: SpanExporter): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export([], resolve));
}

describe('export circuit breaker', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('opens after 3 failures, rejects without calling the exporter for 60 s, closes on a successful trial', async () => {
    const breaker = createExportBreaker({ consecutiveFailures: 3, halfOpenAfterMillis: 60_000 });
    const transitions: BreakerState[] = [];
    breaker.onStateChange((s) => transitions.push(s));
    const inner = scriptedExporter([false, false, false, true, true]);
    const exporter = protectSpanExporter(inner, breaker);

    const codes: ExportResultCode[] = [];
    for (let i = 0; i < 3; i += 1) codes.push((await exportOnce(exporter)).code);
    expect(codes).toStrictEqual([ExportResultCode.FAILED, ExportResultCode.FAILED, ExportResultCode.FAILED]);
    expect(breaker.state()).toBe('open');

    const rejected = await exportOnce(exporter);
    expect(rejected.code).toBe(ExportResultCode.FAILED);
    expect(isBrokenCircuitError(rejected.error)).toBe(true);
    expect(inner.calls).toBe(3);

    vi.advanceTimersByTime(59_000);
    await exportOnce(exporter);
    expect(inner.calls).toBe(3);

    vi.advanceTimersByTime(1_001);
    expect((await exportOnce(exporter)).code).toBe(ExportResultCode.SUCCESS);
    expect(breaker.state()).toBe('closed');
    expect((await exportOnce(exporter)).code).toBe(ExportResultCode.SUCCESS);
    expect(inner.calls).toBe(5);
    expect(transitions).toStrictEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the trial export fails', async () => {
    const breaker = createExportBreaker({ consecutiveFailures: 3, halfOpenAfterMillis: 60_000 });
    const inner = scriptedExporter([false, false, false, false, true]);
    const exporter = protectSpanExporter(inner, breaker);
    for (let i = 0; i < 3; i += 1) await exportOnce(exporter);
    vi.advanceTimersByTime(60_001);
    await exportOnce(exporter);
    expect(breaker.state()).toBe('open');
    await exportOnce(exporter);
    expect(inner.calls).toBe(4);
  });

  it('resets the failure count on success while closed', async () => {
    const breaker = createExportBreaker({ consecutiveFailures: 3, halfOpenAfterMillis: 60_000 });
    const exporter = protectSpanExporter(scriptedExporter([false, false, true, false, false]), breaker);
    for (let i = 0; i < 5; i += 1) await exportOnce(exporter);
    expect(breaker.state()).toBe('closed');
  });
});
