import type { Context } from 'koa';

/**
 * The route pattern a failed request is logged under (telemetry's middleware labels metrics and access lines the same way): the matched route, else the first route
 * whose path matched (the method was not allowed), else undefined (an unknown path). Never the raw
 * path, which may carry anything a client put there.
 */
export function routeOf(ctx: Context): string | undefined {
  const c = ctx as { _matchedRoute?: unknown; matched?: readonly { path?: unknown; methods?: readonly string[] }[] };
  if (typeof c._matchedRoute === 'string') return c._matchedRoute;
  const known = c.matched?.find((layer) => typeof layer.path === 'string' && (layer.methods?.length ?? 0) > 0);
  return typeof known?.path === 'string' ? known.path : undefined;
}
