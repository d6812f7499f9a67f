import { describe, expect, it } from 'vitest';
import { createNameSource, nameLikeFilter, nameQuery, seedDocuments, seedName } from './workload.js';

describe('workload', () => {
  it('makes unique names that pass the service name rule whatever the tag', () => {
    const next = createNameSource('getById.service 1');
    expect([next(), next()]).toStrictEqual(['Bench Created getById_service 1 0', 'Bench Created getById_service 1 1']);
  });

  it('seeds documents in the store shape, newest first', () => {
    const docs = seedDocuments(4241, 4243, 1_000_000);
    expect(docs.map(({ name, dateCreated, version }) => ({ name, dateCreated, version }))).toStrictEqual([
      { name: 'Value Fund 4241', dateCreated: new Date(1_000_000 - 4_241_000), version: 1 },
      { name: 'Income Fund 4242', dateCreated: new Date(1_000_000 - 4_242_000), version: 1 },
    ]);
    expect(seedName(4242)).toBe('Income Fund 4242');
  });

  it('builds the same filters as the service store (escaped, lower-cased)', () => {
    expect(nameLikeFilter(' Fund 1.2 ')).toStrictEqual({ name: { $regex: 'Fund 1\\.2', $options: 'i' } });
    expect(nameQuery(' Income Fund 4242')).toStrictEqual({ filter: { name: 'Income Fund 4242' }, collation: { locale: 'en', strength: 2 } });
  });
});
