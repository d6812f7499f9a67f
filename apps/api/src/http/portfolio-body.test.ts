import { createPagination, type Portfolio } from '@globeco/portfolio-core';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { pageJson, portfoliosJson, sendJson } from './portfolio-body.js';

const portfolios: Portfolio[] = [
  { portfolioId: '6b11ac943fb1f22d8c0fe457', name: 'Growth "A"', dateCreated: new Date('2024-01-15T10:30:00.123Z'), version: 3 },
  { portfolioId: '6b11ac943fb1f22d8c0fe456', name: 'Income', dateCreated: new Date('1969-07-20T20:17:40.000Z'), version: 1 },
];

describe('portfolio bodies', () => {
  it('write what JSON.stringify writes for a list and for a page', () => {
    expect(portfoliosJson(portfolios)).toBe(JSON.stringify(portfolios));
    expect(portfoliosJson([])).toBe('[]');
    const page = { portfolios, pagination: createPagination(12, 2, 4) };
    expect(pageJson(page)).toBe(JSON.stringify(page));
    expect(pageJson(page, ',"processingTimeMs":1.5')).toBe(JSON.stringify({ ...page, processingTimeMs: 1.5 }));
  });

  it('answer with the content type Koa gives an object body', async () => {
    const app = new Koa();
    app.use((ctx) => (ctx.path === '/text' ? sendJson(ctx, portfoliosJson(portfolios)) : (ctx.body = portfolios)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as { port: number };
      const [text, object] = await Promise.all(['/text', '/object'].map((path) => fetch(`http://127.0.0.1:${port}${path}`)));
      expect(text!.headers.get('content-type')).toBe(object!.headers.get('content-type'));
      expect(await text!.text()).toBe(await object!.text());
    } finally {
      server.close();
    }
  });
});
