import { describe, expect, it } from 'vitest';
import { sanitizePath, toRoutePattern } from './route-path.js';

describe('toRoutePattern', () => {
  it('turns router parameters into {name}', () => {
    expect(toRoutePattern('/api/v1/portfolio/:portfolioId')).toBe('/api/v1/portfolio/{portfolioId}');
    expect(toRoutePattern('/a/:x/b/:y?')).toBe('/a/{x}/b/{y}');
    expect(toRoutePattern('/health')).toBe('/health');
  });
});

describe('sanitizePath', () => {
  it('replaces ObjectIds, UUIDs and long numbers by {id} and drops the query', () => {
    expect(sanitizePath('/api/v1/portfolio/507F1F77BCF86CD799439011')).toBe('/api/v1/portfolio/{id}');
    expect(sanitizePath('/x/123e4567-e89b-12d3-a456-426614174000/y?z=1')).toBe('/x/{id}/y');
    expect(sanitizePath('/orders/12345678/items/42')).toBe('/orders/{id}/items/42');
    expect(sanitizePath('')).toBe('/');
    expect(sanitizePath('/?q=1')).toBe('/');
  });
});
