// Issue 12 acceptance 2 and 7 in a real Chromium, one server for the file: a reviewer signs in to /console through
// KYCPort's own provider (password, then the authenticator code), opens the queue, claims a t2 case from the
// keyboard, approves it, and the tenant's status API shows the person verified; a t3 approval waits until a
// second reviewer (signed in in another browser context) approves too. Every console page is checked with
// axe-core (0 serious/critical) and for sideways scrolling at 360, 768 and 1280 px, and a screenshot of each goes
// to test-artifacts/screenshots/; so is each of a tenant owner's self-service pages (a key made from the keyboard
// on the way). On Postgres + Redis, a console page during a database cut is the 503 page with Retry-After.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumPresent as present, inCi, seriousAxeViolations } from '../support/chromium.js';
import { nextCode, staffMember, type StaffMember } from '../support/console.js';
import { onRealServices } from '../support/deps.js';
import { seedReviewCase, type SeededCase } from '../support/review.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const WIDTHS = [360, 768, 1280] as const;
if (!present && !inCi) console.warn(`console: skipped, ${CHROMIUM} is not installed (apt-get install chromium); under CI a missing browser fails`);
const SHOTS = path.resolve('test-artifacts/screenshots', onRealServices ? 'postgres-redis' : 'pglite');

let browser: Browser;
let server: TestServer;
let apiKey: string;
let r1: StaffMember;
let r2: StaffMember;
let t2: SeededCase;
let t3: SeededCase;
let hit: SeededCase;
let tenantId: string;
/** On Postgres + Redis the server reaches the database through a proxy the outage test cuts. */
let database: TcpProxy | undefined;

