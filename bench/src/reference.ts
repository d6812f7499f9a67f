/**
 * The original's stack as a baseline: FastAPI + Motor on one uvicorn worker (bench/reference/),
 * started with whichever Python has its packages. Optional: when no such Python exists the step
 * is skipped with the command that sets one up.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpVariant } from './environment.js';
import { pin, stopChild, waitForLine } from './processes.js';

/** Modules the reference server imports. */
const MODULES = ['fastapi', 'uvicorn', 'uvloop', 'httptools', 'motor', 'pydantic'] as const;

/** How to make the reference runnable, printed when it is not. */
export const REFERENCE_SETUP = 'python3 -m venv bench/reference/.venv && bench/reference/.venv/bin/pip install -r bench/reference/requirements.txt';

/** A Python able to run the reference server, and the versions of what it runs. */
export interface ReferencePython {
  readonly python: string;
  /** e.g. `Python 3.11.2, fastapi 0.142.2, uvicorn 0.54.0, …`. */
  readonly versions: string;
}

/** Pythons to try, in order: `BENCH_PYTHON`, bench/reference/.venv, `python3` on the PATH (paths that do not exist left out). */
export function referencePythonCandidates(benchDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.BENCH_PYTHON, join(benchDir, 'reference', '.venv', 'bin', 'python'), 'python3'].filter(
    (c): c is string => c !== undefined && c !== '' && (!c.includes('/') || existsSync(c)),
  );
}

/** The first of `candidates` that imports every module the reference needs; undefined when none does. */
export function findReferencePython(candidates: readonly string[]): ReferencePython | undefined {
  const probe = `import sys, importlib.metadata as m; print('Python ' + sys.version.split()[0] + ', ' + ', '.join(n + ' ' + m.version(n) for n in ${JSON.stringify(MODULES)}))`;
  for (const python of candidates) {
    try {
      const versions = execFileSync(python, ['-c', probe], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim();
      return { python, versions };
    } catch {
      // missing interpreter or module: try the next one
    }
  }
  return undefined;
}

/** Starts the FastAPI + Motor server on a free port, pinned like the other servers under test. */
export async function startFastapiReference(
  python: string,
  benchDir: string,
  mongoUri: string,
  collection: { readonly database: string; readonly name: string },
  cpu: number | undefined,
): Promise<HttpVariant> {
  const child = spawn(python, [join(benchDir, 'reference', 'fastapi_motor.py')], {
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      MONGODB_URI: mongoUri,
      MONGODB_DATABASE: collection.database,
      MONGODB_COLLECTION: collection.name,
      PYTHONUNBUFFERED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  if (cpu !== undefined && child.pid !== undefined) pin(child.pid, cpu);
  try {
    const [, port] = await waitForLine(child, /^listening (\d+)/, 30_000, 'fastapi-reference');
    return { url: `http://127.0.0.1:${port!}`, child };
  } catch (error) {
    await stopChild(child);
    throw new Error(`${(error as Error).message}${stderr === '' ? '' : `: ${stderr.trim()}`}`);
  }
}
