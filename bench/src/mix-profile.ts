/**
 * Where the mixed scenario's ceiling comes from: each operation of the loadgen's mix run alone,
 * closed loop, with the CPU the service and MongoDB spend per request; weighted by the mix, the
 * per-request cost of each side and each operation's share of it.
 */
import { round } from './stats.js';

/** One operation measured alone. */
export interface OperationCost {
  readonly operation: string;
  /** Weight of the operation in the mix. */
  readonly weight: number;
  readonly requests: number;
  readonly rate: number;
  /** CPU µs per request of the service process. */
  readonly serviceUs: number;
  /** CPU µs per request of the MongoDB process. */
  readonly mongoUs: number;
  /** CPU µs per request of the load generator (it shares MongoDB's core). */
  readonly loadgenUs: number;
  /** Portfolios stored when the operation ran. */
  readonly stored: number;
}

/** The mix's cost per request on each side, and what sets it. */
export interface MixCost {
  /** Service CPU µs per request of the mix. */
  readonly serviceUs: number;
  /** MongoDB CPU µs per request of the mix. */
  readonly mongoUs: number;
  /** Requests per second one core of the service / MongoDB can take at that cost. */
  readonly serviceCeiling: number;
  readonly mongoCeiling: number;
  /** The side with the lower ceiling. */
  readonly bottleneck: 'service' | 'mongo';
  /** Share of each side's mix cost by operation (0..1), largest first. */
  readonly serviceShares: readonly { readonly operation: string; readonly share: number }[];
  readonly mongoShares: readonly { readonly operation: string; readonly share: number }[];
}

/** Weights the per-operation costs by the mix (operations without a weight count for nothing). */
export function mixCost(costs: readonly OperationCost[]): MixCost {
  const total = costs.reduce((sum, c) => sum + c.weight, 0);
  if (total <= 0) throw new Error('mixCost: no operation has a weight');
  const side = (key: 'serviceUs' | 'mongoUs') => {
    const parts = costs.map((c) => ({ operation: c.operation, us: (c.weight / total) * c[key] }));
    const us = parts.reduce((sum, p) => sum + p.us, 0);
    const shares = parts
      .map((p) => ({ operation: p.operation, share: us > 0 ? round(p.us / us, 3) : 0 }))
      .sort((a, b) => b.share - a.share);
    return { us: round(us, 0), shares };
  };
  const service = side('serviceUs');
  const mongo = side('mongoUs');
  const serviceCeiling = service.us > 0 ? round(1e6 / service.us, 0) : Number.POSITIVE_INFINITY;
  const mongoCeiling = mongo.us > 0 ? round(1e6 / mongo.us, 0) : Number.POSITIVE_INFINITY;
  return {
    serviceUs: service.us,
    mongoUs: mongo.us,
    serviceCeiling,
    mongoCeiling,
    bottleneck: serviceCeiling <= mongoCeiling ? 'service' : 'mongo',
    serviceShares: service.shares,
    mongoShares: mongo.shares,
  };
}
