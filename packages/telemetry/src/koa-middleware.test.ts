import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import Router from '@koa/router';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureContextManager } from './logging/request-context.js';
import { createTestMeter, points, type TestMeter } from '../test/support/meter.js';
import { createKoaMiddleware, type KoaLikeMiddleware } from './koa-middleware.js';
import { createLogger } from './logging/logger.js';
import { createHttpMetrics } from './metrics/http-metrics.js';

ensureContextManager();
let server: Server | undefined;
let tm: TestMeter | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await tm?.shutdown();
});

async function startApp(middleware: KoaLikeMiddleware, lines: Record<string, unknown>[]): Promise<string> {
  const logger = createLogger({
    serviceName: 'svc',
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _e, cb) {
        for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    }),
  });
  const app = new Koa();
  app.silent = true;
  app.use(middleware);
  const router = new Router();
  router.get('/api/v1/portfolio/:portfolioId', async (ctx) => {
    logger.info('handler');
    await new Promise((r) => setImmediate(r));
    logger.info('after await');
    ctx.body = { id: ctx.params.portfolioId };
  });
  router.get('/boom', () => {
    throw new Error('boom');
  });
  app.use(router.routes());
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server?.once('listening', r));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

describe('createKoaMiddleware', () => {
  it('gives every log line of a request its id, echoes it, and writes an access line', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ serviceName: 'svc', level: 'info', destination: new Writable({ write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(c.toString('utf8')) as Record<string, unknown>), cb()) }) });
    let n = 0;
    const base = await startApp(createKoaMiddleware({ logger, accessLog: true, generateId: () => `gen-${++n}` }), lines);

    const generated = await fetch(`${base}/api/v1/portfolio/abc`);
    expect(generated.headers.get('x-request-id')).toBe('gen-1');
    const supplied = await fetch(`${base}/api/v1/portfolio/def`, { headers: { 'x-request-id': 'client-7', 'x-correlation-id': 'c-1' } });
    expect(supplied.headers.get('x-request-id')).toBe('client-7');
    const unsafe = await fetch(`${base}/api/v1/portfolio/x`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(unsafe.headers.get('x-request-id')).toBe('gen-2');
    const corr = await fetch(`${base}/nope`, { headers: { 'x-request-id': 'user@host', 'x-correlation-id': 'corr-9' } });
    expect(corr.headers.get('x-request-id')).toBe('corr-9');
    for (const bad of ['x'.repeat(129), 'a b', '<script>', 'user@host']) {
      const res = await fetch(`${base}/nope`, { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id')).toMatch(/^gen-\d+$/);
    }
    const longest = await fetch(`${base}/nope`, { headers: { 'x-request-id': 'x'.repeat(128) } });
    expect(longest.headers.get('x-request-id')).toBe('x'.repeat(128));
    lines.splice(9);

    expect(lines.map(({ time: _t, duration_ms: d, ...rest }) => ({ ...rest, ...(d === undefined ? {} : { timed: typeof d === 'number' }) }))).toStrictEqual([
      { level: 'info', service: 'svc', request_id: 'gen-1', msg: 'handler' },
      { level: 'info', service: 'svc', request_id: 'gen-1', msg: 'after await' },
      { level: 'info', service: 'svc', request_id: 'gen-1', method: 'GET', route: '/api/v1/portfolio/:portfolioId', status: 200, timed: true, response_bytes: 12, msg: 'request completed' },
      { level: 'info', service: 'svc', request_id: 'client-7', correlation_id: 'c-1', msg: 'handler' },
      { level: 'info', service: 'svc', request_id: 'client-7', correlation_id: 'c-1', msg: 'after await' },
      { level: 'info', service: 'svc', request_id: 'client-7', correlation_id: 'c-1', method: 'GET', route: '/api/v1/portfolio/:portfolioId', status: 200, timed: true, response_bytes: 12, msg: 'request completed' },
      { level: 'info', service: 'svc', request_id: 'gen-2', msg: 'handler' },
      { level: 'info', service: 'svc', request_id: 'gen-2', msg: 'after await' },
      { level: 'info', service: 'svc', request_id: 'gen-2', method: 'GET', route: '/api/v1/portfolio/:portfolioId', status: 200, timed: true, response_bytes: 10, msg: 'request completed' },
    ]);
  });

  it('counts requests by route pattern, a throwing one as 500, every unmatched one under /{other}', async () => {
    tm = createTestMeter();
    const lines: Record<string, unknown>[] = [];
    const base = await startApp(createKoaMiddleware({ httpMetrics: createHttpMetrics(tm.meter), logger: createLogger({ serviceName: 'svc', level: 'silent' }) }), lines);
    expect((await fetch(`${base}/api/v1/portfolio/507f1f77bcf86cd799439011`)).status).toBe(200);
    expect((await fetch(`${base}/boom`)).status).toBe(500);
    expect((await fetch(`${base}/missing/507f1f77bcf86cd799439011`)).status).toBe(404);
    expect((await fetch(`${base}/chosen-by-the-client`)).status).toBe(404);
    const m = await tm.collect();
    expect(points(m.get('http_requests_total'))).toStrictEqual([
      [{ method: 'GET', path: '/api/v1/portfolio/{portfolioId}', status: '200' }, 1],
      [{ method: 'GET', path: '/boom', status: '500' }, 1],
      [{ method: 'GET', path: '/{other}', status: '404' }, 2],
    ]);
    expect(points(m.get('http_requests_in_flight'))).toStrictEqual([[{ method: 'GET' }, 0]]);
    expect(lines).toStrictEqual([
      { level: 'info', time: lines[0]?.time, service: 'svc', request_id: lines[0]?.request_id, msg: 'handler' },
      { level: 'info', time: lines[1]?.time, service: 'svc', request_id: lines[0]?.request_id, msg: 'after await' },
    ]);
  });
});
