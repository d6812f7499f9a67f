import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

interface Portfolio {
  portfolioId: string;
  name: string;
  dateCreated: string;
  version: number;
}

/** Options of the fake contract server used by the tests. */
export interface FakeApiOptions {
  /** Milliseconds to hold each response; may depend on the request number (1-based). */
  delayMs?: number | ((n: number, method: string, path: string) => number);
  /** Prometheus text served at /metrics. */
  metrics?: () => string;
}

/** A running fake server. */
export interface FakeApi {
  url: string;
  store: Map<string, Portfolio>;
  requests: Array<{ method: string; path: string; at: number; doneAt: number }>;
  /** Answers Prometheus instant queries at /prom/api/v1/query when set. */
  prometheus?: (query: string) => number;
  close(): Promise<void>;
}

const preciseNow = (): number => performance.timeOrigin + performance.now();
const NAME = /^[A-Za-z0-9 _-]{1,200}$/;

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Starts a small in-memory implementation of the routes the generator drives, on 127.0.0.1. */
export async function startFakeApi(options: FakeApiOptions = {}): Promise<FakeApi> {
  const store = new Map<string, Portfolio>();
  const requests: FakeApi['requests'] = [];
  let n = 0;
  const create = (name: string): Portfolio => {
    const p = { portfolioId: randomBytes(12).toString('hex'), name, dateCreated: new Date().toISOString(), version: 1 };
    store.set(p.portfolioId, p);
    return p;
  };
  const search = (url: URL): { status: number; body: unknown } => {
    const name = url.searchParams.get('name');
    const like = url.searchParams.get('name_like');
    if (name !== null && like !== null) return { status: 400, body: { detail: 'Only one search parameter allowed: name or name_like' } };
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const all = [...store.values()].filter((p) => (name !== null ? p.name.toLowerCase() === name.toLowerCase() : like !== null ? p.name.toLowerCase().includes(like.toLowerCase()) : true));
    const total = all.length;
    const totalPages = total === 0 ? 0 : Math.ceil(total / limit);
    const currentPage = Math.floor(offset / limit);
    return {
      status: 200,
      body: { portfolios: all.slice(offset, offset + limit), pagination: { totalElements: total, totalPages, currentPage, pageSize: limit, hasNext: currentPage < totalPages - 1, hasPrevious: currentPage > 0 } },
    };
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (path === '/prom/api/v1/query') {
      const value = api.prometheus?.(url.searchParams.get('query') ?? '');
      return send(res, 200, { status: 'success', data: { resultType: 'vector', result: value === undefined ? [] : [{ metric: {}, value: [Date.now() / 1000, String(value)] }] } });
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(options.metrics?.() ?? '');
      return;
    }
    n++;
    const entry = { method, path, at: preciseNow(), doneAt: 0 };
    requests.push(entry);
    res.on('finish', () => (entry.doneAt = preciseNow()));
    const delay = typeof options.delayMs === 'function' ? options.delayMs(n, method, path) : (options.delayMs ?? 0);
    const body = method === 'POST' || method === 'PUT' ? await readBody(req) : undefined;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const one = /^\/api\/v1\/portfolio\/([^/]+)$/.exec(path);
    if (path === '/api/v1/portfolios' && method === 'GET') return send(res, 200, [...store.values()]);
    if (path === '/api/v1/portfolios' && method === 'POST') {
      const name = (body as { name?: unknown }).name;
      if (typeof name !== 'string' || !NAME.test(name)) return send(res, 422, { detail: [{ loc: ['body', 'name'], msg: 'invalid', type: 'value_error' }] });
      return send(res, 201, create(name));
    }
    if (path === '/api/v2/portfolios' && method === 'POST') {
      if (!Array.isArray(body) || body.length === 0 || body.length > 100) return send(res, 400, { detail: 'Request must contain at least 1 portfolio' });
      return send(res, 201, (body as Array<{ name: string }>).map((b) => create(b.name)));
    }
    if (path === '/api/fast/portfolios/bulk' && method === 'POST') {
      const created = (body as Array<{ name: string }>).map((b) => create(b.name));
      return send(res, 201, { portfolios: created, count: created.length, processingTimeMs: 1 });
    }
    if ((path === '/api/v2/portfolios' || path === '/api/fast/portfolios/search') && method === 'GET') {
      const r = search(url);
      return send(res, r.status, r.body);
    }
    if (one !== null) {
      const p = store.get(one[1] as string);
      if (method === 'GET') return p === undefined ? send(res, 404, { detail: 'Portfolio not found' }) : send(res, 200, p);
      if (method === 'PUT') {
        if (p === undefined) return send(res, 404, { detail: 'Portfolio not found' });
        const b = body as { version: number; name: string };
        if (b.version !== p.version) return send(res, 409, { detail: 'Version conflict' });
        p.version++;
        p.name = b.name;
        return send(res, 200, p);
      }
      if (method === 'DELETE') {
        if (p === undefined) return send(res, 404, { detail: 'Portfolio not found' });
        if (Number(url.searchParams.get('version')) !== p.version) return send(res, 409, { detail: 'Version conflict' });
        store.delete(p.portfolioId);
        return send(res, 204);
      }
    }
    send(res, 404, { detail: 'Not Found' });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { detail: 'Internal Server Error' }));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const api: FakeApi = {
    url: `http://127.0.0.1:${port}`,
    store,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return api;
}
