import { describe, expect, it } from 'vitest';
import { toRoutePattern } from './route-path.js';

describe('toRoutePattern', () => {
  it('turns router parameters into {name}', () => {
    expect(toRoutePattern('/api/v1/portfolio/:portfolioId')).toBe('/api/v1/portfolio/{portfolioId}');
    expect(toRoutePattern('/a/:x/b/:y?')).toBe('/a/{x}/b/{y}');
    expect(toRoutePattern('/health')).toBe('/health');
  });
});
