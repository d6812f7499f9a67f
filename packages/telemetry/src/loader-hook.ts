import { register } from 'node:module';

const KEY = Symbol.for('@globeco/telemetry.loader-hook');

/** Modules instrumented through the ESM loader hook (others pass through untouched). */
export const HOOKED_MODULES: readonly string[] = ['koa', 'mongodb'];

/**
 * Registers the import-in-the-middle ESM loader hook (once per process) so that modules imported
 * afterwards — `await import('koa')` — can be instrumented; returns false when it could not be.
 */
export function registerLoaderHook(): boolean {
  const g = globalThis as { [KEY]?: boolean };
  if (g[KEY] === true) return true;
  try {
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: [...HOOKED_MODULES] } });
    g[KEY] = true;
    return true;
  } catch {
    return false;
  }
}
