import { describe, expect, it } from 'vitest';
import { createRateLimitedDiagLogger } from './diag-log.js';

describe('createRateLimitedDiagLogger', () => {
  it('writes a repeated message once per interval and reports how many were suppressed', () => {
    let now = 0;
    const lines: [string, string, number][] = [];
    const diag = createRateLimitedDiagLogger((level, message, suppressed) => lines.push([level, message, suppressed]), 60_000, () => now);
    for (let i = 0; i < 100; i += 1) diag.error('export failed', new Error('ECONNREFUSED'));
    diag.warn('other problem');
    diag.info('ignored');
    diag.debug('ignored');
    now = 59_999;
    diag.error('export failed', new Error('ECONNREFUSED'));
    now = 60_000;
    diag.error('export failed', new Error('ECONNREFUSED'));
    expect(lines).toStrictEqual([
      ['error', 'export failed ECONNREFUSED', 0],
      ['warn', 'other problem', 0],
      ['error', 'export failed ECONNREFUSED', 100],
    ]);
  });
});
