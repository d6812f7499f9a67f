import { describe, expect, it } from 'vitest';
import { areaDiff, renderMarkdown } from './report.js';
import type { BenchResults } from './results.js';
import { pairedRatio } from './stats.js';

const ratios = {
  vsBareKoa: pairedRatio([90], [100], 0.9),
  vsRawDriver: pairedRatio([50], [100]),
  telemetryOnVsOff: pairedRatio([80], [100], 0.9),
  cpu: { vsBareKoa: pairedRatio([70], [100], 0.9), vsRawDriver: pairedRatio([40], [100]), telemetryOnVsOff: pairedRatio([95], [100], 0.9) },
};

const profile = (requests: number, areas: [string, number][]): BenchResults['profiles'][string] => ({
  wallMs: 1000,
  busyMs: 900,
  byArea: areas.map(([name, selfMs]) => ({ name, selfMs, selfPct: 0 })),
  topFunctions: [],
  file: 'p.cpuprofile',
  requests,
  cpuUsPerRequest: 900_000 / requests,
});

const results: BenchResults = {
  schema: 'globeco-bench/results',
  schemaVersion: 1,
  mode: 'quick',
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:01:00.000Z',
  machine: { cpus: 2, cpuModel: 'cpu', totalMemoryBytes: 1, loadAverageStart: [1, 1, 1], loadAverageEnd: [2, 2, 2], pinned: true, placement: 'servers: CPU 1' },
  backend: { name: 'wire', topology: 'replset', line: '', meaning: 'own overhead' },
  node: 'v20.20.0',
  settings: { rounds: 1, slotSeconds: 2, connections: 50 },
  runs: [
    { round: 0, scenario: 'getById', variant: 'service', rate: 900, p50: 1, p99: 2, non2xx: 0, errors: 0, serverCpuShare: 0.95, clientCpuShare: 0.6, cpuUsPerOp: 1000 },
    { round: 0, scenario: 'getById', variant: 'bareKoa', rate: 1000, p50: 1, p99: 2, non2xx: 0, errors: 0, serverCpuShare: 0.97, clientCpuShare: 0.7, cpuUsPerOp: 700 },
  ],
  medians: { getById: { service: 900, serviceTelemetryOff: 1000, bareKoa: 1000, rawDriver: 1800 } },
  ratios: { getById: ratios, create: ratios, search: ratios, bulkVsSingle: pairedRatio([6000], [100], 50), fastBulkVsSingle: pairedRatio([4000], [100], 50) },
  driverCompression: null,
  search: [{ stored: 10_000, query: 'name', url: '/x', rate: 100, p50: 2, p99: 9, non2xx: 0, plan: 'LIMIT > FETCH > IXSCAN(i)', usesIndex: true }],
  latency: null,
  memory: null,
  profiles: { 'getById.service': profile(1000, [['mongodb', 300], ['@opentelemetry/sdk-trace', 100]]), 'getById.bareKoa': profile(1000, [['mongodb', 250]]) },
  telemetrySink: { '/v1/traces': { requests: 3, bytes: 100 } },
  reference: {
    ran: true,
    python: 'Python 3.11.2, fastapi 0.142.2',
    compressor: 'zlib',
    runs: [],
    medians: { service: { rate: 1400, p99: 60, cpuUsPerOp: 500 }, bareKoa: { rate: 1500, p99: 50, cpuUsPerOp: 450 }, fastapiMotor: { rate: 1000, p99: 90, cpuUsPerOp: 800 } },
    serviceVsFastapi: pairedRatio([1400], [1000], 1.3),
    cpuServiceVsFastapi: pairedRatio([800], [500]),
    p99FastapiVsService: pairedRatio([90], [60], 1),
    bareKoaVsFastapi: pairedRatio([1500], [1000]),
  },
  mix: {
    operations: [
      { operation: 'get', weight: 90, requests: 100, rate: 900, serviceUs: 1000, mongoUs: 100, loadgenUs: 80, stored: 1000 },
      { operation: 'list', weight: 10, requests: 10, rate: 9, serviceUs: 100_000, mongoUs: 50_000, loadgenUs: 300, stored: 1000 },
    ],
    serviceUs: 10_900,
    mongoUs: 5090,
    serviceCeiling: 92,
    mongoCeiling: 196,
    bottleneck: 'service',
    serviceShares: [
      { operation: 'list', share: 0.917 },
      { operation: 'get', share: 0.083 },
    ],
    mongoShares: [
      { operation: 'list', share: 0.982 },
      { operation: 'get', share: 0.018 },
    ],
    how: 'each alone',
  },
  startup: { starts: 3, readyMs: [400, 420, 1100], medianMs: 420, maxMs: 1100, goalMs: 1000, met: true, how: 'spawn to ready' },
  errors: ['latency: skipped'],
};

