/** A query plan as the results report it. */
export interface PlanDescription {
  /** Stages outermost first, e.g. `LIMIT > FETCH > IXSCAN(name_1_dateCreated_-1__id_-1)`. */
  readonly plan: string;
  /** Whether any stage reads an index (IXSCAN, IDHACK, …). */
  readonly usesIndex: boolean;
  readonly keysExamined?: number;
  readonly docsExamined?: number;
}

interface PlanStage {
  readonly stage?: string;
  readonly indexName?: string;
  readonly inputStage?: PlanStage;
  readonly inputStages?: readonly PlanStage[];
  readonly queryPlan?: PlanStage;
}

function stages(node: PlanStage | undefined): string[] {
  if (node === undefined) return [];
  if (node.queryPlan !== undefined) return stages(node.queryPlan);
  const here = node.stage === undefined ? [] : [node.indexName === undefined ? node.stage : `${node.stage}(${node.indexName})`];
  const below = node.inputStage !== undefined ? stages(node.inputStage) : (node.inputStages ?? []).flatMap((s) => stages(s));
  return [...here, ...below];
}

/** Describes the winning plan and, when present, the execution statistics of a driver `explain()` answer. */
export function describePlan(explain: unknown): PlanDescription {
  const e = explain as { queryPlanner?: { winningPlan?: PlanStage }; executionStats?: { totalKeysExamined?: number; totalDocsExamined?: number } };
  const list = stages(e.queryPlanner?.winningPlan);
  const description: PlanDescription = {
    plan: list.length === 0 ? 'unknown' : list.join(' > '),
    usesIndex: list.some((s) => /^(IXSCAN|IDHACK|EXPRESS_IXSCAN|COUNT_SCAN|DISTINCT_SCAN)/.test(s)),
  };
  const stats = e.executionStats;
  return {
    ...description,
    ...(typeof stats?.totalKeysExamined === 'number' ? { keysExamined: stats.totalKeysExamined } : {}),
    ...(typeof stats?.totalDocsExamined === 'number' ? { docsExamined: stats.totalDocsExamined } : {}),
  };
}
