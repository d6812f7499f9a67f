// The OTLP collector is down for the whole run: requests never fail because of telemetry.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '@globeco/testkit';
import { startApi, stopAllApis } from './support/api-process.js';
import { createHttpClient, runLoad, waitForReady } from './support/http.js';
import { recordScenario } from './support/results.js';
import { countBy, summarize } from './support/stats.js';

afterAll(async () => {
  await stopAllApis();
});

describe.each(['grpc', 'http/protobuf'])('OTEL_EXPORTER_OTLP_PROTOCOL=%s', (protocol) => {
  it('collector down for the whole run: zero failed requests, the process stays up', async () => {
    const port = await freePort(); // nothing listens there
    const api = await startApi({
      APP_ENV: 'production',
      MONGODB_URI: inject('mongoUri'),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_TRACES_SAMPLER_ARG: '1.0',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      LOG_LEVEL: 'info',
    });
    const http = createHttpClient(api.baseUrl, 8);
    let figures: Record<string, unknown> = {};
    try {
      expect(await waitForReady(http, 15_000)).toBe(true);
      const seed = await http.json<{ portfolioId: string }>({ method: 'POST', path: '/api/v1/portfolios', body: { name: 'otel seed' } });
      // Long enough for several span batches and metric exports (every 1 s) to fail.
      const samples = await runLoad(http, {
        workers: 6,
        durationMs: 3000,
        maxRequests: 20_000,
        next: (w, i) =>
          [
            { kind: 'get', method: 'GET' as const, path: `/api/v1/portfolio/${seed.body.portfolioId}` },
            { kind: 'create', method: 'POST' as const, path: '/api/v1/portfolios', body: { name: `otel ${w} ${i}` } },
            { kind: 'search', method: 'GET' as const, path: '/api/v2/portfolios?name_like=otel&limit=10' },
            { kind: 'bulk', method: 'POST' as const, path: '/api/v2/portfolios', body: [{ name: `otel bulk ${w} ${i} a` }, { name: `otel bulk ${w} ${i} b` }] },
          ][i % 4] as never,
      });
      const metrics = await http.call({ method: 'GET', path: '/metrics' });
      figures = {
        backend: inject('mongoBackend'),
        settings: `APP_ENV=production, OTLP ${protocol} to closed port ${port}, sampling 1.0, metric export every 1 s, 6 workers for 3 s`,
        requests: samples.length,
        statuses: countBy(samples, (s) => String(s.status ?? s.error)),
        latencyMs: summarize(samples.map((s) => s.ms)),
        throughputPerS: Math.round(samples.length / 3),
        metricsEndpoint: metrics.status,
        exporterWarnings: api.lines.filter((l) => /export|otlp|telemetry/i.test(String(l.msg))).length,
        processAlive: api.alive(),
      };

      expect(samples.length).toBeGreaterThan(100);
      expect(samples.filter((s) => s.status !== 200 && s.status !== 201).map((s) => `${s.kind} ${s.status ?? s.error}`)).toStrictEqual([]);
      expect(metrics.status).toBe(200);
      expect(api.alive()).toBe(true);
      expect(api.stderr()).toBe('');
    } finally {
      await http.close();
      // Shutdown flushes telemetry into the dead collector: it must still end promptly and cleanly.
      const t = performance.now();
      const code = await api.stop(20_000);
      figures.shutdownMs = Math.round(performance.now() - t);
      figures.exitCode = code;
      recordScenario(`telemetry collector down (${protocol})`, figures);
    }
    expect(figures.exitCode).toBe(0);
    expect(figures.shutdownMs).toBeLessThan(15_000);
  });
});
