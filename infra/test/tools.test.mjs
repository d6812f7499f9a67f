// A missing external tool skips its tests with a printed reason, except under CI=true.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findTool } from './lib/tools.mjs';

describe('findTool', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('reports a missing tool and prints why its tests are skipped', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const tool = findTool('globeco-no-such-tool');
    expect(tool.ok).toBe(false);
    expect(tool.reason).toMatch(/^globeco-no-such-tool is not available/);
    expect(warn).toHaveBeenCalledWith(`[infra] skipping tests that need globeco-no-such-tool: ${tool.reason}`);
  });

  it('throws when CI=true', () => {
    vi.stubEnv('CI', 'true');
    expect(() => findTool('globeco-no-such-tool')).toThrow(/globeco-no-such-tool is not available .*CI=true requires it\./);
  });

  it('finds a present tool and its version', () => {
    expect(findTool('node', ['--version'])).toStrictEqual({ ok: true, reason: '', version: process.version });
  });
});
