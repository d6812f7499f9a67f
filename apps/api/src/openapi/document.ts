import { JSON_SCHEMA_OPTIONS } from '@globeco/portfolio-core';
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import type { RouteSpec } from '../routes/route-spec.js';

/** An OpenAPI 3.1 document (kept loose: it is produced, then served as JSON). */
export type OpenApiDocument = Record<string, unknown> & { readonly paths: Record<string, Record<string, unknown>> };

/** Information placed in the document's `info` block. */
export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description: string;
}

type JsonSchema = Record<string, unknown>;

/** Converts a valibot schema to JSON Schema 2020-12 (the dialect of OpenAPI 3.1), input side. */
export function toSchema(schema: v.GenericSchema): JsonSchema {
  // The core's options document the input side; remaining transformations (date parsing) have no
  // JSON Schema form and are skipped.
  const json = toJsonSchema(schema, {
    ...JSON_SCHEMA_OPTIONS,
    ignoreActions: [...JSON_SCHEMA_OPTIONS.ignoreActions],
    target: 'draft-2020-12',
    errorMode: 'ignore',
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** Turns a Koa path (`/portfolio/:id`) into an OpenAPI path template (`/portfolio/{id}`). */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

const detailSchema: JsonSchema = {
  type: 'object',
  properties: { detail: { type: 'string' } },
  required: ['detail'],
};

const validationErrorSchema: JsonSchema = {
  type: 'object',
  properties: {
    detail: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          loc: { type: 'array', items: { type: ['string', 'integer'] } },
          msg: { type: 'string' },
          type: { type: 'string' },
        },
        required: ['loc', 'msg', 'type'],
      },
    },
  },
  required: ['detail'],
};

function queryParameters(spec: RouteSpec): unknown[] {
  const out: unknown[] = [];
  // A piped schema (object + title) keeps its object schema first.
  const root = spec.query as { entries?: Record<string, v.GenericSchema>; pipe?: unknown[] } | undefined;
  const query = (root?.entries ? root : root?.pipe?.[0]) as { entries?: Record<string, v.GenericSchema> } | undefined;
  for (const [name, schema] of Object.entries(query?.entries ?? {})) {
    const json = toSchema(schema);
    const optional = (schema as { type?: string }).type === 'optional';
    out.push({ name, in: 'query', required: !optional, schema: json });
  }
  return out;
}

function responses(spec: RouteSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const entry: Record<string, unknown> = { description: response.description };
    if (response.schema) {
      entry.content = { 'application/json': { schema: toSchema(response.schema) } };
    } else if (response.contentType) {
      entry.content = { [response.contentType]: { schema: { type: 'string' }, example: response.example } };
    } else if (Number(status) >= 400) {
      const media: Record<string, unknown> = { schema: Number(status) === 422 ? validationErrorSchema : detailSchema };
      if (response.errors) {
        media.examples = Object.fromEntries(response.errors.map((e) => [e.summary, { summary: e.summary, value: { detail: e.detail } }]));
      }
      entry.content = { 'application/json': media };
    }
    if (response.headers) {
      entry.headers = Object.fromEntries(
        Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
      );
    }
    out[status] = entry;
  }
  return out;
}

/** Builds the OpenAPI 3.1 document from the route tables (whose schemas the handlers use). */
export function createOpenApiDocument(info: OpenApiInfo, routeTables: readonly (readonly RouteSpec[])[]): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  for (const spec of routeTables.flat()) {
    if (spec.hidden === true) continue;
    tags.add(spec.tag);
    const path = toOpenApiPath(spec.path);
    const parameters = [
      ...Object.entries(spec.params ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: toSchema(schema) })),
      ...queryParameters(spec),
    ];
    const operation: Record<string, unknown> = {
      operationId: spec.operationId,
      summary: spec.summary,
      tags: [spec.tag],
      responses: responses(spec),
    };
    if (parameters.length > 0) operation.parameters = parameters;
    if (spec.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: toSchema(spec.body) } } };
    }
    paths[path] = { ...paths[path], [spec.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: '/' }],
    tags: [...tags].map((name) => ({ name })),
    paths,
  };
}