beforeAll(async () => {
  if (!present) {
    if (inCi) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run)`);
    return;
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  if (onRealServices) {
    const u = new URL(process.env.DATABASE_URL!);
    database = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
  }
  [browser, server] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
    startTestServer({ via: database ? { database: (u) => database!.via(u) } : undefined }),
  ]);
  tenantId = await server.tenant('Console Bank');
  apiKey = (await server.apiKey(tenantId)).api_key;
  r1 = await staffMember(server, 'reviewer', { twoStep: true, email: 'first.reviewer@example.test' });
  r2 = await staffMember(server, 'reviewer', { twoStep: true, email: 'second.reviewer@example.test' });
  t2 = await seedReviewCase(server, { tenantId, level: 't2', amlClear: true });
  t3 = await seedReviewCase(server, { tenantId, level: 't3', amlClear: true });
  hit = await seedReviewCase(server, { tenantId, level: 't2', amlClear: false });
}, 120_000);

afterAll(async () => {
  database?.set('open');
  await browser?.close();
  await server?.close();
  await database?.close();
});

const status = async (sub: string) => (await fetch(`${server.url}/api/v1/kyc/${sub}/status`, { headers: { authorization: `Bearer ${apiKey}` } })).json();

/** axe and no sideways scroll at each width, and a screenshot of each; returns the main text. */
async function check(page: Page, name: string): Promise<string> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(SHOTS, `console-${name}-${width}.png`), fullPage: true });
    expect.soft(await seriousAxeViolations(page), `${name} at ${width}px`).toEqual([]);
    const scroll = await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);
    expect.soft(scroll, `${name}: no sideways scroll at ${width}px`).toBeLessThanOrEqual(0);
  }
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

/** Opens /console in a fresh context and signs in on the provider's pages: password, then the code. */
async function signIn(m: StaffMember, code?: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/console`);
  await page.waitForURL(/\/interaction\//);
  await page.getByLabel('Email').fill(m.email);
  await page.getByLabel('Password').fill(m.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  if (code !== undefined || m.secret) {
    await page.getByLabel(/6-digit code/).fill(code ?? nextCode(m, new Date()));
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
  }
  await page.waitForLoadState();
  return page;
}

/** The decision form filled and sent from the keyboard only. */
async function decideByKeyboard(page: Page, outcome: string, reason: string, note: string) {
  await page.getByRole('radio', { name: outcome }).focus();
  await page.keyboard.press('Space');
  await page.getByLabel(/Reason code/).focus();
  await page.getByLabel(/Reason code/).selectOption(reason);
  await page.getByLabel(/^Note/).focus();
  await page.keyboard.type(note);
  await page.getByRole('button', { name: 'Record the decision' }).focus();
  await Promise.all([page.waitForURL(/\/console\/queue/), page.keyboard.press('Enter')]);
}

describe.skipIf(!present && !inCi)(`the console in Chromium${present ? '' : ` (skipped: no ${CHROMIUM})`}`, () => {
  it('a reviewer without two-step sign-in is sent to set it up', async () => {
    const m = await staffMember(server, 'reviewer');
    const page = await signIn(m);
    expect(await check(page, 'mfa-required')).toContain('Two-step sign-in required');
    await page.context().close();
  });

  it('password + TOTP opens the queue; a t2 case is claimed and approved from the keyboard; the status API shows verified', async () => {
    const page = await signIn(r1);
    await page.waitForURL(/\/console\/queue$/);
    const queue = await check(page, 'queue');
    expect(queue).toContain(t2.caseId);
    expect(queue).toContain('Target: decided within 24 hours');

    await page.getByRole('button', { name: `Claim ${t2.caseId}` }).focus();
    await Promise.all([page.waitForURL(new RegExp(`/console/cases/${t2.caseId}$`)), page.keyboard.press('Enter')]);
    const view = await check(page, 'case');
    for (const part of ['Machine-readable zone', 'face.match', 'Screening', 'History', 'You hold the claim']) expect(view).toContain(part);
    // The images decrypt and render (served by their own no-store route).
    const widths = await page.locator('.gallery img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    expect(widths.length).toBeGreaterThanOrEqual(2);
    expect(widths.every((w) => w > 0)).toBe(true);

    expect(await status(t2.sub)).toMatchObject({ kyc_status: 'pending' });
    await decideByKeyboard(page, 'Approve', 'documents_verified', 'Portrait and MRZ checked.');
    expect(await page.getByRole('status').innerText()).toContain('approved');
    expect(await status(t2.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2', human_verified: true, verification_method: 'human' });

    // A screening hit is shown next to the applicant; the reviewer may clear it.
    await page.goto(`${server.url}/console/cases/${hit.caseId}`);
    const screening = await check(page, 'case-screening-hit');
    expect(screening).toContain('Erika Mustermann');
    expect(screening).toContain('Applicant');

    // t3: the first approval is held for a second reviewer.
    await page.goto(`${server.url}/console/cases/${t3.caseId}`);
    await decideByKeyboard(page, 'Approve', 'documents_verified', 'Video identification done.');
    expect(await check(page, 'queue-after-first-t3-approval')).toContain('waits for a second reviewer');
    expect(await status(t3.sub)).toMatchObject({ kyc_status: 'pending' });
    await page.context().close();
  }, 120_000);

  it('a second, different reviewer approves the t3 case: verified t3', async () => {
    const page = await signIn(r2);
    await page.waitForURL(/\/console\/queue$/);
    expect(await page.locator('main').innerText()).toContain('Awaiting a second reviewer');
    await page.goto(`${server.url}/console/cases/${t3.caseId}`);
    expect(await check(page, 'case-second-reviewer')).toContain('a t3 approval needs a second, different reviewer');
    await decideByKeyboard(page, 'Approve', 'documents_verified', 'Second look: agreed.');
    expect(await status(t3.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't3', human_verified: true, verification_method: 'human' });
    await page.context().close();
  }, 120_000);

  it("a tenant owner's self-service pages pass axe at every width; a key is created from the keyboard", async () => {
    const owner = await staffMember(server, 'owner', { tenantId, email: 'tenant.owner@example.test' });
    const page = await signIn(owner);
    await page.goto(`${server.url}/console/t/${tenantId}/keys`);
    expect(await check(page, 'tenant-keys')).toContain('Create a key');
    await page.getByLabel('Name').fill('from the browser');
    await page.getByRole('checkbox', { name: 'status:read' }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Create the key' }).focus();
    await Promise.all([page.waitForLoadState(), page.keyboard.press('Enter')]);
    expect(await check(page, 'tenant-key-created')).toContain('shown only this once');
    for (const section of ['clients', 'webhooks', 'activity', 'branding', 'usage']) {
      await page.goto(`${server.url}/console/t/${tenantId}/${section}`);
      await check(page, `tenant-${section}`);
    }
    // A client made from the form: its secret is shown once.
    await page.goto(`${server.url}/console/t/${tenantId}/clients`);
    await page.locator('#client-name').fill('Browser client');
    await page.locator('#client-ru').fill('https://rp.example/callback');
    await Promise.all([page.waitForLoadState(), page.getByRole('button', { name: 'Create the client' }).click()]);
    expect(await check(page, 'tenant-client-created')).toMatch(/Client secret .*shown only this once|shown only this once.*Client secret/);
    // The tenant's own home and the console's home for a tenant role.
    await page.goto(`${server.url}/console/t/${tenantId}`);
    await check(page, 'tenant-home');
    await page.goto(`${server.url}/console`);
    await check(page, 'home-tenant-owner');
    await page.context().close();
    // A person without any role: the refusal page.
    const person = await server.person();
    const stranger = await signIn({ personId: person.id, email: person.email, password: person.password } as StaffMember);
    expect(await check(stranger, 'not-staff')).toMatch(/staff|role/i);
    await stranger.context().close();
  }, 120_000);

  it("the operator's pages: an admin's tenants, tenant, lists and staff, and the audit trail (filtered from the keyboard) for an auditor", async () => {
    const admin = await staffMember(server, 'admin', { twoStep: true, email: 'operator.admin@example.test' });
    const page = await signIn(admin);
    await page.waitForURL(/\/console\/queue$/);
    await page.getByRole('link', { name: 'Tenants' }).click();
    await page.getByLabel('Name').fill('Browser Made Bank');
    await Promise.all([page.waitForURL(/\/console\/tenants\/[\w-]+\?done=created$/), page.getByRole('button', { name: 'Create the tenant' }).click()]);
    expect(await check(page, 'operator-tenant')).toContain('The tenant was created.');
    await page.goto(`${server.url}/console/tenants`);
    expect(await check(page, 'operator-tenants')).toContain('Browser Made Bank');
    await page.goto(`${server.url}/console/lists`);
    expect(await check(page, 'operator-lists')).toContain('Import a list');
    await page.goto(`${server.url}/console/staff`);
    expect(await check(page, 'operator-staff')).toContain('first.reviewer@example.test');
    await page.context().close();

    const auditor = await signIn(await staffMember(server, 'auditor', { email: 'the.auditor@example.test' }));
    await auditor.waitForURL(/\/console\/audit$/);
    expect(await check(auditor, 'audit-trail')).toContain('tenant.created');
    await auditor.getByLabel('Action').focus();
    await auditor.keyboard.type('tenant.created');
    await Promise.all([auditor.waitForURL(/action=tenant.created/), auditor.keyboard.press('Enter')]);
    await auditor.getByRole('button', { name: /Verify the operator's chain/ }).click();
    const filtered = await check(auditor, 'audit-trail-filtered-verified');
    expect(filtered).toMatch(/Chain operator is intact/);
    expect(filtered).not.toContain('role.granted');
    await auditor.context().close();
  }, 120_000);

  it.runIf(onRealServices)('a console page during a database cut: the 503 page with Retry-After, then the queue again', async () => {
    // A reviewer of their own: r1's and r2's codes of this 30-second step are spent (a code is good once).
    const page = await signIn(await staffMember(server, 'reviewer', { twoStep: true, email: 'third.reviewer@example.test' }));
    await page.waitForURL(/\/console\/queue$/);
    database!.set('refuse');
    try {
      const res = await page.goto(`${server.url}/console/queue`);
      expect({ status: res!.status(), retry: res!.headers()['retry-after'] }).toEqual({ status: 503, retry: expect.stringMatching(/^\d+$/) });
      expect(await check(page, 'unavailable-postgres')).toMatch(/unavailable/i);
    } finally {
      database!.set('open');
    }
    for (const t0 = Date.now(); (await fetch(`${server.url}/health/ready`)).status !== 200; ) {
      if (Date.now() - t0 > 30_000) throw new Error('not ready 30 s after the outage');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await page.goto(`${server.url}/console/queue`))!.status()).toBe(200);
    await page.context().close();
  });
});
