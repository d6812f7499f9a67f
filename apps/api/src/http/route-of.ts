import type { Context } from 'koa';

// No import of @globeco/portfolio-core here, directly or not: observability.ts uses this module,
// and main.ts loads observability.ts before telemetry instruments the MongoDB driver.

/**
 * The route pattern a request is counted and logged under: the matched route, else the first route
 * whose path matched (the method was not allowed), else undefined (an unknown path). Never the raw
 * path, which may carry anything a client put there.
 */
export function routeOf(ctx: Context): string | undefined {
  const c = ctx as { _matchedRoute?: unknown; matched?: readonly { path?: unknown; methods?: readonly string[] }[] };
  if (typeof c._matchedRoute === 'string') return c._matchedRoute;
  const known = c.matched?.find((layer) => typeof layer.path === 'string' && (layer.methods?.length ?? 0) > 0);
  return typeof known?.path === 'string' ? known.path : undefined;
}
