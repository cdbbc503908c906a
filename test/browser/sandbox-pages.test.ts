// Test mode's pages in a real Chromium at 360 and 1280 px: /docs/samples and a test-mode session's hosted page
// with its banner. axe-core finds no serious or critical violation and nothing scrolls sideways at 360 px;
// screenshots go to test-artifacts/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumPresent as present, inCi } from '../support/chromium.js';
import { onRealServices } from '../support/deps.js';
import { startTestServer, type TestServer } from '../support/server.js';

const WIDTHS = [360, 1280] as const;
const SHOTS = path.resolve('test-artifacts/screenshots', onRealServices ? 'postgres-redis' : 'pglite');
if (!present && !inCi) console.warn(`sandbox-pages: skipped, ${CHROMIUM} is not installed`);

let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  if (!present) {
    if (inCi) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run)`);
    return;
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  [browser, server] = await Promise.all([chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }), startTestServer()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function check(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
    const found = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }));
    const bad = found.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect.soft(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`), `${name} at ${width}px`).toEqual([]);
    const scroll = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
    if (width === 360) expect.soft(scroll.scroll, `${name}: no sideways scroll at 360px`).toBeLessThanOrEqual(scroll.inner);
  }
}

describe.skipIf(!present)('test mode pages', () => {
  it('/docs/samples and a test session\'s hosted page (with its banner) pass axe at both widths', async () => {
    const page = await browser.newPage();
    expect((await page.goto(`${server.url}/docs/samples`))!.status()).toBe(200);
    await expect.poll(() => page.locator('table img').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).complete))).toBe(true);
    await check(page, 'docs-samples');
    // Where a sandbox session's browser comes back: the status it brought, said to be only a hint.
    await page.goto(`${server.url}/docs/samples?session_id=vs_abc123&status=verified`);
    expect(await page.getByRole('status').innerText()).toMatch(/Session vs_abc123 came back with status verified\. That is a hint/);
    await check(page, 'docs-samples-returned');
    await page.goto(`${server.url}/docs/samples?session_id=<b>x</b>&status=verified`);
    expect(await page.getByRole('status').count()).toBe(0);

    const tenantId = await server.tenant('Sandbox Bank');
    const client = await server.client(tenantId);
    const { api_key } = await server.apiKey(tenantId, undefined, { test: true });
    const res = await fetch(`${server.url}/api/v1/verification/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ level: 't2', redirect_uri: client.redirect_uri }),
    });
    const session = (await res.json()) as { url: string; livemode: boolean };
    expect(session.livemode).toBe(false);
    await page.goto(session.url);
    expect(await page.locator('.test-banner').count()).toBe(1);
    expect(await page.locator('.test-banner').innerText()).toContain('Test mode.');
    await check(page, 'hosted-test-mode');
    await page.close();
  }, 60_000);
});
