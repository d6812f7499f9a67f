// Cross-cutting HTTP behaviour on an in-memory store: headers, CORS, request ids in logs, error
// hygiene and the circuit breaker's immediate 503.
import { PassThrough } from 'node:stream';
import { InMemoryPortfolioStore, createPortfolioService } from '@globeco/portfolio-core';
import supertest from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { createLifecycle } from '../src/lifecycle.js';
import type { HealthSource } from '../src/routes/health.js';
import { testTelemetry } from './support.js';

const health: HealthSource = {
  checkDatabase: () => Promise.resolve({ ok: true, latencyMs: 0 }),
  details: () => ({}),
};

function build(options: { corsOrigins?: string[]; store?: InMemoryPortfolioStore; accessLog?: boolean } = {}) {
  const store = options.store ?? new InMemoryPortfolioStore();
  const service = createPortfolioService({
    store,
    resilience: { readRetries: 0, failureThreshold: 2, halfOpenAfterMs: 60_000, timeoutMs: 1000 },
  });
  const lines: Record<string, unknown>[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const lifecycle = createLifecycle();
  lifecycle.markStarted();
  const app = createApp({
    service,
    health,
    lifecycle,
    telemetry: testTelemetry(sink),
    accessLog: options.accessLog ?? false,
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
  });
  return { http: supertest(app.callback()), store, service, lines };
}

describe('security headers', () => {
  it('API, error and docs responses carry the standard headers and no X-Powered-By', async () => {
    const { http } = build();
    for (const path of ['/', '/api/v1/portfolios', '/nope', '/api/v1/portfolio/x']) {
      const res = await http.get(path);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
    const docs = await http.get('/docs').expect(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(docs.headers['content-security-policy']).not.toContain('unsafe-eval');
  });

  it('unexpected failures are a generic 500 without stack or message', async () => {
    const { http, store, lines } = build();
    store.injectFault('streamAll', new Error('secret: connection string mongodb://admin:pw@db'));
    const res = await http.get('/api/v1/portfolios').expect(500);
    expect(res.body).toStrictEqual({ detail: 'Internal server error' });
    expect(res.text).not.toContain('secret');
    expect(lines.some((l) => l.msg === 'request failed')).toBe(true);
  });
});

describe('CORS', () => {
  it('is off by default', async () => {
    const { http } = build();
    const res = await http.get('/').set('Origin', 'https://evil.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows only listed origins', async () => {
    const { http } = build({ corsOrigins: ['https://app.example'] });
    const ok = await http.get('/').set('Origin', 'https://app.example').expect(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    const no = await http.get('/').set('Origin', 'https://evil.example').expect(200);
    expect(no.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await http
      .options('/api/v1/portfolios')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'POST')
      .expect(204);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET,POST,PUT,DELETE');
  });
});

describe('request ids', () => {
  it('echoes a valid incoming id, replaces an invalid one, and puts it in every log line of the request', async () => {
    const { http, lines, store } = build({ accessLog: true });
    const res = await http.get('/api/v1/portfolios').set('X-Request-ID', 'req-42.a:b').expect(200);
    expect(res.headers['x-request-id']).toBe('req-42.a:b');
    const corr = await http.get('/').set('X-Correlation-ID', 'corr-7').expect(200);
    expect(corr.headers['x-request-id']).toBe('corr-7');
    const bad = await http.get('/').set('X-Request-ID', 'x'.repeat(200)).expect(200);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    store.injectFault('streamAll', new Error('boom'));
    await http.get('/api/v1/portfolios').set('X-Request-ID', 'failing-1').expect(500);
    const failing = lines.filter((l) => l.request_id === 'failing-1');
    expect(failing.map((l) => l.msg)).toStrictEqual(['request failed', 'request completed']);
    expect(lines.filter((l) => l.request_id === 'req-42.a:b').map((l) => l.msg)).toStrictEqual(['request completed']);
  });
});

describe('database outage', () => {
  it('an open breaker answers 503 with Retry-After without calling the database', async () => {
    const store = new InMemoryPortfolioStore();
    const { http } = build({ store });
    const outage = Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoNetworkError' });
    store.injectFault('streamAll', outage, { times: 3 });
    let calls = 0;
    // The list reads its batches through streamAll: count the reads that reach the store.
    const streamAll = store.streamAll.bind(store);
    store.streamAll = (options) => {
      const batches = streamAll(options);
      return {
        next: () => {
          calls++;
          return batches.next();
        },
        close: () => batches.close(),
      };
    };
    expect((await http.get('/api/v1/portfolios').expect(503)).body).toStrictEqual({
      detail: 'Service temporarily unavailable: database unreachable',
    });
    await http.get('/api/v1/portfolios').expect(503);
    // The breaker is open now: the third request never reaches the store.
    const open = await http.get('/api/v1/portfolios').expect(503);
    expect(open.body).toStrictEqual({ detail: 'Service temporarily unavailable: database circuit breaker is open' });
    expect(Number(open.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    expect(Number(open.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(calls).toBe(2);
  });

  it('writes one warning per 10 s for identical outage failures, saying how many it held back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const store = new InMemoryPortfolioStore();
      const { http, lines } = build({ store });
      const outage = Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoNetworkError' });
      // Two failures open the breaker (threshold 2); the 18 requests after them get the open-breaker 503.
      store.injectFault('streamAll', outage, { times: 100 });
      for (let i = 0; i < 20; i++) await http.get('/api/v1/portfolios').expect(503);
      vi.setSystemTime(Date.now() + 10_000);
      await http.get('/api/v1/portfolios').expect(503);
      const warnings = lines.filter((l) => l.level === 'warn').map((l) => [l.msg, l.reason, l.suppressed]);
      expect(warnings).toStrictEqual([
        ['request failed: database unavailable', 'Database unavailable', 0],
        ['request failed: database unavailable', 'Database circuit breaker is open', 0],
        ['request failed: database unavailable', 'Database circuit breaker is open', 17],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
