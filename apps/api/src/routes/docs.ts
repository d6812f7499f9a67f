import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Router } from '@koa/router';
import type { Middleware } from 'koa';
import * as v from 'valibot';
import type { OpenApiDocument } from '../openapi/document.js';
import { createSurfaceRouter, type RouteSpec } from './route-spec.js';

/** Files of swagger-ui-dist the docs page loads; nothing else of the package is served. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Route table of the documentation. */
export const DOCS_ROUTES = [
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'OpenAPI 3.1 document of this service',
    tag: 'docs',
    responses: { 200: { description: 'The document', schema: v.looseObject({ openapi: v.string() }) } },
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'docsPage',
    summary: 'Browsable API documentation (Swagger UI)',
    tag: 'docs',
    responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
  },
  {
    method: 'get',
    path: '/docs/init.js',
    operationId: 'docsInit',
    summary: 'Script that starts Swagger UI on /openapi.json',
    tag: 'docs',
    responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } },
    hidden: true,
  },
  {
    method: 'get',
    path: '/docs/assets/:file',
    operationId: 'docsAsset',
    summary: 'Bundled Swagger UI files',
    tag: 'docs',
    params: { file: v.picklist(Object.keys(ASSETS)) },
    responses: {
      200: { description: 'Static file', contentType: 'application/octet-stream' },
      404: { description: 'Unknown file' },
    },
    hidden: true,
  },
] as const satisfies readonly RouteSpec[];

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>GlobeCo Portfolio Service — API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

/** Directory of the installed swagger-ui-dist package. */
function swaggerUiDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/** Creates the router of `/openapi.json` and `/docs` (served from node_modules, works offline). */
export function createDocsRouter(document: OpenApiDocument): Router {
  const dir = swaggerUiDir();
  const json = JSON.stringify(document);
  const handlers = {
    openapi: (ctx) => {
      ctx.type = 'application/json';
      ctx.body = json;
    },
    docsPage: (ctx) => {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = PAGE;
    },
    docsInit: (ctx) => {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.body = INIT;
    },
    docsAsset: (ctx) => {
      const { file = '' } = ctx.params as { file?: string };
      const type = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
      if (type === undefined) {
        ctx.status = 404;
        ctx.body = { detail: 'Not Found' };
        return;
      }
      ctx.type = type;
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.body = createReadStream(join(dir, file));
    },
  } satisfies Record<(typeof DOCS_ROUTES)[number]['operationId'], Middleware>;
  return createSurfaceRouter('other', DOCS_ROUTES, handlers);
}
