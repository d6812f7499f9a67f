import { describe, expect, it } from 'vitest';
import { describePlan } from './explain.js';

describe('describePlan', () => {
  it('lists nested stages with index names and reads execution statistics', () => {
    expect(
      describePlan({
        queryPlanner: { winningPlan: { stage: 'LIMIT', inputStage: { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: 'nameLower_1' } } } },
        executionStats: { totalKeysExamined: 3, totalDocsExamined: 2 },
      }),
    ).toStrictEqual({ plan: 'LIMIT > FETCH > IXSCAN(nameLower_1)', usesIndex: true, keysExamined: 3, docsExamined: 2 });
  });

  it('reports a collection scan as not using an index and follows the SBE queryPlan wrapper', () => {
    expect(describePlan({ queryPlanner: { winningPlan: { queryPlan: { stage: 'SORT', inputStage: { stage: 'COLLSCAN' } } } } })).toStrictEqual({
      plan: 'SORT > COLLSCAN',
      usesIndex: false,
    });
    expect(describePlan({})).toStrictEqual({ plan: 'unknown', usesIndex: false });
  });
});
