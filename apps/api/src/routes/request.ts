import type { Context } from 'koa';
import * as v from 'valibot';
import {
  LimitSchema,
  MAX_SEARCH_LIMIT,
  NAME_RULE_MESSAGE,
  OffsetSchema,
  isValidName,
  parseOrThrow,
  toQueryInteger,
} from '@globeco/portfolio-core';
import { HttpError, type IssueLocation } from '../http/errors.js';

/** Parses a value with a core schema; issues become a 422 whose `loc` starts with `location`. */
export function parseIn<TSchema extends v.GenericSchema>(
  ctx: Context,
  location: IssueLocation,
  schema: TSchema,
  input: unknown,
): v.InferOutput<TSchema> {
  ctx.state.issueLocation = location;
  return parseOrThrow(schema, input);
}

/** A query parameter's value: the last one when repeated (like the original), undefined when absent. */
export function queryValue(ctx: Context, name: string): string | undefined {
  const raw = ctx.query[name];
  return Array.isArray(raw) ? raw.at(-1) : raw;
}

/** Search messages that differ between the v2 and fast surfaces. */
export interface SearchMessages {
  /** Range violations of limit/offset answer 400 with these messages instead of 422. */
  readonly rangeAs400: boolean;
}

const SearchNumbersSchema = v.object({ limit: v.optional(LimitSchema), offset: v.optional(OffsetSchema) });

const BAD_REQUEST = (detail: string): HttpError => new HttpError({ status: 400, detail });

/** Search query in the typed form the core service validates. */
export interface SearchInput {
  readonly name?: string;
  readonly name_like?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/**
 * Reads `name`, `name_like`, `limit`, `offset` of a search: numbers are checked first (422, or 400
 * on the fast path for out-of-range values), then the original's 400s for the name parameters.
 */
export function parseSearchQuery(ctx: Context, messages: SearchMessages): SearchInput {
  const name = queryValue(ctx, 'name');
  const nameLike = queryValue(ctx, 'name_like');
  const limit = toQueryInteger(queryValue(ctx, 'limit'));
  const offset = toQueryInteger(queryValue(ctx, 'offset'));

  if (messages.rangeAs400) {
    if (typeof limit === 'number' && (limit < 1 || limit > MAX_SEARCH_LIMIT)) {
      throw BAD_REQUEST(`Limit must be between 1 and ${MAX_SEARCH_LIMIT}`);
    }
    if (typeof offset === 'number' && offset < 0) throw BAD_REQUEST('Offset must be non-negative');
  }
  const numbers = parseIn(ctx, 'query', SearchNumbersSchema, {
    ...(limit === undefined ? {} : { limit }),
    ...(offset === undefined ? {} : { offset }),
  });
  if (name !== undefined && nameLike !== undefined) {
    throw BAD_REQUEST('Only one search parameter allowed: name or name_like');
  }
  const text = name ?? nameLike;
  if (text === undefined) return numbers;
  if (text.trim() === '') throw BAD_REQUEST('Search parameter cannot be empty');
  if (!isValidName(text)) throw BAD_REQUEST(NAME_RULE_MESSAGE);
  return name !== undefined ? { ...numbers, name } : { ...numbers, name_like: text };
}
