const routeCache = new Map<string, string>();
const MAX_ROUTES = 1_000;

/** Converts a router pattern (`/portfolio/:portfolioId`) to the label form (`/portfolio/{portfolioId}`), cached per pattern. */
export function toRoutePattern(route: string): string {
  let out = routeCache.get(route);
  if (out === undefined) {
    out = route.replace(/:([A-Za-z_$][\w$]*)(\([^)]*\))?[?*+]?/g, '{$1}');
    if (routeCache.size < MAX_ROUTES) routeCache.set(route, out);
  }
  return out;
}
