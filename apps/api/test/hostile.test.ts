// Hostile input: every request gets a 4xx, the service keeps answering, nothing is stored.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestStack } from './support.js';

let t: TestStack;
beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t.close();
});
afterEach(async () => {
  // The service is still up and nothing was stored.
  await t.http.get('/health/ready').expect(200);
  expect(await t.count()).toBe(0);
});

const WRITES = [
  ['post', '/api/v1/portfolios'],
  ['put', '/api/v1/portfolio/ffffffffffffffffffffffff'],
  ['post', '/api/v2/portfolios'],
  ['post', '/api/fast/portfolios/bulk'],
] as const;

function send(method: 'post' | 'put', path: string, body: string | Buffer, type = 'application/json') {
  return t.http[method](path).set('Content-Type', type).send(body);
}

function expect4xx(status: number, body: unknown): void {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
  expect(body).toHaveProperty('detail');
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(js|ts):\d+/);
}

const hostileBodies: [string, string | Buffer][] = [
  ['not JSON', 'hello'],
  ['empty body', ''],
  ['whitespace body', '   '],
  ['truncated JSON', '{"name": "a"'],
  ['JSON null', 'null'],
  ['JSON string', '"name"'],
  ['JSON number', '42'],
  ['wrong type name', '{"name": 42}'],
  ['wrong type version', '{"name": "a", "version": "1"}'],
  ['operator object as name', '{"name": {"$gt": ""}}'],
  ['operator object as version', '{"name": "a", "version": {"$gt": 0}}'],
  ['operator in portfolioId and name', '{"portfolioId": {"$ne": null}, "name": {"$ne": null}, "version": 1}'],
  ['__proto__ key', '{"__proto__": {"polluted": true}, "name": {"$gt": ""}}'],
  ['constructor.prototype key', '{"constructor": {"prototype": {"polluted": true}}, "name": 1}'],
  ['10 000-character name', JSON.stringify({ name: 'a'.repeat(10_000) })],
  ['NUL byte in name', JSON.stringify({ name: 'a\u0000b' })],
  ['traversal in name', JSON.stringify({ name: '../../etc/passwd' })],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  ['20 000-deep nesting', '['.repeat(20_000) + ']'.repeat(20_000)],
  ['20 000-deep nested name', `{"name": ${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`],
  ['huge number version', '{"name": "a", "version": 1e400}'],
  ['huge integer version', '{"name": "a", "version": 123456789012345678901234567890}'],
  ['negative version', '{"name": "a", "version": -1}'],
  ['float version', '{"name": "a", "version": 1.5}'],
  ['many keys', `{${Array.from({ length: 30_000 }, (_, i) => `"k${i}":1`).join(',')}}`],
];

describe.each(WRITES)('%s %s', (method, path) => {
  it.each(hostileBodies)('%s → 4xx', async (_label, body) => {
    const res = await send(method, path, body);
    expect4xx(res.status, res.body);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('wrong content types → 4xx', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      const res = await send(method, path, 'name=a', type);
      expect4xx(res.status, res.body);
    }
  });
});

describe('hostile queries and ids', () => {
  it.each([
    '/api/v2/portfolios?name[$regex]=.*&limit=1e999',
    '/api/v2/portfolios?name=x&name=%00',
    '/api/v2/portfolios?name=%00',
    '/api/v2/portfolios?name_like=.*',
    '/api/v2/portfolios?name_like=%5C',
    '/api/v2/portfolios?limit=99999999999999999999',
    '/api/v2/portfolios?offset=-0.5',
    '/api/fast/portfolios/search?limit=[$gt]',
    '/api/fast/portfolios/search?name_like=(a|b)',
    '/api/v1/portfolio/ffffffffffffffffffffffff?version[$gt]=0',
  ])('%s → 4xx', async (url) => {
    const res = await (url.includes('version') ? t.http.delete(url) : t.http.get(url));
    expect4xx(res.status, res.body);
  });

  it.each([
    ['traversal', '..%2F..%2Fetc%2Fpasswd'],
    ['dot-dot', '%2E%2E'],
    ['NUL suffix', 'ffffffffffffffffffffffff%00'],
    ['operator object', '{"$ne":null}'],
    ['5000 characters', 'a'.repeat(5000)],
  ])(
    'id (%s) → 404',
    async (_label, id) => {
      const res = await t.http.get(`/api/v1/portfolio/${id}`);
      expect([404]).toContain(res.status);
    },
  );

  it('a 10 000-character search name → 400', async () => {
    await t.http.get(`/api/v2/portfolios?name=${'a'.repeat(10_000)}`).expect(400);
  });

  it('an operator-looking query never filters by regex: name_like with a dot is rejected, not matched', async () => {
    const res = await t.http.get('/api/v2/portfolios?name_like=a.c').expect(400);
    expect(res.body).toStrictEqual({
      detail: 'Invalid portfolio name format. Name must be 1-200 characters, alphanumeric, spaces, hyphens, and underscores only',
    });
  });
});
