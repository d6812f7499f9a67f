// GET /api/v1/portfolios streams the whole collection from the cursor: chunked, batch by batch,
// and a failure after the first byte leaves a visibly broken response, never a shorter valid array.
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { startFaultProxy, type FaultProxy } from '@globeco/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../src/server.js';
import { listenLocal, sendRequest } from './live-server.js';
import { createTestStack, testTelemetry, waitFor, type PortfolioBody, type TestStack } from './support.js';

const DOCUMENTS = 20_000;

let proxy: FaultProxy;
let t: TestStack;
let server: RunningServer;
const lines: Record<string, unknown>[] = [];
let expected: PortfolioBody[];

beforeAll(async () => {
  proxy = await startFaultProxy(inject('mongoUri'));
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  t = await createTestStack(
    { MONGODB_URI: proxy.uri, DB_OPERATION_TIMEOUT_MS: '2000' },
    { telemetry: testTelemetry(sink, 'debug') },
  );
  server = await listenLocal(t.app);
  // Seeded through the store (the documents the service writes), spread over time with ties on dateCreated.
  const stored = [];
  for (let i = 0; i < DOCUMENTS; i += 5000) {
    const part = Array.from({ length: 5000 }, (_, k) => ({
      name: `Portfolio ${i + k}`,
      dateCreated: new Date(Date.UTC(2020, 0, 1) + Math.floor((i + k) / 3) * 60_000),
      version: 1 + ((i + k) % 4),
    }));
    stored.push(...(await t.stack.store.insertMany(part)));
  }
  expected = stored
    .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime() || (a.portfolioId < b.portfolioId ? 1 : -1))
    .map((p) => ({ portfolioId: p.portfolioId, name: p.name, dateCreated: p.dateCreated.toISOString(), version: p.version }));
}, 120_000);

afterAll(async () => {
  proxy.stall(false);
  await server.drain(1000);
  await t.close();
  await proxy.stop();
});

/** What a client that reads the list in its own way received. */
interface Received {
  readonly head: string;
  /** The payload with the chunked framing removed (as far as it arrived). */
  readonly body: string;
  /** Whether the terminating zero-length chunk arrived. */
  readonly complete: boolean;
  readonly closedByServer: boolean;
}

/**
 * GETs the list over a raw socket; after the first body bytes, `afterFirstData` may pause the
 * client (return a promise: reading resumes when it settles). Bounded by `waitMs`.
 */
function readList(afterFirstData?: () => Promise<void>, waitMs = 15_000): Promise<Received> {
  return new Promise((resolve) => {
    const socket = connect(server.address.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let first = true;
    let closedByServer = false;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks).toString('latin1');
      const headEnd = raw.indexOf('\r\n\r\n');
      let rest = raw.slice(headEnd + 4);
      let body = '';
      let complete = false;
      for (;;) {
        const sizeEnd = rest.indexOf('\r\n');
        if (sizeEnd < 0) break;
        const size = Number.parseInt(rest.slice(0, sizeEnd), 16);
        if (size === 0) {
          complete = true;
          break;
        }
        body += rest.slice(sizeEnd + 2, sizeEnd + 2 + size);
        rest = rest.slice(sizeEnd + 2 + size + 2);
      }
      resolve({ head: raw.slice(0, headEnd), body: Buffer.from(body, 'latin1').toString('utf8'), complete, closedByServer });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (data: Buffer) => {
      chunks.push(data);
      if (Buffer.concat(chunks).toString('latin1').endsWith('\r\n0\r\n\r\n')) finish();
      if (first && afterFirstData !== undefined && Buffer.concat(chunks).includes('\r\n\r\n')) {
        first = false;
        socket.pause();
        void afterFirstData().then(() => socket.resume());
      }
    });
    socket.on('close', () => {
      closedByServer = true;
      finish();
    });
    socket.on('error', () => undefined);
    socket.write('GET /api/v1/portfolios HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
}

describe('GET /api/v1/portfolios streams the whole collection', () => {
  it('as one chunked JSON array, newest first, every document exactly once', async () => {
    const received = await readList();
    expect(received.complete).toBe(true);
    expect(received.head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(received.head).toMatch(/\r\nTransfer-Encoding: chunked/i);
    expect(received.head).toMatch(/\r\nContent-Type: application\/json; charset=utf-8/i);
    expect(received.head).not.toMatch(/Content-Length/i);
    expect(JSON.parse(received.body)).toStrictEqual(expected);
  });

  it('answers HEAD without a body and keeps serving', async () => {
    const head = await sendRequest(server.address.port, 'HEAD', '/api/v1/portfolios');
    expect([head.status, head.body]).toStrictEqual([200, '']);
    expect((await sendRequest(server.address.port, 'GET', '/health/ready')).status).toBe(200);
  });

  it('a batch that fails after the first byte ends the response broken, and one slow query leaves the breaker closed', async () => {
    const received = await readList(async () => {
      // The next getMore cannot be answered: it runs out of its 2 s budget mid-response.
      proxy.stall(true);
      await new Promise((resolve) => setTimeout(resolve, 100));
    });
    proxy.stall(false);
    expect(received.head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(received.closedByServer).toBe(true);
    expect(received.complete).toBe(false);
    expect(received.body.startsWith('[{')).toBe(true);
    expect(received.body.endsWith(']')).toBe(false);
    expect(() => JSON.parse(received.body) as unknown).toThrow();
    expect(t.stack.service.policy.state).toBe('closed');
    // Logged as the outage it may be (a warning without stack), not as a defect.
    expect(lines.filter((l) => l.level === 'error')).toStrictEqual([]);
    expect(lines.filter((l) => l.msg === 'request failed: database unavailable').length).toBeGreaterThanOrEqual(1);
    // And the next list is whole again.
    const again = await readList();
    expect(again.complete).toBe(true);
    expect((JSON.parse(again.body) as unknown[]).length).toBe(DOCUMENTS);
  });

  it('a client that goes away mid-list costs a debug line, and the service keeps answering', async () => {
    const before = lines.length;
    await new Promise<void>((resolve) => {
      const socket = connect(server.address.port, '127.0.0.1', () => socket.write('GET /api/v1/portfolios HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      socket.once('data', () => {
        socket.resetAndDestroy();
        resolve();
      });
    });
    await waitFor(() => Promise.resolve(lines.slice(before).some((l) => l.msg === 'request ended by the client')), 2000);
    expect(lines.slice(before).filter((l) => l.level === 'error' || l.level === 'warn')).toStrictEqual([]);
    const { status, body } = await sendRequest(server.address.port, 'GET', '/api/v1/portfolios');
    expect([status, (JSON.parse(body) as unknown[]).length]).toStrictEqual([200, DOCUMENTS]);
  });

  it('an empty collection is []', async () => {
    const empty = await createTestStack();
    try {
      const local = await listenLocal(empty.app);
      const res = await sendRequest(local.address.port, 'GET', '/api/v1/portfolios');
      expect([res.status, res.body]).toStrictEqual([200, '[]']);
      await local.drain(500);
    } finally {
      await empty.close();
    }
  });
});
