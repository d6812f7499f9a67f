import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Scratch folder of this test run: tools fetched from the registry, workspace copies. */
    runDir: string;
  }
}

/** Vitest global setup: one scratch folder per run, removed at the end (kept with GLOBECO_KEEP_RUN_DIR=1). */
export default function setup(project: TestProject): () => void {
  const runDir = mkdtempSync(join(tmpdir(), 'globeco-workspace-scripts-'));
  project.provide('runDir', runDir);
  return () => {
    if (process.env.GLOBECO_KEEP_RUN_DIR === '1') console.log(`kept ${runDir}`);
    else rmSync(runDir, { recursive: true, force: true });
  };
}
