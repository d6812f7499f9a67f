import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildApp, type ChildApp } from './support/child-app.js';
import { freePort, requireTool } from './support/tools.js';

const hasPromtool = requireTool('promtool', 'prometheus');
const hasPrometheus = requireTool('prometheus', 'prometheus');

describe('/metrics in Prometheus text format', () => {
  let app: ChildApp;
  let collectorPort: number;
  beforeAll(async () => {
    collectorPort = await freePort();
    app = await startChildApp({
      options: { profile: 'test', otlp: { endpoint: `http://127.0.0.1:${collectorPort}` }, log: { accessLog: false } },
    });
    for (let i = 0; i < 3; i += 1) await (await fetch(`${app.baseUrl}/api/v1/portfolio/${app.portfolioId}`)).arrayBuffer();
    await (await fetch(`${app.baseUrl}/boom`)).arrayBuffer();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('serves the HTTP metrics from the same meter provider, with the 0.0.4 content type', async () => {
    const res = await fetch(`${app.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toMatch(/^http_requests_total\{method="GET",path="\/api\/v1\/portfolio\/\{portfolioId\}",status="200",.*\} 3$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",path="\/boom",status="500",.*\} 1$/m);
    expect(text).toContain('# TYPE http_request_duration histogram');
    expect(text).toMatch(/^http_request_duration_bucket\{method="GET",path="\/api\/v1\/portfolio\/\{portfolioId\}",status="200",.*le="10000"\} 3$/m);
    expect(text).toContain('# TYPE http_requests_in_flight gauge');
    expect(text).toContain('# TYPE nodejs_eventloop_delay_p99 gauge');
  });

  it.runIf(hasPromtool)('passes promtool check metrics', async () => {
    const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });

  describe.runIf(hasPrometheus)('scraped by a real Prometheus', () => {
    let prometheus: ChildProcess | undefined;
    let dir: string;
    let promPort: number;
    const promLog: string[] = [];
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'telemetry-prom-'));
      promPort = await freePort();
      const target = new URL(app.baseUrl).host;
      writeFileSync(
        join(dir, 'prometheus.yml'),
        `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['${target}']\n`,
      );
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      prometheus.stderr?.on('data', (c: Buffer) => promLog.push(c.toString('utf8')));
    });
    afterAll(() => {
      prometheus?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('answers a query for http_requests_total', async () => {
      const deadline = Date.now() + 60_000;
      let series: { metric: Record<string, string>; value: [number, string] }[] = [];
      while (Date.now() < deadline) {
        try {
          const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=http_requests_total`);
          if (res.ok) {
            const body = (await res.json()) as { data: { result: typeof series } };
            series = body.data.result;
            if (series.length >= 2) break;
          }
        } catch {
          // not up yet
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      const ok = series.find((s) => s.metric.status === '200');
      expect(ok?.metric).toMatchObject({ __name__: 'http_requests_total', job: 'app', method: 'GET', path: '/api/v1/portfolio/{portfolioId}' });
      expect(Number(ok?.value[1])).toBeGreaterThanOrEqual(3);
      expect(series.find((s) => s.metric.status === '500')?.metric.path, promLog.join('')).toBe('/boom');
    });
  });
});
