import { describe, expect, it } from 'vitest';
import { mixCost, type OperationCost } from './mix-profile.js';

const cost = (operation: string, weight: number, serviceUs: number, mongoUs: number): OperationCost => ({
  operation,
  weight,
  requests: 100,
  rate: 100,
  serviceUs,
  mongoUs,
  loadgenUs: 50,
  stored: 1000,
});

describe('mixCost', () => {
  it('weights each side by the mix and names the operation that dominates it', () => {
    const mix = mixCost([cost('get', 90, 1000, 100), cost('list', 10, 100_000, 50_000)]);
    // service: 0.9 × 1000 + 0.1 × 100 000 = 10 900 µs; MongoDB: 0.9 × 100 + 0.1 × 50 000 = 5 090 µs
    expect(mix).toMatchObject({ serviceUs: 10_900, mongoUs: 5090, serviceCeiling: 92, mongoCeiling: 196, bottleneck: 'service' });
    expect(mix.serviceShares).toStrictEqual([
      { operation: 'list', share: 0.917 },
      { operation: 'get', share: 0.083 },
    ]);
    expect(mix.mongoShares[0]).toStrictEqual({ operation: 'list', share: 0.982 });
  });

  it('names MongoDB when its side is the dearer one', () => {
    expect(mixCost([cost('search', 1, 500, 9000)]).bottleneck).toBe('mongo');
  });

  it('refuses a mix without weights', () => {
    expect(() => mixCost([cost('get', 0, 1, 1)])).toThrow('no operation has a weight');
  });
});
