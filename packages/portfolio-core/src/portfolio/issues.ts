import * as v from 'valibot';
import { ValidationError, type ValidationIssue, type ValidationIssueType } from '../errors.js';
import { NAME_MAX_LENGTH, NAME_PATTERN, NAME_RULE_MESSAGE, OBJECT_ID_PATTERN, DATE_TIME_PATTERN } from './rules.js';

/** The `expected` of an issue raised by {@link nameRuleCheck}: what marks it as "breaks the name rule". */
export const NAME_RULE_EXPECTATION = 'a portfolio name';

/**
 * A valibot action checking the name rule with `isValid` (e.g. a cached predicate). Its issues say
 * so in their own data (`expected`), so they classify as name-rule issues whatever function made
 * them; nothing is registered anywhere.
 */
export function nameRuleCheck(isValid: (raw: string) => boolean): v.RawCheckAction<string> {
  return v.rawCheck<string>(({ dataset, addIssue }) => {
    if (dataset.typed && !isValid(dataset.value)) addIssue({ message: NAME_RULE_MESSAGE, expected: NAME_RULE_EXPECTATION });
  });
}

/** Whether an issue means "breaks the name rule": from {@link nameRuleCheck} or the name pattern itself. */
function isNameRuleIssue(issue: v.BaseIssue<unknown>): boolean {
  return issue.expected === NAME_RULE_EXPECTATION || issue.requirement === NAME_PATTERN;
}

function classifyName(input: unknown): ValidationIssueType {
  if (typeof input !== 'string') return 'string_type';
  const trimmed = input.trim();
  if (trimmed.length === 0) return 'string_too_short';
  if (trimmed.length > NAME_MAX_LENGTH) return 'string_too_long';
  return 'string_pattern_mismatch';
}

function schemaIssueType(issue: v.BaseIssue<unknown>): ValidationIssueType {
  switch (issue.type) {
    case 'string':
      return 'string_type';
    case 'number':
      return 'int_type';
    case 'object':
      return 'model_type';
    case 'array':
      return 'list_type';
    case 'union':
    case 'date':
      return typeof issue.input === 'string' ? 'datetime_parsing' : 'datetime_type';
    default:
      return 'value_error';
  }
}

function issueType(issue: v.BaseIssue<unknown>): { type: ValidationIssueType; limit?: number } {
  if (issue.kind === 'schema') {
    if (issue.received === 'undefined' && issue.path !== undefined && issue.path.length > 0) {
      return { type: 'missing' };
    }
    return { type: schemaIssueType(issue) };
  }
  if (isNameRuleIssue(issue)) return { type: classifyName(issue.input) };
  switch (issue.type) {
    case 'regex':
      if (issue.requirement === OBJECT_ID_PATTERN) return { type: 'object_id_format' };
      if (issue.requirement === DATE_TIME_PATTERN) return { type: 'datetime_parsing' };
      return { type: 'string_pattern_mismatch' };
    case 'raw_transform':
      return { type: 'datetime_parsing' };
    case 'integer':
    case 'safe_integer':
      return { type: 'int_from_float' };
    case 'min_value':
      return { type: 'greater_than_equal', limit: Number(issue.requirement) };
    case 'max_value':
      return { type: 'less_than_equal', limit: Number(issue.requirement) };
    case 'min_length':
      return { type: 'string_too_short', limit: Number(issue.requirement) };
    case 'max_length':
      return { type: 'string_too_long', limit: Number(issue.requirement) };
    default:
      return { type: 'value_error' };
  }
}

/**
 * Turns valibot issues into the catalogue's {@link ValidationIssue}s.
 * @param issues issues from `safeParse`
 * @param basePath keys to prepend to every path (e.g. the item index of a batch)
 */
export function toValidationIssues(
  issues: readonly v.BaseIssue<unknown>[],
  basePath: readonly (string | number)[] = [],
): ValidationIssue[] {
  return issues.map((issue) => {
    const path = [...basePath, ...(issue.path ?? []).map((item) => item.key as string | number)];
    const { type, limit } = issueType(issue);
    const result: { -readonly [K in keyof ValidationIssue]: ValidationIssue[K] } = {
      path,
      message: type === 'missing' ? `Field required: ${String(path.at(-1))}` : issue.message,
      type,
    };
    if (type !== 'missing') result.input = issue.input;
    if (limit !== undefined && Number.isFinite(limit)) result.limit = limit;
    return result;
  });
}

/**
 * Parses `input` with `schema`, throwing a {@link ValidationError} listing every issue on failure.
 * @returns the schema's output
 */
export function parseOrThrow<TSchema extends v.GenericSchema>(
  schema: TSchema,
  input: unknown,
  basePath: readonly (string | number)[] = [],
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (result.success) return result.output;
  throw new ValidationError(toValidationIssues(result.issues, basePath));
}

/**
 * Converts a query-string value to a number when it is written as a plain decimal integer
 * (`"10"`, `"-3"`); anything else (`"10.5"`, `"1e3"`, `"abc"`) is returned unchanged so schema
 * validation reports it.
 */
export function toQueryInteger(value: unknown): unknown {
  if (typeof value === 'string' && /^[+-]?\d{1,15}$/.test(value)) return Number(value);
  return value;
}
