import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestStack, type TestStack } from './support.js';

let t: TestStack;
beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t.close();
});

it('20 concurrent PUTs with the same version: exactly one 200, the rest 409', async () => {
  const created = await t.http.post('/api/v1/portfolios').send({ name: 'Contended' }).expect(201);
  const id = (created.body as { portfolioId: string }).portfolioId;
  const responses = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      t.http.put(`/api/v1/portfolio/${id}`).send({ portfolioId: id, name: `Writer ${i}`, version: 1 }),
    ),
  );
  const statuses = responses.map((r) => r.status).sort();
  expect(statuses).toStrictEqual([200, ...Array<number>(19).fill(409)]);
  const winner = responses.find((r) => r.status === 200);
  const stored = await t.http.get(`/api/v1/portfolio/${id}`).expect(200);
  expect(stored.body).toStrictEqual(winner?.body);
  expect((stored.body as { version: number }).version).toBe(2);
  for (const r of responses.filter((x) => x.status === 409)) expect(r.body).toStrictEqual({ detail: 'Version conflict' });
});

it('20 concurrent DELETEs with the same version: exactly one 204, the rest 404 or 409', async () => {
  const created = await t.http.post('/api/v1/portfolios').send({ name: 'Doomed' }).expect(201);
  const id = (created.body as { portfolioId: string }).portfolioId;
  const responses = await Promise.all(Array.from({ length: 20 }, () => t.http.delete(`/api/v1/portfolio/${id}?version=1`)));
  const statuses = responses.map((r) => r.status);
  expect(statuses.filter((s) => s === 204)).toHaveLength(1);
  expect(statuses.every((s) => s === 204 || s === 404 || s === 409)).toBe(true);
});
