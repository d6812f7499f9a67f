import { describe, expect, it } from 'vitest';
import { resolveRequestId } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('resolveRequestId', () => {
  it('honours a well-formed X-Request-ID, then X-Correlation-ID', () => {
    expect(resolveRequestId('abc-123._:X', undefined)).toBe('abc-123._:X');
    expect(resolveRequestId(undefined, 'corr-1')).toBe('corr-1');
    expect(resolveRequestId('req-1', 'corr-1')).toBe('req-1');
    expect(resolveRequestId('bad id', 'corr-1')).toBe('corr-1');
    expect(resolveRequestId('x'.repeat(128), undefined)).toBe('x'.repeat(128));
  });

  it('generates a UUID for missing or malformed ids', () => {
    for (const id of [undefined, '', 'x'.repeat(129), 'a b', 'a\nb', '<script>', 'ü']) {
      expect(resolveRequestId(id, id)).toMatch(UUID);
    }
  });
});
