// dateCreated: every instant of years 0001-9999 round-trips unchanged on every write path.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestStack, type PortfolioBody, type TestStack } from './support.js';

let t: TestStack;
beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  await t.clear();
});

const FIRST = Date.parse('0001-01-01T00:00:00.000Z');
const LAST = Date.parse('9999-12-31T23:59:59.999Z');

/** The edges of the range and of the years Date.UTC reinterprets, then instants spread over the range. */
function instants(count: number): string[] {
  const edges = [
    '0001-01-01T00:00:00.000Z',
    '0001-12-31T23:59:59.999Z',
    '0004-02-29T12:00:00.000Z',
    '0099-12-31T23:59:59.999Z',
    '0100-01-01T00:00:00.000Z',
    '1899-12-31T23:59:59.999Z',
    '1969-12-31T23:59:59.999Z',
    '1970-01-01T00:00:00.000Z',
    '2024-02-29T10:30:00.123Z',
    '9999-12-31T23:59:59.999Z',
  ];
  // A fixed linear congruential sequence: the same instants every run.
  let seed = 20_261_203;
  const spread = Array.from({ length: count - edges.length }, () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return new Date(FIRST + Math.floor((seed / 2 ** 31) * (LAST - FIRST))).toISOString();
  });
  return [...edges, ...spread];
}

/** What the service answers for `id` on every read path: by id, in the whole list, in a search. */
async function readBack(portfolio: PortfolioBody): Promise<string[]> {
  const byId = (await t.http.get(`/api/v1/portfolio/${portfolio.portfolioId}`).expect(200)).body as PortfolioBody;
  const list = (await t.http.get('/api/v1/portfolios').expect(200)).body as PortfolioBody[];
  const found = (await t.http.get('/api/v2/portfolios').query({ name: portfolio.name }).expect(200)).body as { portfolios: PortfolioBody[] };
  return [byId.dateCreated, list.find((p) => p.portfolioId === portfolio.portfolioId)?.dateCreated ?? 'missing', found.portfolios[0]?.dateCreated ?? 'missing'];
}

describe('every write path keeps dateCreated exactly', () => {
  const dates = instants(100);

  it('v2 bulk and fast bulk: 100 instants from 0001 to 9999 each, answered and stored unchanged', async () => {
    const v2 = (await t.http
      .post('/api/v2/portfolios')
      .send(dates.map((dateCreated, i) => ({ name: `v2 ${i}`, dateCreated })))
      .expect(201)).body as PortfolioBody[];
    expect(v2.map((p) => p.dateCreated)).toStrictEqual(dates);
    const fast = (await t.http
      .post('/api/fast/portfolios/bulk')
      .send(dates.map((dateCreated, i) => ({ name: `fast ${i}`, dateCreated })))
      .expect(201)).body as { portfolios: PortfolioBody[] };
    expect(fast.portfolios.map((p) => p.dateCreated)).toStrictEqual(dates);

    const list = (await t.http.get('/api/v1/portfolios').expect(200)).body as PortfolioBody[];
    const stored = new Map(list.map((p) => [p.name, p.dateCreated]));
    expect(dates.map((_, i) => stored.get(`v2 ${i}`))).toStrictEqual(dates);
    expect(dates.map((_, i) => stored.get(`fast ${i}`))).toStrictEqual(dates);
    // Newest first holds across the whole range, years below 100 included.
    const order = list.map((p) => Date.parse(p.dateCreated));
    expect(order).toStrictEqual([...order].sort((a, b) => b - a));
    // MongoDB holds the very instant, not a copy shifted by 1900 years.
    const doc = await t.stack.store.collection.findOne({ name: 'v2 0' });
    expect(doc?.dateCreated.toISOString()).toBe('0001-01-01T00:00:00.000Z');
  });

  it.each(instants(12))('v1 POST and PUT keep %s', async (dateCreated) => {
    const created = (await t.http.post('/api/v1/portfolios').send({ name: 'One', dateCreated }).expect(201)).body as PortfolioBody;
    expect(created.dateCreated).toBe(dateCreated);
    expect(await readBack(created)).toStrictEqual([dateCreated, dateCreated, dateCreated]);

    const other = new Date(FIRST + LAST - Date.parse(dateCreated)).toISOString();
    const updated = (await t.http
      .put(`/api/v1/portfolio/${created.portfolioId}`)
      .send({ portfolioId: created.portfolioId, name: 'One', dateCreated: other, version: 1 })
      .expect(200)).body as PortfolioBody;
    expect([updated.dateCreated, updated.version]).toStrictEqual([other, 2]);
    expect(await readBack(updated)).toStrictEqual([other, other, other]);
  });

  it('an offset is honoured down to the first instant of year 1', async () => {
    const res = await t.http.post('/api/v1/portfolios').send({ name: 'Offset', dateCreated: '0001-01-01T01:00:00+01:00' }).expect(201);
    expect((res.body as PortfolioBody).dateCreated).toBe('0001-01-01T00:00:00.000Z');
  });
});

describe('instants outside years 0001-9999 are a 4xx naming the range, and nothing is stored', () => {
  const RANGE = 'Date must be between 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z';
  const outside = ['0000-12-31T23:59:59.999Z', '0001-01-01T00:30:00+01:00', '9999-12-31T23:30:00-01:00'];

  it.each(outside)('%s', async (dateCreated) => {
    const v1 = await t.http.post('/api/v1/portfolios').send({ name: 'Out', dateCreated }).expect(422);
    expect(v1.body).toStrictEqual({ detail: [{ loc: ['body', 'dateCreated'], msg: RANGE, type: 'datetime_parsing' }] });
    const v2 = await t.http.post('/api/v2/portfolios').send([{ name: 'Out', dateCreated }]).expect(422);
    expect(v2.body).toStrictEqual({ detail: [{ loc: ['body', 0, 'dateCreated'], msg: RANGE, type: 'datetime_parsing' }] });
    const fast = await t.http.post('/api/fast/portfolios/bulk').send([{ name: 'Out', dateCreated }]).expect(400);
    expect(fast.body).toStrictEqual({ detail: `Invalid portfolio at index 0: Item 0 field 'dateCreated': ${RANGE}` });
    expect(await t.count()).toBe(0);
  });
});
