import { createRequire, register } from 'node:module';

const KEY = Symbol.for('@globeco/telemetry.loader-hook');
const require = createRequire(import.meta.url);

/** Modules instrumented through the ESM loader hook (others pass through untouched). */
export const HOOKED_MODULES: readonly string[] = ['mongodb'];

interface SyncHooks {
  register(options: { include: string[] }): void;
  supportsSyncHooks(): boolean;
}

/**
 * Registers the import-in-the-middle loader hook (once per process) so that modules imported
 * afterwards — `await import('mongodb')` — can be instrumented; returns false when it could not be.
 * It runs in-thread through `module.registerHooks()` (no loader thread, no deprecation warning);
 * only a Node.js whose synchronous hooks cannot run it gets the older `module.register()` hook.
 */
export function registerLoaderHook(): boolean {
  const g = globalThis as { [KEY]?: boolean };
  if (g[KEY] === true) return true;
  try {
    // Loaded here, not at import: the hook's parser is only needed once tracing starts.
    const hooks = require('import-in-the-middle/register-hooks.mjs') as SyncHooks;
    if (hooks.supportsSyncHooks()) hooks.register({ include: [...HOOKED_MODULES] });
    else register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: [...HOOKED_MODULES] } });
    g[KEY] = true;
    return true;
  } catch {
    return false;
  }
}
