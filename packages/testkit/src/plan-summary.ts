/** What an explain reply's winning plan does, flattened: enough for a test to say which index a query uses. */
export interface PlanSummary {
  /** Every stage name of the winning plan, outermost first (`LIMIT`, `FETCH`, `IXSCAN` …). */
  readonly stages: string[];
  /** The index names its IXSCAN (or DISTINCT_SCAN …) stages read. */
  readonly indexes: string[];
}

/**
 * Summarizes `explain.queryPlanner.winningPlan` of mongod, the wire server or mongos: the stages
 * and index names found anywhere in it (mongod nests them differently by version and engine,
 * e.g. under `queryPlan`), rejected plans left out.
 */
export function summarizePlan(explain: Record<string, unknown>): PlanSummary {
  const stages: string[] = [];
  const indexes: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (typeof n.stage === 'string') stages.push(n.stage);
      if (typeof n.indexName === 'string') indexes.push(n.indexName);
      for (const [k, v] of Object.entries(n)) if (k !== 'rejectedPlans') walk(v);
    }
  };
  walk((explain.queryPlanner as Record<string, unknown> | undefined)?.winningPlan);
  return { stages, indexes };
}
