import { describe, expect, it } from 'vitest';
import { JsonBodyError, scanJson } from './json-body.js';

const limits = { maxDepth: 4, maxValues: 10 };

function problemOf(text: string): unknown {
  try {
    scanJson(text, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(JsonBodyError);
    return (error as JsonBodyError).problem;
  }
  return undefined;
}

describe('scanJson', () => {
  it('counts the elements of a top-level array, ignoring nested commas and strings', () => {
    expect(scanJson('[]', limits)).toStrictEqual({ topLevelItems: 0 });
    expect(scanJson(' [ 1 ] ', limits)).toStrictEqual({ topLevelItems: 1 });
    expect(scanJson('[{"a":[1,2]},"x,y",{"b":"]"}]', limits)).toStrictEqual({ topLevelItems: 3 });
    expect(scanJson('[" \\" , "]', limits)).toStrictEqual({ topLevelItems: 1 });
    expect(scanJson('{"a":1,"b":2}', limits)).toStrictEqual({ topLevelItems: 0 });
    expect(scanJson('"a,b"', limits)).toStrictEqual({ topLevelItems: 0 });
  });

  it('rejects nesting deeper than the bound, counting brackets inside strings as text', () => {
    expect(problemOf('[[[[1]]]]')).toStrictEqual(undefined);
    expect(problemOf('[[[[[1]]]]]')).toStrictEqual({ kind: 'too-deep', maxDepth: 4 });
    expect(problemOf('{"a":{"b":{"c":{"d":{}}}}}')).toStrictEqual({ kind: 'too-deep', maxDepth: 4 });
    expect(problemOf('["[[[[[[[["]')).toStrictEqual(undefined);
  });

  it('rejects more values than the bound', () => {
    expect(problemOf(`[${Array(11).fill(0).join(',')}]`)).toStrictEqual(undefined);
    expect(problemOf(`[${Array(12).fill(0).join(',')}]`)).toStrictEqual({ kind: 'too-many-values', maxValues: 10 });
  });

  it('rejects an unterminated million-deep body as too deep (before any parse)', () => {
    expect(problemOf('['.repeat(1_000_000))).toStrictEqual({ kind: 'too-deep', maxDepth: 4 });
  });
});
