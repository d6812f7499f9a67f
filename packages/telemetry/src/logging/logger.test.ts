import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, type LoggerConfig } from './logger.js';
import { redactUri } from './redact.js';
import { runWithRequestContext } from './request-context.js';

function capture(config: Omit<LoggerConfig, 'destination'>) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ ...config, destination }), lines };
}

const provider = new TracerProvider();
trace.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

describe('createLogger', () => {
  it('writes JSON lines with time, level, msg and service, nothing else by default', () => {
    const { logger, lines } = capture({ serviceName: 'svc', level: 'info' });
    logger.info('hello');
    logger.debug('hidden');
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(typeof line?.time === 'string' && !Number.isNaN(Date.parse(line.time))).toBe(true);
    expect({ ...line, time: 'T' }).toStrictEqual({ level: 'info', time: 'T', service: 'svc', msg: 'hello' });
  });

  it('adds request id, correlation id, trace id and span id from the current context', () => {
    const { logger, lines } = capture({ serviceName: 'svc', level: 'info' });
    const tracer = provider.getTracer('t');
    let ids: { traceId: string; spanId: string } | undefined;
    runWithRequestContext({ requestId: 'req-1', correlationId: 'corr-9' }, () => {
      tracer.startActiveSpan('op', (span) => {
        ids = span.spanContext();
        logger.info('inside');
        span.end();
      });
      logger.warn('outside span');
    });
    logger.info('no context');
    expect(lines.map(({ time: _t, ...rest }) => rest)).toStrictEqual([
      { level: 'info', service: 'svc', request_id: 'req-1', correlation_id: 'corr-9', trace_id: ids?.traceId, span_id: ids?.spanId, msg: 'inside' },
      { level: 'warn', service: 'svc', request_id: 'req-1', correlation_id: 'corr-9', msg: 'outside span' },
      { level: 'info', service: 'svc', msg: 'no context' },
    ]);
  });

  it('redacts credentials, cookies and bodies', () => {
    const { logger, lines } = capture({ serviceName: 'svc', level: 'info' });
    logger.info(
      { headers: { authorization: 'Bearer abc', cookie: 'sid=1', accept: 'json' }, user: { password: 'p', name: 'n' }, mongodbUri: 'mongodb://u:p@h', body: { big: 1 } },
      'req',
    );
    expect(lines[0]).toMatchObject({
      headers: { authorization: '[Redacted]', cookie: '[Redacted]', accept: 'json' },
      user: { password: '[Redacted]', name: 'n' },
      mongodbUri: '[Redacted]',
      body: '[Redacted]',
    });
    expect(redactUri('mongodb://admin:s3cret@db-0:27017/x?authSource=admin')).toBe('mongodb://***@db-0:27017/x?authSource=admin');
    expect(redactUri('mongodb://db-0:27017/x')).toBe('mongodb://db-0:27017/x');
  });

  it('samples debug lines at the configured rate and keeps other levels', () => {
    let n = 0;
    const { logger, lines } = capture({ serviceName: 'svc', level: 'debug', debugSampleRate: 0.25, random: () => (n++ % 4) / 4 });
    for (let i = 0; i < 8; i += 1) logger.debug({ i }, 'noisy');
    logger.info('kept');
    expect(lines.map((l) => [l.msg, l.i])).toStrictEqual([
      ['noisy', 0],
      ['noisy', 4],
      ['kept', undefined],
    ]);
  });
});
