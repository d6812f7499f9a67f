// SIGTERM under load against a real process (dist/main.js, as `npm start` runs it).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, request, type IncomingMessage } from 'node:http';
import { expect, inject, it } from 'vitest';
import { MAIN, startProcess } from './api-process.js';
import { waitFor } from './support.js';

interface Reply {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

function send(port: number, method: string, path: string, agent: Agent | false, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

it('SIGTERM under load: readiness 503 at once, every in-flight request completes, exit 0', async () => {
  const { child, port, lines, exited } = await startProcess({
    APP_ENV: 'test',
    MONGODB_URI: inject('mongoUri'),
    MONGODB_DATABASE: `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    SHUTDOWN_GRACE_MS: '10000',
  });
  await waitFor(async () => (await send(port, 'GET', '/health/startup', false)).status === 200, 15_000);

  // Background load on keep-alive connections, bounded in time and count.
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let signalled = 0;
  const outcomes: { startedBeforeSignal: boolean; status?: number; error?: string }[] = [];
  let stop = false;
  const workers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; i < 2000 && !stop; i++) {
      const startedBeforeSignal = signalled === 0;
      try {
        const res = await (i % 2 === 0
          ? send(port, 'GET', '/api/v1/portfolios', agent)
          : send(port, 'POST', '/api/v1/portfolios', agent, JSON.stringify({ name: `load ${w} ${i}` })));
        outcomes.push({ startedBeforeSignal, status: res.status });
      } catch (error) {
        outcomes.push({ startedBeforeSignal, error: (error as NodeJS.ErrnoException).code ?? String(error) });
        if (!startedBeforeSignal) return;
      }
    }
  });
  await new Promise((r) => setTimeout(r, 1000));

  // Requests that are certainly in flight: headers and half of the body sent, the rest after the signal.
  const slowBody = JSON.stringify({ name: 'slow writer' });
  const slow = Array.from({ length: 10 }, () => {
    let finish!: () => void;
    const reply = new Promise<Reply>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/portfolios', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(slowBody) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        },
      );
      req.on('error', reject);
      req.write(slowBody.slice(0, 5));
      finish = () => req.end(slowBody.slice(5));
    });
    return { reply, finish: () => finish() };
  });
  await new Promise((r) => setTimeout(r, 200));

  // A probe connection kept alive from before the signal: readiness flips at once.
  const probe = new Agent({ keepAlive: true, maxSockets: 1 });
  expect((await send(port, 'GET', '/health/ready', probe)).status).toBe(200);

  signalled = Date.now();
  child.kill('SIGTERM');
  // As soon as the process says it is shutting down, readiness fails on a connection it still serves.
  await waitFor(() => Promise.resolve(lines.some((l) => l.msg === 'shutting down')), 5000);
  const draining = await send(port, 'GET', '/health/ready', probe);
  probe.destroy();
  await new Promise((r) => setTimeout(r, 250));
  for (const s of slow) s.finish();
  const slowReplies = await Promise.all(slow.map((s) => s.reply));
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  const code = await exited;

  expect(code).toBe(0);
  expect(draining.status).toBe(503);
  expect(draining.headers.connection).toBe('close');
  expect(JSON.parse(draining.body)).toMatchObject({ status: 'not_ready', reason: 'shutting_down' });
  for (const reply of slowReplies) {
    expect(reply.status).toBe(201);
    expect(reply.headers.connection).toBe('close');
    expect(JSON.parse(reply.body)).toMatchObject({ name: 'slow writer', version: 1 });
  }
  const before = outcomes.filter((o) => o.startedBeforeSignal);
  expect(before.length).toBeGreaterThan(20);
  expect(before.filter((o) => o.error !== undefined || (o.status ?? 0) >= 300)).toStrictEqual([]);
  // After the signal, requests either completed normally or could not connect; none got a 5xx.
  const after = outcomes.filter((o) => !o.startedBeforeSignal);
  expect(after.filter((o) => o.status !== undefined && o.status >= 300)).toStrictEqual([]);
  expect(after.filter((o) => o.error !== undefined && !['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(o.error))).toStrictEqual([]);

  console.log(
    `[shutdown] ${before.length} load requests before SIGTERM (all 2xx), ${after.length} after; ` +
      `${slowReplies.length} half-sent requests completed; exit ${code}`,
  );
  const messages = lines.map((l) => l.msg);
  expect(messages).toContain('shutting down');
  expect(messages.at(-1)).toBe('stopped');
  expect(lines.find((l) => l.msg === 'stopped')).toMatchObject({ forced: false });
});

it('a bad setting stops the process with one line naming it and exit code 78', async () => {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(78);
  expect(stderr).toBe('Invalid PORT="eighty": expected integer 0..65535\n');
});
