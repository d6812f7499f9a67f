import { DOCS_ROUTES } from '../routes/docs.js';
import { FAST_ROUTES } from '../routes/fast.js';
import { HEALTH_ROUTES } from '../routes/health.js';
import { ROOT_ROUTES } from '../routes/root.js';
import type { RouteSpec } from '../routes/route-spec.js';
import { V1_ROUTES } from '../routes/v1.js';
import { V2_ROUTES } from '../routes/v2.js';
import { createOpenApiDocument, type OpenApiDocument } from './document.js';

/** Every route table of the service, in documentation order. */
export const ROUTE_TABLES: readonly (readonly RouteSpec[])[] = [V1_ROUTES, V2_ROUTES, FAST_ROUTES, HEALTH_ROUTES, ROOT_ROUTES, DOCS_ROUTES];

/** Builds the service's OpenAPI 3.1 document. */
export function createApiDocument(version: string): OpenApiDocument {
  return createOpenApiDocument(
    {
      title: 'GlobeCo Portfolio Service',
      version,
      description: 'Portfolio CRUD on MongoDB: v1 (single items), v2 (search and bulk create) and the fast path.',
    },
    ROUTE_TABLES,
  );
}
