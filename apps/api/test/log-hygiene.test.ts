// Hostile clients against the real process (dist/main.js, production profile at debug level): no
// log line holds anything the client sent beyond the allowlist, none is at error level, no 5xx.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '@globeco/testkit';
import { startProcess, type Started } from './api-process.js';
import { parseResponses, rawExchange, sendRequest } from './live-server.js';
import { waitFor } from './support.js';

const SECRETS = {
  authorization: `Bearer auth-${randomUUID()}`,
  cookie: `cookie-${randomUUID()}`,
  apiKey: `key-${randomUUID()}`,
  body: `body-${randomUUID()}`,
  query: `query-${randomUUID()}`,
  path: `path${randomUUID().replaceAll('-', '')}`,
  requestId: `rid/${randomUUID()}`,
};

/** What a log line may carry (README, "Logging"): nothing else of a request ever appears. */
const ALLOWED_KEYS = new Set([
  'level', 'time', 'service', 'msg', 'request_id', 'trace_id', 'span_id',
  'method', 'route', 'status', 'duration_ms', 'request_bytes', 'response_bytes', 'code', 'reason', 'suppressed',
]);

const SECRET_HEADERS = [
  `Authorization: ${SECRETS.authorization}`,
  `Cookie: session=${SECRETS.cookie}; theme=dark`,
  `X-Api-Key: ${SECRETS.apiKey}`,
  `X-Request-ID: ${SECRETS.requestId}`,
].join('\r\n');

const head = (requestLine: string, extra = ''): string => `${requestLine}\r\nHost: 127.0.0.1\r\n${SECRET_HEADERS}\r\n${extra}\r\n`;
const secretBody = JSON.stringify({ name: 'Growth', secret: SECRETS.body });

/** The secret as text, and as the decimal byte list a serialised Buffer (`rawPacket`) would show. */
function forms(secret: string): string[] {
  return [secret, [...Buffer.from(secret)].join(',')];
}

interface Run {
  readonly api: Started;
  /** Lines written from the first hostile request on. */
  readonly logged: () => Record<string, unknown>[];
  readonly answers: Record<string, number | undefined>;
  readonly details: Record<string, unknown>;
  readonly metrics: string;
}

