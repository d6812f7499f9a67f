import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli/args.js';
import { run } from '../src/run.js';
import type { Report } from '../src/report/types.js';
import { startFakeApi } from './fake-api.js';
import type { FakeApi } from './fake-api.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const available = existsSync(CHROMIUM);
if (!available) {
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium" (apt-get install -y chromium)`);
  console.warn(`skipping the HTML rendering test: ${CHROMIUM} not found (apt-get install -y chromium)`);
}

/** Legend labels (the x value first) and the line colours of a chart, as the page shows them. */
interface Legend {
  labels: string[];
  colors: string[];
}

async function openReport(context: BrowserContext, file: string): Promise<{ page: Page; external: string[]; errors: string[] }> {
  const page = await context.newPage();
  const external: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    external.push(url);
    return route.abort();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
  return { page, external, errors };
}

async function legend(page: Page, chart: string): Promise<Legend> {
  const series = page.locator(`#${chart} .u-legend .u-series`);
  const labels = (await series.locator('.u-label').allInnerTexts()).map((l) => l.trim());
  // each line's marker is drawn in its colour (the first entry is the x value, not a line)
  const colors = await page.evaluate<string[]>(`[...document.querySelectorAll('#${chart} .u-legend .u-series .u-marker')].map((m) => getComputedStyle(m).borderLeftColor)`);
  return { labels, colors: colors.slice(1) };
}

describe.skipIf(!available)('HTML report in headless Chromium', () => {
  let api: FakeApi;
  let report: Report;
  let serviceOnly: Report;
  let context: BrowserContext;
  let profile: string;
  const html = join(ARTIFACTS, 'report.html');
  const serviceOnlyHtml = join(ARTIFACTS, 'report-metrics-only.html');

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // the fake server doubles as /metrics and as a Prometheus whose replica count rises mid-run
    api = await startFakeApi({ delayMs: (n) => 2 + (n % 7), metrics: () => `# TYPE http_requests_in_flight gauge\nhttp_requests_in_flight{route="x"} ${api.requests.length % 5}\n` });
    const promUrl = `${api.url}/prom`;
    // one replica for the first two samples, three afterwards (counted in answered queries, so
    // neither machine speed nor a missed poll changes the outcome)
    let replicaQueries = 0;
    api.prometheus = (query) => (query.includes('kube_deployment_status_replicas') ? (replicaQueries++ < 2 ? 1 : 3) : 0.4);
    const cmd = parseArgs([
      api.url, '--stage', 'ramp:2s:20:120', '--stage', 'spike:1s:200', '--stage', 'hold:1s:60', '--setup', '20', '--progress', 'none',
      '--html', html, '--metrics-url', `${api.url}/metrics`, '--prometheus', promUrl, '--threshold', 'p99<2s', '--threshold', 'errors<1%',
    ]);
    if (cmd.command !== 'run') throw new Error('expected a run command');
    report = await run(cmd.options);
    // the service's /metrics only, no Prometheus: no replica count, no pod CPU
    const metricsOnly = parseArgs([api.url, '--rate', '50', '--duration', '2s', '--setup', '10', '--progress', 'none', '--html', serviceOnlyHtml, '--metrics-url', `${api.url}/metrics`]);
    if (metricsOnly.command !== 'run') throw new Error('expected a run command');
    serviceOnly = await run(metricsOnly.options);
    profile = mkdtempSync(join(tmpdir(), 'loadgen-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1200, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    await api.close();
  });

  it('computes autoscaling timings from the sampled replicas', () => {
    expect(report.autoscaling?.initialReplicas).toBe(1);
    expect(report.autoscaling?.maxReplicas).toBe(3);
    expect(report.autoscaling?.timeToFirstScaleOutSec).toBeGreaterThanOrEqual(1);
    expect(report.intervals.some((r) => r.service?.inFlight !== undefined)).toBe(true);
  });

  it('renders every chart offline and keeps a screenshot', { timeout: 60_000 }, async () => {
    const { page, external, errors } = await openReport(context, html);
    // each chart draws real pixels: count non-transparent pixels on its canvas
    const inked = await page.evaluate<Array<[string, number]>>(`['chart-throughput', 'chart-latency', 'chart-distribution', 'chart-autoscaling'].map((id) => {
      const canvas = document.querySelector('#' + id + ' canvas');
      if (canvas === null) return [id, 0];
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return [id, n];
    })`);
    for (const [id, n] of inked) expect(n, `${id} has no drawing`).toBeGreaterThan(2000);
    expect(await page.locator('table.status tr').count()).toBe(Object.keys(report.operations).length);
    expect(await page.locator('table.thresholds tbody tr').count()).toBe(2);
    expect(await page.locator('#summary .kv').filter({ has: page.getByText('replicas', { exact: true }) }).innerText()).toBe('replicas\n1 → 3');
    const latency = await legend(page, 'chart-latency');
    expect(latency.labels).toStrictEqual(['t (s)', 'p50', 'p90', 'p99', 'max', 'service p99', 'replicas']);
    // one colour per line: response-time p99 and service-time p99 are told apart
    expect(new Set(latency.colors).size).toBe(latency.colors.length);
    expect((await legend(page, 'chart-autoscaling')).labels).toStrictEqual(['t (s)', 'replicas', 'service in-flight', 'pod CPU']);
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    expect(external).toStrictEqual([]);
    expect(errors).toStrictEqual([]);
  });

  it('without Prometheus shows no replica tiles and lists only the sampled series', { timeout: 60_000 }, async () => {
    expect(serviceOnly.autoscaling?.initialReplicas).toBeNull();
    const { page, external, errors } = await openReport(context, serviceOnlyHtml);
    expect(await page.locator('#summary .kv span').allInnerTexts()).toStrictEqual([
      'target rate', 'achieved rate', 'requests', 'errors', 'conflicts', 'late / dropped', 'p50 / p99', 'p99.9 / max', 'service p99', 'duration',
    ]);
    expect(await page.locator('#summary').innerText()).not.toContain('?');
    expect((await legend(page, 'chart-throughput')).labels).toStrictEqual(['t (s)', 'target', 'sent', 'achieved', 'errors/s']);
    expect((await legend(page, 'chart-latency')).labels).toStrictEqual(['t (s)', 'p50', 'p90', 'p99', 'max', 'service p99']);
    expect((await legend(page, 'chart-autoscaling')).labels).toStrictEqual(['t (s)', 'service in-flight']);
    await page.screenshot({ path: join(ARTIFACTS, 'report-metrics-only.png'), fullPage: true });
    expect(external).toStrictEqual([]);
    expect(errors).toStrictEqual([]);
  });
});
