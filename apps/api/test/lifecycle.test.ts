// The service starts without MongoDB, reports not-ready, and becomes ready when MongoDB appears,
// without a restart. Also: the same app over HTTP/2 cleartext (prior knowledge).
import { connect, constants } from 'node:http2';
import { createWireServer, freePort } from '@globeco/testkit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startTelemetry } from '@globeco/telemetry';
import { telemetryOptions } from '../src/config.js';
import { startService } from '../src/runtime.js';
import { waitFor } from './support.js';

async function get(base: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('MongoDB unreachable at start-up', () => {
  it('serves probes (startup and readiness 503), answers 503 to data calls, then turns ready when MongoDB comes up', async () => {
    const mongoPort = await freePort();
    const config = loadConfig({
      APP_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      MONGODB_URI: `mongodb://127.0.0.1:${mongoPort}/`,
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '300',
      MONGODB_CONNECT_TIMEOUT_MS: '300',
      DB_INDEX_RETRY_MS: '200',
      DB_BREAKER_HALF_OPEN_MS: '500',
      DB_BREAKER_SUCCESSES: '1',
    });
    const service = await startService(config, startTelemetry(telemetryOptions(config)));
    const base = `http://127.0.0.1:${service.server.address.port}`;
    let mongo: Awaited<ReturnType<typeof createWireServer>> | undefined;
    try {
      expect(await get(base, '/health/live')).toMatchObject({ status: 200, body: { status: 'alive' } });
      expect(await get(base, '/health/startup')).toMatchObject({ status: 503, body: { status: 'starting' } });
      expect(await get(base, '/health/ready')).toMatchObject({ status: 503, body: { status: 'not_ready' } });
      const data = await fetch(`${base}/api/v1/portfolios`);
      expect(data.status).toBe(503);
      expect(data.headers.get('retry-after')).toMatch(/^\d+$/);

      mongo = await createWireServer({ topology: 'standalone', port: mongoPort });
      await waitFor(async () => (await get(base, '/health/startup')).status === 200, 15_000);
      await waitFor(async () => (await get(base, '/health/ready')).status === 200, 15_000);
      expect((await fetch(`${base}/api/v1/portfolios`)).status).toBe(200);
    } finally {
      await service.shutdown('test');
      await mongo?.stop();
    }
  });
});

describe('HTTP/2 cleartext (prior knowledge)', () => {
  it('serves the API over h2c and drains open streams on shutdown', async () => {
    const { createTestStack } = await import('./support.js');
    const t = await createTestStack();
    const { startServer } = await import('../src/server.js');
    const server = await startServer(t.app.callback(), {
      host: '127.0.0.1',
      port: 0,
      http2: true,
      keepAliveTimeoutMs: 5000,
      headersTimeoutMs: 6000,
      requestTimeoutMs: 10000,
    });
    const session = connect(`http://127.0.0.1:${server.address.port}`);
    /** Sends a request; with `hold`, only the first bytes of the body go out until `release()`. */
    const open = (method: string, path: string, body?: string, hold = false) => {
      const stream = session.request({
        [constants.HTTP2_HEADER_METHOD]: method,
        [constants.HTTP2_HEADER_PATH]: path,
        ...(body ? { 'content-type': 'application/json' } : {}),
      });
      const reply = new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
        let headers: Record<string, unknown> = {};
        let text = '';
        stream.on('response', (h) => (headers = h));
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (text += chunk));
        stream.on('end', () => resolve({ status: Number(headers[':status']), body: text, headers }));
        stream.on('error', reject);
      });
      if (hold && body) stream.write(body.slice(0, 3));
      else stream.end(body);
      return { reply, release: () => stream.end(body?.slice(3)) };
    };
    const call = (method: string, path: string, body?: string) => open(method, path, body).reply;
    try {
      expect(await call('GET', '/health')).toMatchObject({ status: 200, body: 'OK' });
      const created = await call('POST', '/api/v1/portfolios', JSON.stringify({ name: 'Over h2' }));
      expect(created.status).toBe(201);
      expect(JSON.parse(created.body)).toMatchObject({ name: 'Over h2', version: 1 });
      expect(created.headers['x-request-id']).toEqual(expect.any(String));
      // A stream the server is already reading when the drain begins (GOAWAY) still completes.
      const inFlight = open('POST', '/api/v1/portfolios', JSON.stringify({ name: 'During drain' }), true);
      await new Promise((r) => setTimeout(r, 200));
      const drained = server.drain(5000);
      await new Promise((r) => setTimeout(r, 100));
      inFlight.release();
      expect((await inFlight.reply).status).toBe(201);
      expect(await drained).toStrictEqual({ forced: false });
    } finally {
      session.destroy();
      await t.close();
    }
  });
});
