import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findReferencePython, referencePythonCandidates } from './reference.js';

function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('referencePythonCandidates', () => {
  it('tries BENCH_PYTHON, then the bench venv when it exists, then python3', () => {
    const benchDir = mkdtempSync(join(tmpdir(), 'bench-ref-'));
    expect(referencePythonCandidates(benchDir, { BENCH_PYTHON: '/no/such/python' })).toStrictEqual(['python3']);
    mkdirSync(join(benchDir, 'reference', '.venv', 'bin'), { recursive: true });
    const venv = script(join(benchDir, 'reference', '.venv', 'bin'), 'python', 'exit 1');
    const own = script(benchDir, 'py', 'exit 1');
    expect(referencePythonCandidates(benchDir, { BENCH_PYTHON: own })).toStrictEqual([own, venv, 'python3']);
  });
});

describe('findReferencePython', () => {
  it('skips interpreters that lack a module and reports the versions of the first that has them all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-ref-'));
    const missing = script(dir, 'missing', 'echo "ModuleNotFoundError: No module named fastapi" >&2; exit 1');
    const good = script(dir, 'good', 'echo "Python 3.11.2, fastapi 0.142.2, uvicorn 0.54.0"');
    expect(findReferencePython([missing, join(dir, 'absent'), good])).toStrictEqual({ python: good, versions: 'Python 3.11.2, fastapi 0.142.2, uvicorn 0.54.0' });
    expect(findReferencePython([missing])).toBeUndefined();
  });
});
