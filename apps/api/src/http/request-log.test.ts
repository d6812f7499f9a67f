import { describe, expect, it } from 'vitest';
import { createRateLimit, describeError, isClientCaused } from './request-log.js';

describe('describeError', () => {
  it('keeps type, code, message and stack frames of an error and its causes, and nothing else', () => {
    const parse = Object.assign(new Error('Parse Error: Invalid character in chunk size'), {
      code: 'HPE_INVALID_CHUNK_SIZE',
      rawPacket: Buffer.from('Authorization: Bearer s3cret'),
      bytesParsed: 12,
    });
    const driver = Object.assign(new Error('E11000 duplicate key error dup key: { name: "Secret Fund" }'), {
      name: 'MongoServerError',
      code: 11000,
      codeName: 'DuplicateKey',
      keyValue: { name: 'Secret Fund' },
    });
    const wrapper = new Error('Database operation insertOne failed with "Secret Fund"', { cause: driver });
    const described = describeError(wrapper);
    const text = JSON.stringify([described, describeError(parse)]);
    expect(text).not.toContain('Secret Fund');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('rawPacket');
    expect(text).not.toContain('keyValue');
    expect(described).toStrictEqual({
      type: 'Error',
      message: 'Database operation insertOne failed with "…"',
      stack: expect.stringMatching(/^ {4}at /) as string,
      cause: {
        type: 'MongoServerError',
        message: 'E11000 duplicate key error dup key: {…}',
        code: 11000,
        codeName: 'DuplicateKey',
        stack: expect.stringMatching(/^ {4}at /) as string,
      },
    });
    expect(describeError('thrown text')).toStrictEqual({ type: 'string' });
  });
});

describe('isClientCaused', () => {
  it.each([
    [Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_EOF_STATE' }), true],
    [Object.assign(new Error('request aborted'), { code: 'ECONNABORTED', type: 'request.aborted' }), true],
    [Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), true],
    [Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }), true],
    [new Error('boom'), false],
    [Object.assign(new Error('timed out'), { code: 'TIMEOUT' }), false],
    [null, false],
  ])('%s → %s', (error, expected) => {
    expect(isClientCaused(error)).toBe(expected);
  });
});

describe('createRateLimit', () => {
  it('lets a key through once per interval and reports how many were held back', () => {
    let now = 0;
    const allow = createRateLimit(10_000, () => now);
    expect(allow('a')).toBe(0);
    expect([allow('a'), allow('a'), allow('b')]).toStrictEqual([undefined, undefined, 0]);
    now = 9_999;
    expect(allow('a')).toBeUndefined();
    now = 10_000;
    expect(allow('a')).toBe(3);
    expect(allow('a')).toBeUndefined();
  });
});
