import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { parseOrThrow, toQueryInteger } from './issues.js';
import {
  JSON_SCHEMA_OPTIONS,
  ObjectIdSchema,
  PaginationJsonSchema,
  PortfolioBulkCreateSchema,
  PortfolioCreateSchema,
  PortfolioJsonSchema,
  PortfolioSearchQuerySchema,
  PortfolioUpdateSchema,
} from './schemas.js';

function issuesOf(schema: v.GenericSchema, input: unknown): unknown {
  try {
    parseOrThrow(schema, input);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('PortfolioCreateSchema', () => {
  it('trims the name, parses offsets, treats null as absent and drops unknown keys', () => {
    const out = v.parse(PortfolioCreateSchema, {
      name: '  Growth  ',
      dateCreated: '2024-01-15T12:30:00+02:00',
      version: null,
      portfolioId: '65a1b2c3d4e5f6a7b8c9d0e1',
      _id: 'x',
      extra: true,
    });
    expect(out).toStrictEqual({ name: 'Growth', dateCreated: new Date('2024-01-15T10:30:00.000Z'), version: null });
  });

  it('reports every problem with path, type and input', () => {
    expect(issuesOf(PortfolioCreateSchema, { dateCreated: 'soon', version: 0 })).toStrictEqual([
      { path: ['name'], message: 'Field required: name', type: 'missing' },
      { path: ['dateCreated'], message: 'Date must be an ISO 8601 date-time', type: 'datetime_parsing', input: 'soon' },
      { path: ['version'], message: 'Version must be at least 1', type: 'greater_than_equal', input: 0, limit: 1 },
    ]);
    expect(issuesOf(PortfolioCreateSchema, { name: 7, version: '1' })).toStrictEqual([
      { path: ['name'], message: 'Name must be a string', type: 'string_type', input: 7 },
      { path: ['version'], message: 'Version must be an integer', type: 'int_type', input: '1' },
    ]);
    expect(issuesOf(PortfolioCreateSchema, 'text')).toStrictEqual([
      { path: [], message: 'Portfolio must be an object', type: 'model_type', input: 'text' },
    ]);
  });

  it('classifies name-rule failures', () => {
    const types = ['', '   ', 'x'.repeat(201), 'a$b', 'naïve'].map(
      (name) => (issuesOf(PortfolioCreateSchema, { name }) as { type: string }[])[0]?.type,
    );
    expect(types).toStrictEqual([
      'string_too_short',
      'string_too_short',
      'string_too_long',
      'string_pattern_mismatch',
      'string_pattern_mismatch',
    ]);
  });

  it('rejects impossible dates and fractional versions', () => {
    expect(issuesOf(PortfolioCreateSchema, { name: 'a', dateCreated: '2024-02-30T00:00:00Z', version: 1.5 })).toStrictEqual([
      {
        path: ['dateCreated'],
        message: 'Date must be a valid ISO 8601 date-time',
        type: 'datetime_parsing',
        input: '2024-02-30T00:00:00Z',
      },
      { path: ['version'], message: 'Version must be an integer', type: 'int_from_float', input: 1.5 },
    ]);
  });
});

describe('other schemas', () => {
  it('lower-cases ids and accepts upper-case hex', () => {
    expect(v.parse(ObjectIdSchema, '65A1B2C3D4E5F6A7B8C9D0E1')).toBe('65a1b2c3d4e5f6a7b8c9d0e1');
    expect(issuesOf(ObjectIdSchema, '65a1')).toStrictEqual([
      { path: [], message: 'Portfolio id must be 24 hexadecimal digits', type: 'object_id_format', input: '65a1' },
    ]);
  });

  it('requires portfolioId, name and version on update', () => {
    expect(issuesOf(PortfolioUpdateSchema, {})).toStrictEqual([
      { path: ['portfolioId'], message: 'Field required: portfolioId', type: 'missing' },
      { path: ['name'], message: 'Field required: name', type: 'missing' },
      { path: ['version'], message: 'Field required: version', type: 'missing' },
    ]);
  });

  it('fills search defaults and bounds limit and offset', () => {
    expect(v.parse(PortfolioSearchQuerySchema, {})).toStrictEqual({ limit: 50, offset: 0 });
    expect(issuesOf(PortfolioSearchQuerySchema, { limit: 1001, offset: 0.5 })).toStrictEqual([
      { path: ['limit'], message: 'Limit must be between 1 and 1000', type: 'less_than_equal', input: 1001, limit: 1000 },
      { path: ['offset'], message: 'Offset must be an integer', type: 'int_from_float', input: 0.5 },
    ]);
    expect(issuesOf(PortfolioSearchQuerySchema, { limit: 0 })).toStrictEqual([
      { path: ['limit'], message: 'Limit must be between 1 and 1000', type: 'greater_than_equal', input: 0, limit: 1 },
    ]);
  });

  it('converts query-string integers only when written as plain integers', () => {
    expect(['10', '-3', '+4', '10.5', '1e3', 'abc', '', 7, undefined].map(toQueryInteger)).toStrictEqual([
      10,
      -3,
      4,
      '10.5',
      '1e3',
      'abc',
      '',
      7,
      undefined,
    ]);
  });

  it('prefixes paths for batch items', () => {
    expect(() => parseOrThrow(PortfolioCreateSchema, {}, [4])).toThrow(ValidationError);
    try {
      parseOrThrow(PortfolioCreateSchema, {}, [4]);
    } catch (error) {
      expect((error as ValidationError).issues[0]?.path).toStrictEqual([4, 'name']);
    }
  });
});

describe('JSON Schema conversion', () => {
  it('converts every exported input schema with JSON_SCHEMA_OPTIONS', () => {
    const create = toJsonSchema(PortfolioCreateSchema, { ...JSON_SCHEMA_OPTIONS, target: 'openapi-3.0' });
    expect(create).toMatchObject({
      type: 'object',
      title: 'PortfolioCreate',
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: '^\\s*[A-Za-z0-9_-](?:[A-Za-z0-9 _-]{0,198}[A-Za-z0-9_-])?\\s*$' },
        dateCreated: { type: 'string', nullable: true },
        version: { type: 'integer', minimum: 1, nullable: true },
      },
    });
    expect(toJsonSchema(PortfolioUpdateSchema, JSON_SCHEMA_OPTIONS)).toMatchObject({
      required: ['portfolioId', 'name', 'version'],
      properties: { portfolioId: { type: 'string', pattern: '^[0-9a-fA-F]{24}$' } },
    });
    expect(toJsonSchema(PortfolioSearchQuerySchema, JSON_SCHEMA_OPTIONS)).toMatchObject({
      properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, offset: { minimum: 0, default: 0 } },
    });
    expect(toJsonSchema(PortfolioBulkCreateSchema, JSON_SCHEMA_OPTIONS)).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: 100,
    });
    expect(toJsonSchema(PortfolioJsonSchema)).toMatchObject({
      properties: { dateCreated: { type: 'string', format: 'date-time' } },
    });
    expect(toJsonSchema(PaginationJsonSchema)).toMatchObject({ required: expect.arrayContaining(['hasNext']) as unknown });
  });
});
