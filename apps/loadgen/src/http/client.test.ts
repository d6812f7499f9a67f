import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from './client.js';

describe('createHttpClient', () => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? '-'} ${body}`);
      if (req.url?.endsWith('/slow')) return void setTimeout(() => res.end('late'), 2500);
      res.writeHead(req.url?.endsWith('/missing') ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: body }));
    });
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends JSON bodies under the base path and returns status and body', async () => {
    const client = createHttpClient(`${base}/prefix/`, { connections: 2, timeoutMs: 2000 });
    try {
      expect(await client.send('POST', '/api/x', '{"a":1}', true)).toStrictEqual({ status: 200, body: '{"echo":"{\\"a\\":1}"}' });
      expect(await client.send('GET', '/api/missing', undefined, false)).toStrictEqual({ status: 404 });
      expect(seen.slice(-2)).toStrictEqual(['POST /prefix/api/x application/json {"a":1}', 'GET /prefix/api/missing - ']);
    } finally {
      await client.close();
    }
  });

  // undici's timeout timers tick coarsely (about every 0.5 s), so the slow answer takes 2.5 s
  it('turns transport failures and timeouts into error codes instead of throwing', async () => {
    const refused = createHttpClient('http://127.0.0.1:1', { connections: 1, timeoutMs: 2000 });
    const slow = createHttpClient(base, { connections: 1, timeoutMs: 200 });
    try {
      expect(await refused.send('GET', '/', undefined, false)).toStrictEqual({ status: 0, error: 'ECONNREFUSED' });
      expect(await slow.send('GET', '/slow', undefined, true)).toStrictEqual({ status: 0, error: 'UND_ERR_HEADERS_TIMEOUT' });
    } finally {
      await refused.close();
      await slow.close();
    }
  });
});
