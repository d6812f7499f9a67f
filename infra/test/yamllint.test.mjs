// yamllint over every YAML file of infra/ with infra/.yamllint, warnings included.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infraDir } from './lib/paths.mjs';
import { findTool, run } from './lib/tools.mjs';

const yamllint = findTool('yamllint', ['--version']);

describe.skipIf(!yamllint.ok)(`yamllint (${yamllint.version || yamllint.reason})`, () => {
  it('finds no problem in infra/', () => {
    const result = run('yamllint', ['--strict', '-c', '.yamllint', '-f', 'parsable', '.'], { cwd: infraDir });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('reports problems with the same configuration (the check has teeth)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'globeco-yamllint-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), 'enabled: yes\nname:   x\n');
      const result = run('yamllint', ['--strict', '-c', join(infraDir, '.yamllint'), '-f', 'parsable', join(dir, 'bad.yaml')]);
      expect(result.status).not.toBe(0);
      expect(result.stdout).toMatch(/\(truthy\)[\s\S]*\(colons\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
