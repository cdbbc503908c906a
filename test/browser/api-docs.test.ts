// /docs/api: the API reference rendered on the server from the OpenAPI document, opened in a real Chromium at
// phone (360 px) and desktop (1280 px) width: axe-core finds no serious or critical violation, nothing scrolls
// sideways at 360 px, and the page shows what the document says (operations by tag, scopes, error codes, examples)
// with working links to the JSON document, the Postman collection and the OIDC discovery document.
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, requireChromium, seriousAxeViolations } from '../support/chromium.js';
import { onRealServices } from '../support/deps.js';
import { startTestServer, type TestServer } from '../support/server.js';

const run = requireChromium('api-docs');
const SHOTS = path.resolve('test-artifacts/screenshots', onRealServices ? 'postgres-redis' : 'pglite');

describe.skipIf(!run)('GET /docs/api in Chromium', () => {
  let browser: Browser;
  let server: TestServer;
  let page: Page;

  beforeAll(async () => {
    [browser, server] = await Promise.all([chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }), startTestServer()]);
    page = await browser.newPage();
    const res = await page.goto(`${server.url}/docs/api`);
    expect(res!.status()).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('passes axe at 360 and 1280 px and never scrolls sideways on a phone', async () => {
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      await page.screenshot({ path: path.join(SHOTS, `api-docs-${width}.png`), fullPage: true });
      expect(await seriousAxeViolations(page), `axe at ${width}px`).toEqual([]);
      const layout = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
      if (width === 360) expect(layout.scroll, 'no sideways scroll at 360px').toBeLessThanOrEqual(layout.inner);
    }
    expect(await page.title()).toBe('KYCPort tenant API reference · KYCPort');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
  });

  it('shows every operation by tag with its scope, error codes, schemas and examples', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string; summary: string }>> };
    const ops = Object.values(doc.paths).flatMap((o) => Object.values(o));
    // One article per operation, reachable from the contents.
    for (const op of ops) {
      expect(await page.locator(`article#${op.operationId} h3`).count(), op.operationId).toBe(1);
      expect(await page.locator(`nav a[href="#${op.operationId}"]`).count(), `contents link to ${op.operationId}`).toBe(1);
    }
    expect(await page.getByRole('heading', { level: 2 }).allInnerTexts()).toEqual(expect.arrayContaining(['Authentication', 'Operations', 'kyc', 'verification', 'webhooks', 'reference', 'Schemas']));

    const decide = page.locator('article#postVerificationCasesIdDecide');
    const text = (await decide.innerText()).replace(/\s+/g, ' ');
    expect(text).toContain('POST /api/v1/verification/cases/{id}/decide');
    expect(text).toContain('Needs an API key with the cases:write scope');
    expect(text).toMatch(/409 .*case_closed.*not_uploaded/);
    expect(text).toContain('insufficient_scope');
    // The success example, pretty-printed JSON.
    expect(JSON.parse(await decide.locator('pre.json code').last().innerText())).toMatchObject({ case_id: expect.stringMatching(/^vc_/), status: 'approved' });
    // Schemas are linked and shown as field tables.
    await page.locator('article#getKycPersonIdStatus a[href="#schema-KycStatus"]').first().click();
    expect(await page.locator('article#schema-KycStatus table').innerText()).toContain('kyc_tier');
  });

  it('links to the JSON document, the Postman collection and OIDC discovery, all answering', async () => {
    const links = await page.locator('ul.doc-links a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links).toEqual([`${server.url}/api/v1/openapi.json`, `${server.url}/api/v1/postman-collection`, `${server.deps.config.publicUrl}/.well-known/openid-configuration`]);
    for (const href of links) expect((await fetch(href)).status, href).toBe(200);
  });
});