describe('renderMarkdown', () => {
  it('labels quick runs, judges goals and lists every section', () => {
    const md = renderMarkdown(results);
    expect(md).toContain('# Benchmark results (quick: validation run, figures indicative only)');
    expect(md).toContain('| GET /api/v1/portfolio/{id} | 0.90 (0.90–0.90) ✅ | 0.50 (0.50–0.50) | 0.80 (0.80–0.80) ❌ |');
    expect(md).toContain('| getById | 900 | 1000 | 1000 | 1800 |');
    expect(md).toContain('| GET /api/v1/portfolio/{id} | 0.70 (0.70–0.70) ❌ | 0.40 (0.40–0.40) | 0.95 (0.95–0.95) ✅ |');
    expect(md).toContain('| getById | 1000 | n/a | 700 | n/a |');
    expect(md).toContain('process under test 0.97, client side 0.70.');
    expect(md).toContain('| POST /api/v2/portfolios (100 items) | n/a | 60.00 (60.00–60.00) ✅ |');
    expect(md).toContain('| 10000 | name | 100 | 2.0 | 9.0 | LIMIT > FETCH > IXSCAN(i) | yes | – / – |');
    expect(md).toContain('| getById | 900 | 900 | 0 | @opentelemetry/sdk-trace +100, mongodb +50 |');
    expect(md).toContain('Telemetry export received by the sink: /v1/traces 3 requests / 100 bytes');
    expect(md).toContain('- latency: skipped');
    expect(md).toContain('| FastAPI + Motor | 1000 | 90.0 | 800 |');
    expect(md).toContain('Service ÷ FastAPI req/s 1.40 (1.40–1.40) ✅; CPU per request (FastAPI µs ÷ service µs) 1.60 (1.60–1.60); FastAPI p99 ÷ service p99 1.50 (1.50–1.50) ✅');
    expect(md).toContain('| list | 10 | 9 | 100000 | 50000 | 300 | 1000 |');
    expect(md).toContain('the ceiling is set by **the service**. Service cost by operation: list 92 %, get 8 %; MongoDB: list 98 %, get 2 %.');
    expect(md).toContain('3 starts: median 420 ms, max 1100 ms (400, 420, 1100); goal < 1000 ms ✅. spawn to ready.');
  });

  it('says why the reference comparison did not run', () => {
    const md = renderMarkdown({ ...results, reference: { ran: false, reason: 'no Python with FastAPI' }, startup: null, mix: null });
    expect(md).toContain('not measured: no Python with FastAPI');
    expect(md).toMatch(/## Start-up[^\n]*\n\nnot measured/);
  });
});

describe('areaDiff', () => {
  it('subtracts per-request self time by area, largest difference first', () => {
    expect(areaDiff(profile(1000, [['a', 100], ['b', 10]]), profile(500, [['b', 10], ['c', 30]]))).toStrictEqual([
      { name: 'a', us: 100 },
      { name: 'c', us: -60 },
      { name: 'b', us: -10 },
    ]);
  });
});
