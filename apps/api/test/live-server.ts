// The app behind the real HTTP server on 127.0.0.1, and clients that speak to it as raw bytes.
import { request } from 'node:http';
import { connect } from 'node:net';
import type Koa from 'koa';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer } from '../src/server.js';
import { createTestStack, type TestStack } from './support.js';

/** Serves `app` with the production server (server.ts) on 127.0.0.1 and a free port. */
export function listenLocal(app: Koa): Promise<RunningServer> {
  return startServer(app.callback(), {
    host: '127.0.0.1',
    port: 0,
    http2: false,
    keepAliveTimeoutMs: 5000,
    headersTimeoutMs: 6000,
    requestTimeoutMs: 10_000,
    idleLingerMs: 0,
  });
}

/** A test stack served by the real server; valid inside tests (set up by `beforeAll`). */
export interface LiveStack {
  readonly t: TestStack;
  readonly server: RunningServer;
  readonly port: number;
}

/** Registers hooks that start a test stack behind {@link listenLocal} for the file, and stop both after it. */
export function useLiveStack(): LiveStack {
  let t: TestStack | undefined;
  let server: RunningServer | undefined;
  beforeAll(async () => {
    t = await createTestStack();
    server = await listenLocal(t.app);
  });
  afterAll(async () => {
    await server?.drain(1000);
    await t?.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useLiveStack: used outside a test');
    return value;
  };
  return {
    get t() {
      return ready(t);
    },
    get server() {
      return ready(server);
    },
    get port() {
      return ready(server).address.port;
    },
  };
}

/** One HTTP/1.1 response as a client reads it. */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Sends one request with any method token through node:http; resolves with the whole reply. */
export function sendRequest(
  port: number,
  method: string,
  path: string,
  options: { readonly headers?: Record<string, string>; readonly body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path}: no reply within 10 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** How a raw exchange ended. */
export interface RawExchange {
  /** Every byte the server sent, as latin1 text. */
  readonly text: string;
  /** Whether the server closed the connection (rather than the client giving up at `waitMs`). */
  readonly closedByServer: boolean;
}

/**
 * Writes `chunks` to a fresh TCP connection (one write each, in order) and collects what comes back
 * until the server closes, `until(text)` holds, or `waitMs` passes. `end: 'fin' | 'rst'` closes the
 * client side after the last chunk (a half-close, or a reset) to play a client that disconnects.
 */
export function rawExchange(
  port: number,
  chunks: readonly (string | Buffer)[],
  options: { readonly waitMs?: number; readonly until?: (text: string) => boolean; readonly end?: 'fin' | 'rst' } = {},
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let settled = false;
    const finish = (closedByServer: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closedByServer });
    };
    const timer = setTimeout(() => finish(false), options.waitMs ?? 3000);
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      text += data;
      if (options.until?.(text) === true) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      if (options.end === 'fin') socket.end();
      if (options.end === 'rst') socket.resetAndDestroy();
    });
  });
}

/** One response parsed out of a raw HTTP/1.1 byte stream. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Splits the bytes of pipelined HTTP/1.1 responses into responses (Content-Length and chunked
 * bodies); a trailing incomplete response is left out.
 */
export function parseResponses(text: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = text;
  for (;;) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) return responses;
    const [statusLine = '', ...fields] = rest.slice(0, headEnd).split('\r\n');
    const headers: Record<string, string> = {};
    for (const field of fields) {
      const colon = field.indexOf(':');
      headers[field.slice(0, colon).trim().toLowerCase()] = field.slice(colon + 1).trim();
    }
    let bodyStart = headEnd + 4;
    let body = '';
    if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const sizeEnd = rest.indexOf('\r\n', bodyStart);
        if (sizeEnd < 0) return responses;
        const size = Number.parseInt(rest.slice(bodyStart, sizeEnd), 16);
        if (Number.isNaN(size) || rest.length < sizeEnd + 2 + size + 2) return responses;
        body += rest.slice(sizeEnd + 2, sizeEnd + 2 + size);
        bodyStart = sizeEnd + 2 + size + 2;
        if (size === 0) break;
      }
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (rest.length < bodyStart + length) return responses;
      body = rest.slice(bodyStart, bodyStart + length);
      bodyStart += length;
    }
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body });
    rest = rest.slice(bodyStart);
  }
}
