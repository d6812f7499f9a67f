import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { nameRuleCheck, parseOrThrow } from './issues.js';
import type { ValidationError } from '../errors.js';

function issueTypes(schema: v.GenericSchema, input: unknown): string[] {
  try {
    parseOrThrow(schema, input);
    return [];
  } catch (error) {
    return (error as ValidationError).issues.map((issue) => issue.type);
  }
}

describe('issue classification', () => {
  it('classifies a name-rule check by what its issue says, whichever function made it', () => {
    // Two checks built independently, as two services would: neither is registered anywhere.
    for (const isValid of [(raw: string) => /^[a-z]{1,200}$/i.test(raw.trim()), (raw: string) => raw.trim() === 'ok']) {
      const schema = v.pipe(v.string(), nameRuleCheck(isValid));
      expect(issueTypes(schema, '   ')).toStrictEqual(['string_too_short']);
      expect(issueTypes(schema, 'x'.repeat(201))).toStrictEqual(['string_too_long']);
      expect(issueTypes(schema, 'bad$name')).toStrictEqual(['string_pattern_mismatch']);
    }
  });

  it('leaves any other check a value_error, even with the same predicate', () => {
    const isValid = (raw: string): boolean => raw === 'ok';
    expect(issueTypes(v.pipe(v.string(), nameRuleCheck(isValid)), '')).toStrictEqual(['string_too_short']);
    expect(issueTypes(v.pipe(v.string(), v.check(isValid, 'not ok')), '')).toStrictEqual(['value_error']);
  });
});
