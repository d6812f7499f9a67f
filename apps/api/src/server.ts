import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createH2cServer, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CONNECT_NOT_FOUND, answerClientError } from './http/client-error.js';

/** A Node request listener, as Koa's `app.callback()` returns. */
export type RequestHandler = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => void | Promise<void>;

/** Options of {@link startServer}. */
export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  /** Serve HTTP/2 cleartext with prior knowledge instead of HTTP/1.1. */
  readonly http2: boolean;
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /**
   * How long idle keep-alive connections stay open after draining begins, so a request a client
   * sent just before the signal is still read and answered (with `Connection: close`); default 1000.
   */
  readonly idleLingerMs?: number;
  /**
   * Told of every connection-level client error Node's parser reports (a malformed request line,
   * header or chunk; an unknown method token; a timeout; a reset), with its code only: such a
   * request never reached the app, and its bytes are never handed on.
   */
  readonly onClientError?: (code: string) => void;
}

/** A listening server that can drain. */
export interface RunningServer {
  /** The bound address (useful with port 0). */
  readonly address: AddressInfo;
  /** Requests currently being handled. */
  readonly inFlight: number;
  /**
   * Stops accepting connections, lets in-flight requests finish (answering them with
   * `Connection: close`), closes idle keep-alive connections, and after `graceMs` closes the rest.
   * @returns whether connections had to be cut at the deadline
   */
  drain(graceMs: number): Promise<{ readonly forced: boolean }>;
}

/** Starts an HTTP/1.1 (or h2c) server tuned to sit behind a load balancer. */
export async function startServer(handler: RequestHandler, options: ServerOptions): Promise<RunningServer> {
  let inFlight = 0;
  let draining = false;
  const track = (res: ServerResponse | Http2ServerResponse): void => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
    });
  };
  /** The handle of a listening server; `stop` closes it once draining has been flagged. */
  const running = (address: AddressInfo, stop: (graceMs: number) => Promise<boolean>): RunningServer => ({
    address,
    get inFlight() {
      return inFlight;
    },
    async drain(graceMs) {
      draining = true;
      return { forced: await stop(graceMs) };
    },
  });

  if (options.http2) {
    const sessions = new Set<Http2Session>();
    const server = createH2cServer({ maxSessionMemory: 32 }, (req, res) => {
      track(res);
      // Koa's handler settles every request itself; nothing to await here.
      void handler(req, res);
    });
    server.on('session', (session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
      if (draining) session.close();
    });
    server.setTimeout(options.keepAliveTimeoutMs);
    return running(await listen(server, options), async (graceMs) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // GOAWAY: open streams finish, no new ones are accepted.
      for (const session of sessions) session.close();
      const forced = await settleWithin(closed, graceMs);
      if (forced) for (const session of sessions) session.destroy();
      return forced;
    });
  }

  // Node parses pipelined requests as they arrive and would run their handlers at once; only the
  // responses are kept in order. A request therefore starts once the previous one on its connection
  // has finished (RFC 9112 §9.3.2 allows overlap for safe methods only): a GET pipelined after a PUT
  // sees the PUT. Each connection's queue holds the requests waiting behind the one running; the
  // usual request, alone on its connection, runs at once (one 'close' listener, nothing queued).
  const queues = new WeakMap<Socket, { busy: boolean; readonly waiting: (() => void)[] }>();
  const server = createHttp1Server(
    {
      keepAliveTimeout: options.keepAliveTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
    },
    (req, res) => {
      inFlight++;
      if (draining) res.setHeader('Connection', 'close');
      const socket = req.socket;
      let queue = queues.get(socket);
      if (queue === undefined) queues.set(socket, (queue = { busy: false, waiting: [] }));
      const q = queue;
      res.once('close', () => {
        inFlight--;
        const next = q.waiting.shift();
        if (next === undefined) q.busy = false;
        else next();
      });
      const start = (): void => void handler(req, res);
      if (q.busy) q.waiting.push(start);
      else {
        q.busy = true;
        start();
      }
    },
  );
  // Set on the instance too: the option names above are honoured only by some Node versions.
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.headersTimeout = options.headersTimeoutMs;
  server.requestTimeout = options.requestTimeoutMs;
  // CONNECT names an authority (host:port), never a path of this service; without a listener Node
  // would drop the connection without an answer.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    socket.end(CONNECT_NOT_FOUND);
  });
  server.on('clientError', (error: Error, socket: Duplex) => answerClientError(error, socket, options.onClientError));
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return running(await listen(server, options), async (graceMs) => {
    // net.Server#close stops listening without http.Server#close's immediate cut of idle
    // connections: a request already on its way over one of them is still served.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to the server below
    const stopListening = NetServer.prototype.close;
    const closed = new Promise<void>((resolve) => stopListening.call(server, () => resolve()));
    let sweep: NodeJS.Timeout | undefined;
    const linger = setTimeout(() => {
      server.closeIdleConnections();
      // Connections that were mid-request when draining began turn idle after their response.
      sweep = setInterval(() => server.closeIdleConnections(), 100);
      sweep.unref();
    }, Math.min(options.idleLingerMs ?? 1000, graceMs));
    linger.unref();
    const forced = await settleWithin(closed, graceMs);
    clearTimeout(linger);
    clearInterval(sweep);
    if (forced) {
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    }
    return forced;
  });
}

function listen(
  server: { listen(port: number, host: string, cb: () => void): unknown; once(event: 'error', cb: (e: Error) => void): unknown; address(): AddressInfo | string | null },
  options: ServerOptions,
): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve(server.address() as AddressInfo));
  });
}

async function settleWithin(done: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  const forced = await Promise.race([done.then(() => false), deadline]);
  clearTimeout(timer);
  return forced;
}
