// Pipelined requests on one keep-alive connection take effect in the order they were sent
// (RFC 9112 §9.3.2): each starts only after the previous one on that connection has finished.
import { beforeEach, describe, expect, it } from 'vitest';
import { parseResponses, rawExchange, useLiveStack, type RawResponse } from './live-server.js';
import { waitFor, type PortfolioBody } from './support.js';

const live = useLiveStack();
beforeEach(async () => {
  await live.t.clear();
});

function requestBytes(method: string, path: string, body?: unknown): string {
  const text = body === undefined ? '' : JSON.stringify(body);
  const head = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive'];
  if (body !== undefined) head.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(text)}`);
  return `${head.join('\r\n')}\r\n\r\n${text}`;
}

/** Sends every request in one TCP write and waits for as many responses. */
async function pipeline(requests: readonly string[]): Promise<RawResponse[]> {
  const { text } = await rawExchange(live.port, [requests.join('')], {
    waitMs: 10_000,
    until: (received) => parseResponses(received).length >= requests.length,
  });
  return parseResponses(text);
}

const json = <T>(response: RawResponse | undefined): T => JSON.parse(response?.body ?? 'null') as T;

describe('one connection, requests in one write', () => {
  it('PUT then GET of the same id: the GET sees the PUT (10 rounds on one connection)', async () => {
    const created = (await live.t.http.post('/api/v1/portfolios').send({ name: 'Before' }).expect(201)).body as PortfolioBody;
    const id = created.portfolioId;
    const requests = Array.from({ length: 10 }, (_, i) => [
      requestBytes('PUT', `/api/v1/portfolio/${id}`, { portfolioId: id, name: `After ${i}`, version: i + 1 }),
      requestBytes('GET', `/api/v1/portfolio/${id}`),
    ]).flat();
    const responses = await pipeline(requests);
    expect(responses.map((r) => r.status)).toStrictEqual(requests.map(() => 200));
    for (let i = 0; i < 10; i++) {
      expect(json<PortfolioBody>(responses[2 * i]).version).toBe(i + 2);
      expect(json<PortfolioBody>(responses[2 * i + 1])).toMatchObject({ name: `After ${i}`, version: i + 2 });
    }
  });

  it('create then search: the search finds what the request before it created', async () => {
    const requests = Array.from({ length: 5 }, (_, i) => [
      requestBytes('POST', '/api/v1/portfolios', { name: `Fresh ${i}` }),
      requestBytes('GET', `/api/v2/portfolios?name=Fresh%20${i}`),
    ]).flat();
    const responses = await pipeline(requests);
    expect(responses.map((r) => r.status)).toStrictEqual(requests.map((_, i) => (i % 2 === 0 ? 201 : 200)));
    for (let i = 0; i < 5; i++) {
      const found = json<{ portfolios: PortfolioBody[] }>(responses[2 * i + 1]).portfolios;
      expect(found.map((p) => p.portfolioId)).toStrictEqual([json<PortfolioBody>(responses[2 * i]).portfolioId]);
    }
  });

  it('DELETE then GET: the GET answers 404', async () => {
    const created = (await live.t.http.post('/api/v1/portfolios').send({ name: 'Doomed' }).expect(201)).body as PortfolioBody;
    const responses = await pipeline([
      requestBytes('DELETE', `/api/v1/portfolio/${created.portfolioId}?version=1`),
      requestBytes('GET', `/api/v1/portfolio/${created.portfolioId}`),
    ]);
    expect(responses.map((r) => r.status)).toStrictEqual([204, 404]);
  });

  it('a client that resets the connection with requests still queued leaves nothing in flight', async () => {
    const requests = Array.from({ length: 20 }, (_, i) => requestBytes('POST', '/api/v1/portfolios', { name: `Queued ${i}` }));
    await rawExchange(live.port, [requests.join('')], { end: 'rst', waitMs: 500 });
    await waitFor(() => Promise.resolve(live.server.inFlight === 0), 5000);
    expect((await live.t.http.get('/health/ready')).status).toBe(200);
  });
});