/** Starts the service with `env`, sends every hostile request once, and keeps what it answered and logged. */
async function runHostileClients(env: Record<string, string>): Promise<Run> {
  const api = await startProcess({
    MONGODB_URI: inject('mongoUri'),
    MONGODB_DATABASE: `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    ...env,
  });
  started.push(api);
  await waitFor(async () => (await sendRequest(api.port, 'GET', '/health/startup')).status === 200, 15_000);
  const first = api.lines.length;
  const answers: Record<string, number | undefined> = {};
  const details: Record<string, unknown> = {};
  const exchange = async (label: string, chunks: string[], end?: 'fin' | 'rst'): Promise<void> => {
    const { text } = await rawExchange(api.port, chunks, {
      waitMs: 2000,
      until: (received) => parseResponses(received).length > 0,
      ...(end === undefined ? {} : { end }),
    });
    const [response] = parseResponses(text);
    answers[label] = response?.status;
    if (response === undefined) return;
    try {
      details[label] = (JSON.parse(response.body) as { detail?: unknown }).detail;
    } catch {
      details[label] = response.body;
    }
  };
  await exchange('PROPFIND on a known path', [head(`PROPFIND /api/v1/portfolios?token=${SECRETS.query} HTTP/1.1`)]);
  await exchange('TRACE on an unknown path', [head(`TRACE /nope/${SECRETS.path} HTTP/1.1`)]);
  await exchange('TRACE on a known path', [head(`TRACE /api/v1/portfolio/${SECRETS.path} HTTP/1.1`)]);
  await exchange('GET of a malformed id', [head(`GET /api/v1/portfolio/${SECRETS.path}?token=${SECRETS.query} HTTP/1.1`)]);
  await exchange('unknown method token', [head('FOO /api/v1/portfolios HTTP/1.1')]);
  await exchange('malformed chunk', [
    head('POST /api/v1/portfolios HTTP/1.1', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n'),
    `zz\r\n${secretBody}\r\n0\r\n\r\n`,
  ]);
  await exchange('bad JSON', [head('POST /api/v1/portfolios HTTP/1.1', `Content-Type: application/json\r\nContent-Length: ${secretBody.length - 1}\r\n`), secretBody.slice(0, -1)]);
  await exchange('header too large', [`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${SECRETS.authorization}${'x'.repeat(20_000)}\r\n\r\n`]);
  for (const end of ['fin', 'rst'] as const) {
    await exchange(
      `upload cut off (${end})`,
      [head('POST /api/v1/portfolios HTTP/1.1', `Content-Type: application/json\r\nContent-Length: ${secretBody.length + 500}\r\n`), secretBody],
      end,
    );
    await exchange(
      `chunked upload cut off (${end})`,
      [head('PUT /api/v1/portfolio/ffffffffffffffffffffffff HTTP/1.1', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n'), `${secretBody.length.toString(16)}\r\n${secretBody}\r\n`],
      end,
    );
  }
  // Lines of the last requests (debug lines of cut-off uploads) may come a moment after the close.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const metrics = (await sendRequest(api.port, 'GET', '/metrics')).body;
  return { api, logged: () => api.lines.slice(first), answers, details, metrics };
}

/** Every process started, stopped after the file even when a run failed half-way. */
const started: Started[] = [];
const runs: Run[] = [];
let verbose: Run;
let production: Run;
beforeAll(async () => {
  // Staging at debug level: every line is written (production samples debug lines).
  verbose = await runHostileClients({ APP_ENV: 'staging', LOG_LEVEL: 'debug', ACCESS_LOG: 'true' });
  runs.push(verbose);
  // The production profile as shipped: LOG_LEVEL warn, no access log.
  production = await runHostileClients({ APP_ENV: 'production', LOG_LEVEL: 'warn', PORT: String(await freePort()) });
  runs.push(production);
}, 90_000);

afterAll(async () => {
  for (const api of started) {
    api.child.kill('SIGTERM');
    await api.exited;
  }
});

describe('hostile requests with credentials in their headers', () => {
  it('are answered with a 4xx naming the problem (or the connection closes when the client left)', () => {
    expect(verbose.answers).toStrictEqual({
      'PROPFIND on a known path': 405,
      'TRACE on an unknown path': 404,
      'TRACE on a known path': 405,
      'GET of a malformed id': 404,
      'unknown method token': 400,
      'malformed chunk': 400,
      'bad JSON': 422,
      'header too large': 431,
      // A half-closed upload is still answered; a reset connection has nobody to answer.
      'upload cut off (fin)': 400,
      'chunked upload cut off (fin)': 400,
      'upload cut off (rst)': undefined,
      'chunked upload cut off (rst)': undefined,
    });
    expect(production.answers).toStrictEqual(verbose.answers);
    expect(verbose.details['unknown method token']).toBe('Bad Request: Invalid method encountered');
    expect(verbose.details['malformed chunk']).toBe('Bad Request: Invalid character in chunk size');
    expect(verbose.details['header too large']).toBe('Request header fields too large');
  });

  it('leave no secret in any log line, in any form, and no field outside the allowlist', () => {
    const logged = verbose.logged();
    expect(logged.length).toBeGreaterThan(10);
    const text = JSON.stringify(logged);
    for (const secret of Object.values(SECRETS)) for (const form of forms(secret)) expect(text).not.toContain(form);
    expect(text).not.toContain('rawPacket');
    const extra = logged.flatMap((line) => Object.keys(line).filter((key) => !ALLOWED_KEYS.has(key)).map((key) => `${String(line.msg)}: ${key}`));
    expect(extra).toStrictEqual([]);
  });

  it('write nothing above info and no stack; the client-caused conditions are debug lines with their code', () => {
    const logged = verbose.logged();
    expect(logged.filter((line) => line.level !== 'debug' && line.level !== 'info')).toStrictEqual([]);
    expect(JSON.stringify(logged)).not.toContain('stack');
    const debugCodes = logged.filter((line) => line.level === 'debug').map((line) => String(line.code));
    expect(debugCodes).toEqual(
      expect.arrayContaining(['HPE_INVALID_METHOD', 'HPE_INVALID_CHUNK_SIZE', 'HPE_HEADER_OVERFLOW', 'HPE_INVALID_EOF_STATE']),
    );
    expect(logged.filter((line) => line.msg === 'request ended by the client').length).toBeGreaterThanOrEqual(2);
  });

  it('write no line at all at the production log level', () => {
    expect(production.logged()).toStrictEqual([]);
  });

  it('count no 5xx and no client path in the metrics', () => {
    for (const { metrics } of runs) {
      // /health/startup is 503 until the indexes exist: that is the probe's contract, not a client's doing.
      const failures = metrics.split('\n').filter((line) => /status="5\d\d"/.test(line) && !line.includes('path="/health/startup"'));
      expect(failures).toStrictEqual([]);
      for (const secret of Object.values(SECRETS)) expect(metrics).not.toContain(secret);
      expect(metrics).toMatch(/http_requests_total\{[^}]*path="\/api\/v1\/portfolios"[^}]*status="405"[^}]*\} 1/);
    }
  });
});
