import { createServer, connect, type Server, type Socket } from 'node:net';

/** Options of startFaultProxy. */
export interface FaultProxyOptions {
  /** Port to listen on (default: any free port; kept across stop/start). */
  port?: number;
}

/** A TCP proxy in front of a MongoDB that can refuse, drop, delay or stall connections. */
export interface FaultProxy {
  /** Connection string through the proxy (directConnection, so the driver never bypasses it). */
  readonly uri: string;
  readonly port: number;
  /** Connections currently open through the proxy. */
  readonly connections: number;
  /** Connections accepted since the proxy was created (refused ones included). */
  readonly accepted: number;
  /** While on, new connections are reset as soon as they arrive; open ones are untouched. */
  refuse(on: boolean): void;
  /** While on, traffic is held (not forwarded) in both directions, like an unresponsive server. */
  stall(on: boolean): void;
  /** Closes every open connection (both sides). */
  dropConnections(): void;
  /** Adds this many milliseconds of delay to every chunk in both directions (0 = none). */
  setLatency(ms: number): void;
  /** Stops listening and closes every connection. */
  stop(): Promise<void>;
  /** Listens again on the same port after stop(). */
  start(): Promise<void>;
}

interface Target {
  host: string;
  port: number;
}

/**
 * Starts a fault-injecting TCP proxy on 127.0.0.1 in front of the MongoDB at `targetUri`
 * (real or not); the returned `uri` routes the driver through it.
 */
export async function startFaultProxy(targetUri: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const { target, uriFor } = parseTarget(targetUri);
  const pairs = new Set<Pipe>();
  let refusing = false;
  let stalled = false;
  let latency = 0;
  let accepted = 0;
  let server: Server | undefined;
  let port = options.port ?? 0;

  const onConnection = (client: Socket): void => {
    accepted++;
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: target.host, port: target.port, noDelay: true });
    client.setNoDelay(true);
    const pipe = new Pipe(client, upstream, () => latency, () => stalled);
    pairs.add(pipe);
    pipe.onClose = () => pairs.delete(pipe);
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer(onConnection);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.off('error', reject);
        const addr = s.address();
        if (addr && typeof addr === 'object') port = addr.port;
        server = s;
        resolve();
      });
    });

  await listen();
  const dropAll = (): void => {
    for (const p of pairs) p.destroy();
    pairs.clear();
  };

  return {
    get uri() {
      return uriFor(port);
    },
    get port() {
      return port;
    },
    get connections() {
      return pairs.size;
    },
    get accepted() {
      return accepted;
    },
    refuse(on) {
      refusing = on;
    },
    stall(on) {
      stalled = on;
      if (!on) for (const p of pairs) p.flush();
    },
    dropConnections: dropAll,
    setLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a non-negative number of ms, got ${ms}`);
      latency = ms;
    },
    stop() {
      const s = server;
      server = undefined;
      dropAll();
      if (!s) return Promise.resolve();
      return new Promise<void>((resolve) => s.close(() => resolve()));
    },
    start() {
      return server ? Promise.resolve() : listen();
    },
  };
}

/** Two sockets joined both ways, each direction delayed by a FIFO so order is kept. */
class Pipe {
  onClose: (() => void) | undefined;
  private closed = false;
  private readonly lanes: Lane[];

  constructor(
    private readonly a: Socket,
    private readonly b: Socket,
    latency: () => number,
    stalled: () => boolean,
  ) {
    this.lanes = [new Lane(a, b, latency, stalled), new Lane(b, a, latency, stalled)];
    for (const s of [a, b]) {
      s.on('error', () => this.destroy());
      s.on('close', () => this.destroy());
    }
  }

  flush(): void {
    for (const l of this.lanes) l.pump();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.lanes) l.clear();
    this.a.destroy();
    this.b.destroy();
    this.onClose?.();
  }
}

class Lane {
  private readonly queue: { due: number; chunk: Buffer }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    from: Socket,
    private readonly to: Socket,
    latency: () => number,
    private readonly stalled: () => boolean,
  ) {
    from.on('data', (chunk: Buffer) => {
      const ms = latency();
      if (ms === 0 && this.queue.length === 0 && !stalled()) {
        to.write(chunk);
        return;
      }
      this.queue.push({ due: Date.now() + ms, chunk });
      this.pump();
    });
  }

  pump(): void {
    if (this.timer || this.stalled()) return;
    const now = Date.now();
    while (this.queue.length > 0 && (this.queue[0] as { due: number }).due <= now) {
      this.to.write((this.queue.shift() as { chunk: Buffer }).chunk);
    }
    const head = this.queue[0];
    if (head) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, head.due - now);
    }
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }
}

function parseTarget(uri: string): { target: Target; uriFor: (port: number) => string } {
  const m = /^mongodb:\/\/(?:([^@/]*)@)?([^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri.trim());
  if (!m) throw new Error(`fault proxy: unsupported MongoDB URI (need mongodb://host:port/...): ${uri}`);
  const [, auth, hosts = '', path = '/', query = ''] = m;
  const first = (hosts.split(',')[0] ?? '').trim();
  const ipv6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(first);
  const host = ipv6 ? (ipv6[1] as string) : (first.split(':')[0] ?? '');
  const portText = ipv6 ? ipv6[2] : first.split(':')[1];
  const port = portText ? Number(portText) : 27017;
  if (!host || !Number.isInteger(port)) throw new Error(`fault proxy: cannot read host:port from ${uri}`);
  const params = new URLSearchParams(query.replace(/^\?/, ''));
  params.delete('replicaSet');
  params.set('directConnection', 'true');
  return {
    target: { host, port },
    uriFor: (p) => `mongodb://${auth ? `${auth}@` : ''}127.0.0.1:${p}${path}?${params.toString()}`,
  };
}
