import * as v from 'valibot';
import {
  BULK_MAX_ITEMS,
  DATE_RANGE_MESSAGE,
  DATE_TIME_PATTERN,
  DEFAULT_SEARCH_LIMIT,
  MAX_SEARCH_LIMIT,
  NAME_PATTERN,
  NAME_RULE_MESSAGE,
  OBJECT_ID_PATTERN,
  isInDateRange,
  parseDateTime,
} from './rules.js';

/**
 * Portfolio name: 1–200 characters after trimming (ASCII letters, digits, spaces, `-`, `_`);
 * the output is trimmed. The rule is checked before the trim so JSON Schema (input mode) keeps it.
 */
export const PortfolioNameSchema = v.pipe(
  v.string('Name must be a string'),
  v.title('Portfolio name'),
  v.description('1-200 characters after trimming: letters, digits, spaces, hyphens and underscores.'),
  v.examples(['Growth Fund 2024']),
  v.regex(NAME_PATTERN, NAME_RULE_MESSAGE),
  v.trim(),
);

/** Portfolio id: 24 hex digits (upper case accepted); the output is lower case. */
export const ObjectIdSchema = v.pipe(
  v.string('Portfolio id must be a string'),
  v.title('Portfolio id'),
  v.description('MongoDB ObjectId as 24 hexadecimal digits.'),
  v.examples(['65a1b2c3d4e5f6a7b8c9d0e1']),
  v.regex(OBJECT_ID_PATTERN, 'Portfolio id must be 24 hexadecimal digits'),
  v.toLowerCase(),
);

/** The date-time text rule, stated on the string so JSON Schema carries it. */
const dateTimeText = v.regex<string, string>(DATE_TIME_PATTERN, 'Date must be an ISO 8601 date-time');

/**
 * Turns date-time text (or a `Date` given by a program) into the instant, and rejects calendar
 * impossibilities and instants outside years 0001-9999 UTC, each with its own message.
 */
function toCreationInstant<TInput extends string | Date>() {
  return v.rawTransform<TInput, Date>(({ dataset, addIssue, NEVER }) => {
    const value: string | Date = dataset.value;
    const date = typeof value === 'string' ? parseDateTime(value) : value;
    if (date === undefined) {
      addIssue({ message: 'Date must be a valid ISO 8601 date-time' });
      return NEVER;
    }
    if (!isInDateRange(date)) {
      addIssue({ message: DATE_RANGE_MESSAGE });
      return NEVER;
    }
    return date;
  });
}

/**
 * ISO 8601 date-time text turned into a `Date`: an offset is honoured, none means UTC; the instant
 * must lie in years 0001-9999 UTC.
 */
export const DateTimeSchema = v.pipe(
  v.string('Date must be an ISO 8601 string'),
  v.title('Date-time'),
  v.description('ISO 8601 date-time; an offset is honoured, none means UTC. Years 0001-9999 (UTC).'),
  v.examples(['2024-01-15T10:30:00.000Z']),
  dateTimeText,
  toCreationInstant<string>(),
);

/** Like {@link DateTimeSchema}, and a `Date` is accepted too (the service's programmatic callers). */
export const DateOrDateTimeSchema = v.pipe(
  v.union([v.date(), v.pipe(v.string(), dateTimeText)], 'Date must be an ISO 8601 date-time'),
  toCreationInstant<string | Date>(),
);

/** Optimistic-concurrency version: a safe integer ≥ 1. */
export const VersionSchema = v.pipe(
  v.number('Version must be an integer'),
  v.title('Version'),
  v.description('Optimistic-concurrency version, an integer of at least 1.'),
  v.safeInteger('Version must be an integer'),
  v.minValue(1, 'Version must be at least 1'),
);

/** Search page size: an integer 1..1000. */
export const LimitSchema = v.pipe(
  v.number('Limit must be an integer'),
  v.title('Limit'),
  v.description('Page size, 1-1000.'),
  v.safeInteger('Limit must be an integer'),
  v.minValue(1, `Limit must be between 1 and ${MAX_SEARCH_LIMIT}`),
  v.maxValue(MAX_SEARCH_LIMIT, `Limit must be between 1 and ${MAX_SEARCH_LIMIT}`),
);

/** Search offset: an integer ≥ 0. */
export const OffsetSchema = v.pipe(
  v.number('Offset must be an integer'),
  v.title('Offset'),
  v.description('Number of matches to skip, at least 0.'),
  v.safeInteger('Offset must be an integer'),
  v.minValue(0, 'Offset must be non-negative'),
);

/**
 * Builds the object schemas from a name and a date-time schema, so the service can use variants
 * (a cached name check, `Date` inputs) with exactly the same shape as the exported ones.
 */
export function buildPortfolioSchemas<
  TName extends v.GenericSchema<unknown, string>,
  TDate extends v.GenericSchema<unknown, Date>,
