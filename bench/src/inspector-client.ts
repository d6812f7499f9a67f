import { WebSocket } from 'undici';

/** Live V8 heap of a process after a full garbage collection, through its inspector (`--inspect=host:port`). */
export interface HeapAfterGc {
  /** Bytes used by live objects after the collection. */
  readonly usedBytes: number;
  /** Bytes the heap has reserved. */
  readonly totalBytes: number;
}

interface CdpReply {
  readonly id?: number;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly message: string };
}

/**
 * Connects to the inspector at `127.0.0.1:port`, forces a full GC (`HeapProfiler.collectGarbage`)
 * and reads `Runtime.getHeapUsage`, so two readings compare live memory rather than GC timing.
 */
export async function readHeapAfterGc(port: number, timeoutMs = 20_000): Promise<HeapAfterGc> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl?: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (url === undefined) throw new Error(`inspector on port ${port} lists no target`);
  const ws = new WebSocket(url);
  const pending = new Map<number, (reply: CdpReply) => void>();
  ws.addEventListener('message', (event) => {
    const reply = JSON.parse(String(event.data)) as CdpReply;
    if (reply.id !== undefined) pending.get(reply.id)?.(reply);
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error(`cannot open ${url}`)));
  });
  let next = 1;
  const call = (method: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => reject(new Error(`${method}: no answer within ${timeoutMs} ms`)), timeoutMs);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.error !== undefined) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result ?? {});
      });
      ws.send(JSON.stringify({ id, method }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const usage = await call('Runtime.getHeapUsage');
    return { usedBytes: Number(usage.usedSize), totalBytes: Number(usage.totalSize) };
  } finally {
    ws.close();
  }
}
