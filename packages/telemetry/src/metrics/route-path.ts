const OBJECT_ID = /^[0-9a-f]{24}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LONG_NUMBER = /^\d{6,}$/;

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

/** Replaces ObjectIds, UUIDs and long numbers in a raw URL path by `{id}` and drops the query string. */
export function sanitizePath(path: string): string {
  const q = path.indexOf('?');
  const bare = q === -1 ? path : path.slice(0, q);
  if (bare === '' || bare === '/') return '/';
  const parts = bare.split('/');
  for (let i = 0; i < parts.length; i += 1) {
    const p = parts[i] ?? '';
    if (OBJECT_ID.test(p) || UUID.test(p) || LONG_NUMBER.test(p)) parts[i] = '{id}';
  }
  return parts.join('/');
}
