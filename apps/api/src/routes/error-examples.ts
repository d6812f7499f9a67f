import { NAME_RULE_MESSAGE } from '@globeco/portfolio-core';
import type { ErrorExample } from './route-spec.js';

// Error bodies that several routes document. Each is what the service really answers for its
// cause; test/openapi.test.ts sends a request for every documented example and compares.

/** 404 of an id that matches no portfolio. */
export const NOT_FOUND: ErrorExample = { summary: 'No portfolio has this id', detail: 'Portfolio not found' };

/** 409 of a write whose `version` is not the stored one. */
export const VERSION_CONFLICT: ErrorExample = { summary: 'The stored version is another', detail: 'Version conflict' };

/** 413 of a body over 1 MiB (the size is the request's). */
export const BODY_TOO_LARGE: ErrorExample = { summary: 'Body over 1 MiB', detail: 'Request too large: 1048577 bytes exceeds 1048576 bytes' };

/** 400 of an empty batch. */
export const EMPTY_BATCH: ErrorExample = { summary: 'Empty array', detail: 'Request must contain at least 1 portfolio' };

/** 400 of a batch that names a portfolio twice (equal after trim and lower-case). */
export const DUPLICATE_NAMES: ErrorExample = {
  summary: 'A name twice in the batch (trimmed, case-insensitive)',
  detail: 'Duplicate portfolio names found in request: growth fund',
};

/** 400 of a search with both name parameters. */
export const BOTH_NAMES: ErrorExample = { summary: 'name and name_like together', detail: 'Only one search parameter allowed: name or name_like' };

/** 400 of a search whose text is empty or blank. */
export const EMPTY_SEARCH: ErrorExample = { summary: 'Empty search text', detail: 'Search parameter cannot be empty' };

/** 400 of a search whose text breaks the name rule (regex metacharacters, non-ASCII, over 200 characters). */
export const BAD_SEARCH_NAME: ErrorExample = { summary: 'Search text breaks the name rule', detail: NAME_RULE_MESSAGE };