>(name: TName, dateTime: TDate) {
  const create = v.object(
    {
      name,
      dateCreated: v.nullish(dateTime),
      version: v.nullish(VersionSchema),
    },
    'Portfolio must be an object',
  );
  const update = v.object(
    {
      portfolioId: ObjectIdSchema,
      name,
      dateCreated: v.nullish(dateTime),
      version: VersionSchema,
    },
    'Portfolio must be an object',
  );
  const search = v.object(
    {
      name: v.optional(name),
      name_like: v.optional(name),
      limit: v.optional(LimitSchema, DEFAULT_SEARCH_LIMIT),
      offset: v.optional(OffsetSchema, 0),
    },
    'Search query must be an object',
  );
  return { create, update, search };
}

const exported = buildPortfolioSchemas(PortfolioNameSchema, DateTimeSchema);

/**
 * Create input `{ name, dateCreated?, version? }`; `null` counts as absent, unknown keys (including
 * a client `portfolioId` or `_id`) are dropped.
 */
export const PortfolioCreateSchema = v.pipe(
  exported.create,
  v.title('PortfolioCreate'),
  v.description('A new portfolio; dateCreated defaults to now (UTC), version to 1.'),
);

/** Update input `{ portfolioId, name, dateCreated?, version }`; unknown keys are dropped. */
export const PortfolioUpdateSchema = v.pipe(
  exported.update,
  v.title('PortfolioUpdate'),
  v.description('Replacement values; version must equal the stored version.'),
);

/**
 * Search query `{ name?, name_like?, limit = 50, offset = 0 }` with typed values; the service also
 * rejects `name` and `name_like` together.
 */
export const PortfolioSearchQuerySchema = v.pipe(
  exported.search,
  v.title('PortfolioSearchQuery'),
  v.description('Exact (name) or substring (name_like) search, case-insensitive, newest first.'),
);

/** Bulk create input: an array of 1..100 create inputs. */
export const PortfolioBulkCreateSchema = v.pipe(
  v.array(PortfolioCreateSchema, 'Request must be a list of portfolios'),
  v.title('PortfolioBulkCreate'),
  v.minLength(1, 'Request must contain at least 1 portfolio'),
  v.maxLength(BULK_MAX_ITEMS, `Request cannot contain more than ${BULK_MAX_ITEMS} portfolios`),
);

/** JSON shape of a portfolio in responses (`dateCreated` as ISO 8601 UTC with milliseconds). */
export const PortfolioJsonSchema = v.pipe(
  v.object({
    portfolioId: v.pipe(v.string(), v.regex(/^[0-9a-f]{24}$/)),
    name: v.string(),
    dateCreated: v.pipe(v.string(), v.isoTimestamp(), v.examples(['2024-01-15T10:30:00.000Z'])),
    version: v.pipe(v.number(), v.integer(), v.minValue(1)),
  }),
  v.title('PortfolioResponse'),
);

/** JSON shape of the pagination block of a search response. */
export const PaginationJsonSchema = v.pipe(
  v.object({
    totalElements: v.pipe(v.number(), v.integer(), v.minValue(0)),
    totalPages: v.pipe(v.number(), v.integer(), v.minValue(0)),
    currentPage: v.pipe(v.number(), v.integer(), v.minValue(0)),
    pageSize: v.pipe(v.number(), v.integer(), v.minValue(1)),
    hasNext: v.boolean(),
    hasPrevious: v.boolean(),
  }),
  v.title('Pagination'),
);

/** Raw create input as a caller may send it. */
export type PortfolioCreateInput = v.InferInput<typeof PortfolioCreateSchema>;
/** Create input after validation (trimmed name, `Date`, nullish optionals). */
export type PortfolioCreateData = v.InferOutput<typeof PortfolioCreateSchema>;
/** Raw update input as a caller may send it. */
export type PortfolioUpdateInput = v.InferInput<typeof PortfolioUpdateSchema>;
/** Update input after validation. */
export type PortfolioUpdateData = v.InferOutput<typeof PortfolioUpdateSchema>;
/** Raw search query with typed values. */
export type PortfolioSearchInput = v.InferInput<typeof PortfolioSearchQuerySchema>;
/** Search query after validation, defaults applied. */
export type PortfolioSearchQuery = v.InferOutput<typeof PortfolioSearchQuerySchema>;
/** JSON form of a portfolio as returned by HTTP APIs. */
export type PortfolioJson = v.InferOutput<typeof PortfolioJsonSchema>;

/**
 * Options for `@valibot/to-json-schema` that turn the exported input schemas into JSON Schema:
 * input types, with the value-preserving `trim` / `toLowerCase` steps skipped (the name rule is
 * already stated on the untrimmed value).
 */
export const JSON_SCHEMA_OPTIONS = Object.freeze({
  typeMode: 'input' as const,
  ignoreActions: ['trim', 'to_lower_case'],
});
