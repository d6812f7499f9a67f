// Loads /docs in headless Chromium: Swagger UI lists the operations and a "try it out" call works.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.js';
import { createTestStack, type TestStack } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const available = existsSync(CHROMIUM);

if (!available) {
  if (process.env.CI === 'true') {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  }
  console.warn(`[docs-browser] skipped: ${CHROMIUM} not found (apt-get install -y chromium to run it)`);
}

describe.skipIf(!available)('/docs in headless Chromium', () => {
  let t: TestStack;
  let server: RunningServer;
  let context: BrowserContext;
  let profile: string;
  let base: string;

  beforeAll(async () => {
    t = await createTestStack();
    server = await startServer(t.app.callback(), {
      host: '127.0.0.1',
      port: 0,
      http2: false,
      keepAliveTimeoutMs: 5000,
      headersTimeoutMs: 6000,
      requestTimeoutMs: 10000,
    });
    base = `http://127.0.0.1:${server.address.port}`;
    profile = mkdtempSync(join(tmpdir(), 'globeco-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1280, height: 1600 },
    });
  });

  afterAll(async () => {
    await context?.close();
    await server?.drain(1000);
    await t?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('lists the operations and a "try it out" call against the running service succeeds', async () => {
    await t.http.post('/api/v1/portfolios').send({ name: 'Visible in docs' }).expect(201);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(base)) problems.push(`external request: ${request.url()}`);
    });

    await page.goto(`${base}/docs`, { waitUntil: 'load' });
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    const summaries = await page.locator('.opblock-summary-path').allInnerTexts();
    const paths = new Set(summaries.map((s) => s.replace(/\u200b/g, '').trim()));
    for (const path of ['/api/v1/portfolios', '/api/v1/portfolio/{id}', '/api/v2/portfolios', '/api/fast/portfolios/bulk', '/health/ready']) {
      expect(paths.has(path), `${path} listed`).toBe(true);
    }
    // the page's own script and files are not API operations
    expect([...paths].filter((p) => p.startsWith('/docs/'))).toStrictEqual([]);

    const operation = page.locator('#operations-v1-v1ListPortfolios');
    await operation.locator('.opblock-summary').click({ timeout: 5000 });
    // tryItOutEnabled: the operation opens in "try it out" mode, with Execute ready.
    await operation.locator('button.execute').click({ timeout: 5000 });
    const status = operation.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 20_000 });
    expect((await status.innerText()).trim()).toBe('200');
    const body = await operation.locator('.live-responses-table .response-col_description pre').first().innerText();
    expect(body).toContain('Visible in docs');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'docs.png'), fullPage: false });

    // an error response shows the message the service really sends
    const update = page.locator('#operations-v1-v1UpdatePortfolio');
    await update.locator('.opblock-summary').click({ timeout: 5000 });
    const conflict = update.locator('tr.response[data-code="409"]');
    await conflict.waitFor({ timeout: 5000 });
    expect(await conflict.locator('.microlight, pre').first().innerText()).toContain('"detail": "Version conflict"');
    const invalid = await update.locator('tr.response[data-code="422"] .microlight, tr.response[data-code="422"] pre').first().innerText();
    expect(JSON.parse(invalid)).toStrictEqual({ detail: [{ loc: ['body', 'version'], msg: 'Field required: version', type: 'missing' }] });
    await update.screenshot({ path: join(ARTIFACTS, 'docs-update-errors.png') });
    expect(problems).toStrictEqual([]);
  });
});
