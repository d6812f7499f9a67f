// Every method on every path: 405 with Allow on a known path, 404 on an unknown one, never a 5xx.
import { describe, expect, it } from 'vitest';
import { parseResponses, rawExchange, sendRequest, useLiveStack } from './live-server.js';

const live = useLiveStack();

const allowOf = (header: unknown): string[] => String(header).split(', ').sort();

const KNOWN: readonly [path: string, allow: readonly string[]][] = [
  ['/api/v1/portfolios', ['GET', 'HEAD', 'OPTIONS', 'POST']],
  ['/api/v1/portfolio/ffffffffffffffffffffffff', ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT']],
  ['/api/v2/portfolios', ['GET', 'HEAD', 'OPTIONS', 'POST']],
  ['/api/fast/portfolios/bulk', ['OPTIONS', 'POST']],
  ['/health', ['GET', 'HEAD', 'OPTIONS']],
  ['/docs/assets/swagger-ui.css', ['GET', 'HEAD', 'OPTIONS']],
];

// Extension methods (WebDAV, caches) and TRACE: all of them parse, none is routed.
const UNROUTED = ['TRACE', 'PROPFIND', 'MKCOL', 'PURGE', 'PATCH', 'LOCK'] as const;

describe('a known path with a method it does not serve', () => {
  it.each(KNOWN.flatMap(([path, allow]) => UNROUTED.map((method) => [method, path, allow] as const)))(
    '%s %s → 405 with Allow',
    async (method, path, allow) => {
      const res = await sendRequest(live.port, method, path);
      expect([res.status, JSON.parse(res.body)]).toStrictEqual([405, { detail: 'Method Not Allowed' }]);
      expect(allowOf(res.headers.allow)).toStrictEqual([...allow]);
    },
  );

  it('HEAD where only POST is served → 405 with Allow, and standard methods other than the served ones too', async () => {
    const head = await sendRequest(live.port, 'HEAD', '/api/fast/portfolios/bulk');
    expect([head.status, allowOf(head.headers.allow)]).toStrictEqual([405, ['OPTIONS', 'POST']]);
    const del = await sendRequest(live.port, 'DELETE', '/api/v1/portfolios');
    expect([del.status, JSON.parse(del.body), allowOf(del.headers.allow)]).toStrictEqual([
      405,
      { detail: 'Method Not Allowed' },
      ['GET', 'HEAD', 'OPTIONS', 'POST'],
    ]);
  });

  it('OPTIONS → 200 with Allow and an empty body', async () => {
    const res = await sendRequest(live.port, 'OPTIONS', '/api/v1/portfolio/ffffffffffffffffffffffff');
    expect([res.status, res.body, allowOf(res.headers.allow)]).toStrictEqual([200, '', ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PUT']]);
  });
});

describe('an unknown path', () => {
  it.each([...UNROUTED, 'GET', 'POST', 'DELETE', 'OPTIONS'].flatMap((method) => ['/api/v3/portfolios', '/nope', '/api/v1'].map((path) => [method, path])))(
    '%s %s → 404 without Allow',
    async (method, path) => {
      const res = await sendRequest(live.port, method, path);
      expect([res.status, JSON.parse(res.body), res.headers.allow]).toStrictEqual([404, { detail: 'Not Found' }, undefined]);
    },
  );

  it('CONNECT (an authority, never a path of the service) → 404, and the server keeps answering', async () => {
    const { text } = await rawExchange(live.port, ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n']);
    const [res] = parseResponses(text);
    expect([res?.status, JSON.parse(res?.body ?? '')]).toStrictEqual([404, { detail: 'Not Found' }]);
    expect((await sendRequest(live.port, 'GET', '/health')).status).toBe(200);
  });
});
