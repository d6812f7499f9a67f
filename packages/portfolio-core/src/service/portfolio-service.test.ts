import { afterEach, describe, expect, it, vi } from 'vitest';
import { AlreadyExistsError, BatchTooLargeError, DuplicateInBatchError, EmptyBatchError, NotFoundError, ValidationError, VersionConflictError, type PortfolioError } from '../errors.js';
import { isUnavailableError } from '../error-guards.js';
import { InMemoryPortfolioStore } from '../store/in-memory-store.js';
import { createPortfolioService } from './portfolio-service.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');

function setup() {
  const store = new InMemoryPortfolioStore();
  const service = createPortfolioService({ store, clock: () => NOW, resilience: { retryInitialDelayMs: 0 } });
  return { store, service };
}

async function failure(promise: Promise<unknown>): Promise<PortfolioError> {
  try {
    await promise;
  } catch (error) {
    return error as PortfolioError;
  }
  throw new Error('expected a rejection');
}

describe('PortfolioService', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lists as JSON batches, newest first, rendering the batches of a store that has no JSON of its own', async () => {
    const { service } = setup();
    const created = await service.createMany(Array.from({ length: 5 }, (_, i) => ({ name: `P${i}`, dateCreated: `2024-01-0${i + 1}T00:00:00Z` })));
    const batches = service.listJsonBatches({ batchSize: 2 });
    const texts: string[] = [];
    for (let batch = await batches.next(); batch !== undefined; batch = await batches.next()) texts.push(batch);
    await batches.close();
    expect(texts).toHaveLength(3);
    expect(JSON.parse(`[${texts.join(',')}]`)).toStrictEqual(JSON.parse(JSON.stringify(created.toReversed())));
  });

  it('lists as JSON batches through the policy: a store outage is a catalogue error, not the driver error', async () => {
    const { store, service } = setup();
    await service.create({ name: 'A' });
    store.injectFault('streamAll', Object.assign(new Error('connection reset'), { name: 'MongoNetworkError' }), { times: 100 });
    const batches = service.listJsonBatches();
    expect(isUnavailableError(await failure(batches.next()))).toBe(true);
    await batches.close();
  });

  it('creates with defaults, drops client ids and unknown fields, and reads back', async () => {
    const { service } = setup();
    const created = await service.create({ name: '  Growth ', portfolioId: 'aaaaaaaaaaaaaaaaaaaaaaaa', _id: 'x', admin: true });
    expect(created).toStrictEqual({ portfolioId: created.portfolioId, name: 'Growth', dateCreated: NOW, version: 1 });
    expect(created.portfolioId).not.toBe('aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(await service.get(created.portfolioId.toUpperCase())).toStrictEqual(created);
    expect(JSON.parse(JSON.stringify(created))).toStrictEqual({
      portfolioId: created.portfolioId,
      name: 'Growth',
      dateCreated: '2025-06-01T12:00:00.000Z',
      version: 1,
    });
  });

  it('honours a given dateCreated offset and version', async () => {
    const { service } = setup();
    const created = await service.create({ name: 'a', dateCreated: '2024-01-15T12:30:00+02:00', version: 7 });
    expect([created.dateCreated.toISOString(), created.version]).toStrictEqual(['2024-01-15T10:30:00.000Z', 7]);
    const fromDate = await service.create({ name: 'b', dateCreated: new Date('2020-01-01T00:00:00.000Z'), version: null });
    expect([fromDate.dateCreated.toISOString(), fromDate.version]).toStrictEqual(['2020-01-01T00:00:00.000Z', 1]);
  });

  it('rejects bad create input with every issue', async () => {
    const { service, store } = setup();
    const error = await failure(service.create({ name: 'bad$', version: 0 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => [i.path, i.type])).toStrictEqual([
      [['name'], 'string_pattern_mismatch'],
      [['version'], 'greater_than_equal'],
    ]);
    expect((await failure(service.create([{ name: 'a' }])) as ValidationError).issues).toStrictEqual([
      { path: [], message: 'Portfolio must be an object', type: 'model_type', input: [{ name: 'a' }] },
    ]);
    expect(store.size).toBe(0);
  });

  it('answers NOT_FOUND for unknown and malformed ids', async () => {
    const { service } = setup();
    for (const id of ['65a1b2c3d4e5f6a7b8c9d0e1', 'abc', '65a1b2c3d4e5f6a7b8c9d0eZ', '']) {
      expect(await failure(service.get(id))).toBeInstanceOf(NotFoundError);
    }
  });

  it('updates with optimistic versions', async () => {
    const { service } = setup();
    const created = await service.create({ name: 'one', dateCreated: '2024-01-01T00:00:00Z' });
    const body = { portfolioId: created.portfolioId, name: 'two', version: 1 };
    const updated = await service.update(created.portfolioId, body);
    expect(updated).toStrictEqual({ ...created, name: 'two', version: 2 });
    const conflict = await failure(service.update(created.portfolioId, body));
    expect(conflict).toBeInstanceOf(VersionConflictError);
    expect(conflict).toMatchObject({ expectedVersion: 1, actualVersion: 2, message: 'Version conflict' });
    expect(await failure(service.update('65a1b2c3d4e5f6a7b8c9d0e1', body))).toBeInstanceOf(NotFoundError);
    expect(await failure(service.update('nope', body))).toBeInstanceOf(NotFoundError);
    const invalid = await failure(service.update('nope', { name: 'x' }));
    expect((invalid as ValidationError).issues.map((i) => i.path[0])).toStrictEqual(['portfolioId', 'version']);
  });

  it('deletes with a version, validating it first', async () => {
    const { service } = setup();
    const created = await service.create({ name: 'x' });
    expect((await failure(service.delete(created.portfolioId, undefined)) as ValidationError).issues).toStrictEqual([
      { path: ['version'], message: 'Version must be an integer', type: 'int_type', input: undefined },
    ]);
    expect(await failure(service.delete(created.portfolioId, 2))).toBeInstanceOf(VersionConflictError);
    await service.delete(created.portfolioId, 1);
    expect(await failure(service.delete(created.portfolioId, 1))).toBeInstanceOf(NotFoundError);
    expect(await service.list()).toStrictEqual([]);
  });

  it('searches with pagination and rejects ambiguous or bad queries', async () => {
    const { service } = setup();
    for (let i = 0; i < 5; i += 1) await service.create({ name: `Fund ${i}`, dateCreated: `2024-01-0${i + 1}T00:00:00Z` });
    const page = await service.search({ name_like: 'fund', limit: 2, offset: 2 });
    expect(page.portfolios.map((p) => p.name)).toStrictEqual(['Fund 2', 'Fund 1']);
    expect(page.pagination).toStrictEqual({
      totalElements: 5,
      totalPages: 3,
      currentPage: 1,
      pageSize: 2,
      hasNext: true,
      hasPrevious: true,
    });
    expect((await service.search({ name: ' FUND 3 ' })).portfolios.map((p) => p.name)).toStrictEqual(['Fund 3']);
    expect((await service.search(undefined)).pagination.pageSize).toBe(50);
    expect((await failure(service.search({ name: 'a', name_like: 'b' })) as ValidationError).issues).toStrictEqual([
      { path: [], message: 'Only one search parameter allowed: name or name_like', type: 'mutually_exclusive' },
    ]);
    const bad = (await failure(service.search({ name: '  ', name_like: '.*', limit: 10.5 }))) as ValidationError;
    expect(bad.issues.map((i) => [i.path[0], i.type])).toStrictEqual([
      ['name', 'string_too_short'],
      ['name_like', 'string_pattern_mismatch'],
      ['limit', 'int_from_float'],
    ]);
  });

  it('counts name verdicts in the validation cache', async () => {
    const { service } = setup();
    await service.search({ name: 'Alpha' });
    await service.search({ name: 'Alpha' });
    expect(service.cache.stats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
  });

  describe('createMany', () => {
    it('creates a batch in order with defaults', async () => {
      const { service } = setup();
      const created = await service.createMany([{ name: 'b' }, { name: 'a', version: 3, dateCreated: '2024-01-01T00:00:00Z' }]);
      expect(created.map(({ name, dateCreated, version }) => ({ name, dateCreated, version }))).toStrictEqual([
        { name: 'b', dateCreated: NOW, version: 1 },
        { name: 'a', dateCreated: new Date('2024-01-01T00:00:00Z'), version: 3 },
      ]);
      expect(await service.list()).toHaveLength(2);
    });

    it('checks array, size, items, duplicates and existing names in that order', async () => {
      const { service, store } = setup();
      await service.create({ name: 'Taken' });
      expect((await failure(service.createMany({ name: 'a' })) as ValidationError).issues[0]).toMatchObject({
        path: [],
        type: 'list_type',
      });
      expect(await failure(service.createMany([]))).toBeInstanceOf(EmptyBatchError);
      const tooMany = await failure(service.createMany(Array.from({ length: 101 }, () => 5)));
      expect(tooMany).toBeInstanceOf(BatchTooLargeError);
      expect(tooMany).toMatchObject({ size: 101, max: 100 });
      const items = (await failure(service.createMany([{ name: 'ok' }, 5, {}, ['x']]))) as ValidationError;
      expect(items.issues.map((i) => [i.path, i.type])).toStrictEqual([
        [[1], 'model_type'],
        [[2, 'name'], 'missing'],
        [[3], 'model_type'],
      ]);
      const dup = await failure(service.createMany([{ name: 'A ' }, { name: 'b' }, { name: ' a' }, { name: 'B' }, { name: 'a' }]));
      expect(dup).toBeInstanceOf(DuplicateInBatchError);
      expect((dup as DuplicateInBatchError).duplicates).toStrictEqual([
        { name: 'a', positions: [0, 2, 4] },
        { name: 'B', positions: [1, 3] },
      ]);
      expect(dup.message).toBe('Duplicate portfolio names found in request: a, B');
      expect(await service.createMany([{ name: 'taken' }])).toHaveLength(1);
      const exists = await failure(service.createMany([{ name: 'new' }, { name: ' TAKEN ' }], { rejectExisting: true }));
      expect(exists).toBeInstanceOf(AlreadyExistsError);
      expect((exists as AlreadyExistsError).names).toStrictEqual(['TAKEN']);
      expect(store.size).toBe(2);
    });

    it('leaves nothing behind when the store fails in the middle of a batch', async () => {
      const { service, store } = setup();
      store.injectFault('insertMany', new Error('disk full'), { atIndex: 3 });
      const error = await failure(service.createMany(Array.from({ length: 5 }, (_, i) => ({ name: `n${i}` }))));
      expect(error.code).toBe('INTERNAL');
      expect(store.size).toBe(0);
    });

    it('retries a bulk insert once after a transient error', async () => {
      const { service, store } = setup();
      const transient = Object.assign(new Error('reset'), { name: 'MongoNetworkError' });
      const retries: number[] = [];
      service.policy.onRetry((e) => retries.push(e.attempt));
      store.injectFault('insertMany', transient, { atIndex: 1 });
      expect(await service.createMany([{ name: 'a' }, { name: 'b' }])).toHaveLength(2);
      expect([retries, store.size]).toStrictEqual([[1], 2]);
      store.injectFault('insertMany', transient, { atIndex: 1, times: 2 });
      const error = await failure(service.createMany([{ name: 'c' }, { name: 'd' }]));
      expect(isUnavailableError(error)).toBe(true);
      expect(store.size).toBe(2);
    });
  });

  it('never retries single writes and fails fast once the breaker is open', async () => {
    const store = new InMemoryPortfolioStore();
    const service = createPortfolioService({ store, resilience: { failureThreshold: 2, retryInitialDelayMs: 0 } });
    const down = Object.assign(new Error('down'), { name: 'MongoServerSelectionError' });
    store.injectFault('insertOne', down, { times: 2 });
    expect((await failure(service.create({ name: 'a' }))).code).toBe('UNAVAILABLE');
    expect(store.size).toBe(0);
    expect((await failure(service.create({ name: 'a' }))).code).toBe('UNAVAILABLE');
    expect(service.policy.state).toBe('open');
    const rejected = await failure(service.get('65a1b2c3d4e5f6a7b8c9d0e1'));
    expect(rejected).toMatchObject({ code: 'UNAVAILABLE', reason: 'circuit-open' });
    expect(await failure(service.ping())).toMatchObject({ code: 'UNAVAILABLE', reason: 'circuit-open' });
  });

  it('answers a closed socket with UNAVAILABLE: writes once, reads retried', async () => {
    const store = new InMemoryPortfolioStore();
    const service = createPortfolioService({ store, resilience: { retryInitialDelayMs: 0 } });
    const ended = (): Error => Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
    store.injectFault('insertOne', ended(), { times: 1 });
    expect(await failure(service.create({ name: 'a' }))).toMatchObject({ code: 'UNAVAILABLE', reason: 'database' });
    expect(store.size).toBe(0);
    const created = await service.create({ name: 'a' });
    store.injectFault('findById', ended(), { times: 2 });
    expect(await service.get(created.portfolioId)).toStrictEqual(created);
  });

  it('does not open the breaker for domain outcomes', async () => {
    const { service } = setup();
    for (let i = 0; i < 10; i += 1) await failure(service.get('65a1b2c3d4e5f6a7b8c9d0e1'));
    expect(service.policy.state).toBe('closed');
  });
});
