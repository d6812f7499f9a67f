import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildApp, type ChildApp } from './support/child-app.js';
import { freePort, hammer } from './support/tools.js';

interface State {
  rss: number;
  breaker: { traces: string; metrics: string };
  enabled: boolean;
}

describe.each(['grpc', 'http/protobuf'] as const)('with the collector address on a closed port (%s)', (protocol) => {
  let app: ChildApp;
  beforeAll(async () => {
    const port = await freePort();
    app = await startChildApp({
      options: {
        profile: 'test',
        otlp: { protocol, endpoint: `http://127.0.0.1:${port}`, timeoutMillis: 1_000 },
        metricExportIntervalMillis: 200,
        metricExportTimeoutMillis: 200,
        bsp: { scheduleDelayMillis: 50, maxQueueSize: 512 },
        log: { accessLog: false, level: 'warn' },
      },
    });
  });
  afterAll(async () => {
    expect(await app?.stop()).toBe(0);
  });

  it('serves 1000 requests, keeps RSS flat, opens the export breaker and does not spam the log', async () => {
    const state = async (): Promise<State> => (await (await fetch(`${app.baseUrl}/__state`)).json()) as State;
    const url = `${app.baseUrl}/api/v1/portfolio/${app.portfolioId}`;
    expect(await hammer(url, 200, 10)).toStrictEqual(new Map([[200, 200]]));
    const started = Date.now();
    const before = (await state()).rss;
    expect(await hammer(url, 1000, 10)).toStrictEqual(new Map([[200, 1000]]));
    // Each failing export may take up to the OTLP timeout (with retries); wait, bounded, for the breakers.
    let after = await state();
    for (let i = 0; i < 60 && (after.breaker.traces !== 'open' || after.breaker.metrics !== 'open'); i += 1) {
      await new Promise((r) => setTimeout(r, 250));
      after = await state();
    }
    expect(after.enabled).toBe(true);
    expect(after.rss - before).toBeLessThan(20 * 1024 * 1024);
    expect(after.breaker).toStrictEqual({ traces: 'open', metrics: 'open' });
    // Expected: one "circuit open" line per signal plus at most a few rate-limited export errors.
    const lines = [...app.stdout, ...app.stderr.filter((l) => !l.startsWith('READY '))].filter((l) => l.trim() !== '');
    console.log(`${protocol}: RSS growth ${((after.rss - before) / 1048576).toFixed(1)} MB over 1000 requests; ${lines.length} log lines`);
    // Each distinct problem is logged at most once a minute; a loaded machine may stretch the run past one.
    const minutes = Math.ceil((Date.now() - started) / 60_000);
    expect(lines.length, lines.join('\n')).toBeLessThanOrEqual(6 * minutes);
  });
});
