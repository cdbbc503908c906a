// Issue 10 follow-up: every page a person sees in the sign-in, account and error flows, opened in a real Chromium
// at phone (360 px) and desktop (1280 px) width. Each page is reached the way a person reaches it (links, forms,
// the emailed link) and the fault pages by the real conditions: the per-address mail limit (429), a full argon2
// queue (503 busy), and on Postgres + Redis a cut connection (503 outage). Per page and width: axe-core finds no
// serious or critical violation, nothing scrolls sideways at 360 px, buttons and fields are big enough to tap,
// and a screenshot goes to test-artifacts/screenshots/ for a person to look at.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, hotp, timeStep, totp } from '../../src/persons/totp.js';
import { CHROMIUM, chromiumPresent as present, inCi } from '../support/chromium.js';
import { onRealServices } from '../support/deps.js';
import { lastMailTo, linkIn } from '../support/mail.js';
import { authRequest, discoverRp } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { openSignInForm } from '../support/sign-in-form.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const WIDTHS = [360, 1280] as const;
if (!present && !inCi) console.warn(`person-pages: skipped, ${CHROMIUM} is not installed (apt-get install chromium); under CI a missing browser fails`);
const SHOTS = path.resolve('test-artifacts/screenshots', onRealServices ? 'postgres-redis' : 'pglite');

let browser: Browser;
let server: TestServer;
let client: { client_id: string; client_secret?: string; redirect_uri: string };
let person: { id: string; email: string; password: string };
const proxies: { database?: TcpProxy; redis?: TcpProxy } = {};
/** Page → width → axe's serious/critical rule ids; printed at the end. */
const results: Record<string, Record<number, string[]>> = {};

beforeAll(async () => {
  if (!present) {
    if (inCi) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run)`);
    return;
  }
  fs.mkdirSync(SHOTS, { recursive: true });
  if (onRealServices) {
    for (const [dep, env, port] of [['database', 'DATABASE_URL', 5432], ['redis', 'REDIS_URL', 6379]] as const) {
      const u = new URL(process.env[env]!);
      proxies[dep] = await startTcpProxy({ host: u.hostname, port: Number(u.port || port) });
    }
  }
  [browser, server] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
    startTestServer({
      // Two mails per address per hour (the 429), and one argon2 check at a time with no queue (the busy page).
      env: { MAIL_PER_ADDRESS_PER_HOUR: '2', PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '0' },
      via: onRealServices ? { database: (u) => proxies.database!.via(u), redis: (u) => proxies.redis!.via(u) } : undefined,
    }),
  ]);
  // The relying party's callback is a page of ours, so the browser lands somewhere after sign-in.
  client = await server.client(await server.tenant('Acme Bank'), { redirectUri: `${server.url}/health/live`, name: 'Acme Online Banking' });
  person = await server.person();
});

afterAll(async () => {
  for (const p of Object.values(proxies)) p.set('open');
  await browser?.close();
  await server?.close();
  for (const p of Object.values(proxies)) await p.close();
  const rows = Object.entries(results).map(([name, by]) => `${name.padEnd(24)} ${WIDTHS.map((w) => `${w}px: ${by[w]?.length ? by[w].join(',') : 'ok'}`).join('  ')}`);
  if (rows.length) console.log(`axe (serious/critical) per page:\n${rows.join('\n')}`);
});

/** Screenshots, axe, sideways scroll and tap sizes at both widths; returns the page's main text. */
async function check(page: Page, name: string): Promise<string> {
  results[name] = {};
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
    const found = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }));
    const bad = found.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    results[name][width] = bad.map((v) => v.id);
    expect.soft(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`), `${name} at ${width}px`).toEqual([]);
    const layout = await page.evaluate(() => ({
      scroll: document.scrollingElement!.scrollWidth,
      inner: window.innerWidth,
      lang: document.documentElement.lang,
      title: document.title,
      main: document.querySelectorAll('main').length,
      // Everything a thumb has to hit: visible buttons, fields and button-styled links.
      small: Array.from(document.querySelectorAll<HTMLElement>('button, input:not([type=hidden]), .button'))
        .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
        .map((el) => `${el.tagName.toLowerCase()} ${el.textContent?.trim() || el.getAttribute('name')}: ${Math.round(el.getBoundingClientRect().height)}px`),
    }));
    expect.soft({ lang: layout.lang, main: layout.main, titled: /· KYCPort$/.test(layout.title) }, name).toEqual({ lang: 'en', main: 1, titled: true });
    if (width === 360) {
      expect.soft(layout.scroll, `${name}: no sideways scroll at 360px`).toBeLessThanOrEqual(layout.inner);
      expect.soft(layout.small, `${name}: tap targets at 360px`).toEqual([]);
    }
  }
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

/** Clicks a submit button and returns the answer to the form's POST (the page it shows). */
async function submit(page: Page, button: string): Promise<Response> {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest());
  await page.getByRole('button', { name: button, exact: true }).click();
  const res = await answer;
  await page.waitForLoadState();
  return res;
}

/** A new browser session on the sign-in page of a fresh authorization request. */
async function signInPage(): Promise<Page> {
  const page = await browser.newPage();
  const req = await authRequest(await discoverRp(server, client), client.redirect_uri, 'openid email');
  await page.goto(req.url.href);
  await page.waitForURL(/\/interaction\//);
  return page;
}

describe.skipIf(!present && !inCi)(`person pages in Chromium${present ? '' : ` (skipped: no ${CHROMIUM}; apt-get install chromium)`}`, () => {
  it('sign-in, and one message for a wrong password tied to the fields', async () => {
    const page = await signInPage();
    expect(await check(page, 'sign-in')).toContain('to continue to Acme Online Banking');
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill('not the password');
    expect((await submit(page, 'Sign in')).status()).toBe(401);
    expect(await check(page, 'sign-in-wrong-password')).toContain('The email address or password is not right.');
    const error = await page.getByRole('alert').getAttribute('id');
    expect(error).toBeTruthy();
    for (const field of ['Email', 'Password']) {
      await expect.poll(() => page.getByLabel(field).getAttribute('aria-describedby')).toContain(error!);
    }
    await page.close();
  });

  it('sign-up, check your mail, send it again, then the 429 with the wait in words; the link chooses the password', async () => {
    const page = await signInPage();
    await page.getByRole('link', { name: 'Create an account' }).click();
    expect(await check(page, 'sign-up')).toContain('We will send you a link');
    const email = `new.${Date.now()}@example.com`;
    await page.getByLabel('Email').fill(email);
    expect((await submit(page, 'Send me the link')).status()).toBe(200);
    expect(await check(page, 'check-your-mail')).toContain(email);
    expect((await submit(page, 'Send the link again')).status()).toBe(200);
    expect(await check(page, 'sent-again')).toContain('sent the link again');
    // A third mail to the address within the hour (MAIL_PER_ADDRESS_PER_HOUR=2).
    const refused = await submit(page, 'Send the link again');
    expect(refused.status()).toBe(429);
    expect(Number(refused.headers()['retry-after'])).toBeGreaterThan(3000);
    expect(await check(page, 'too-many-attempts')).toMatch(/try again in (5\d minutes|1 hour)\./);

    await page.goto(linkIn(lastMailTo(server, email).text, '/verify-email')!);
    expect(await check(page, 'choose-password-signup')).toContain(email);
    await page.getByLabel(/^Password/).fill('a new long password');
    expect((await submit(page, 'Create my account')).status()).toBe(200);
    expect(await check(page, 'account-created')).toContain('Your account is ready');
    await page.close();
  });

  it('forgot password, and choosing a new one from the emailed link', async () => {
    const page = await signInPage();
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    expect(await check(page, 'forgot-password')).toContain('choose a new password');
    await page.getByLabel('Email').fill(person.email);
    expect((await submit(page, 'Send me the link')).status()).toBe(200);
    expect(await check(page, 'check-your-mail-reset')).toContain('to choose a new password');

    await page.goto(linkIn(lastMailTo(server, person.email).text, '/password/reset')!);
    expect(await check(page, 'choose-new-password')).toContain(person.email);
    person.password = 'a brand new password';
    await page.getByLabel(/^New password/).fill(person.password);
    expect((await submit(page, 'Change my password')).status()).toBe(200);
    expect(await check(page, 'password-changed')).toContain('signed out everywhere');
    await page.close();
  });

  it('consent, the account page and changing the password there', async () => {
    const page = await signInPage();
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    expect((await submit(page, 'Sign in')).status()).toBe(303);
    await page.waitForURL(/\/interaction\//);
    expect(await check(page, 'consent')).toContain('Share with Acme Bank?');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(/\/health\/live/);

    await page.goto(`${server.url}/account`);
    expect(await check(page, 'account')).toContain(`Signed in as ${person.email}`);
    await page.getByLabel('Current password').fill('not it');
    await page.getByLabel(/^New password/).fill('another new password');
    expect((await submit(page, 'Change password')).status()).toBe(401);
    expect(await check(page, 'account-wrong-password')).toContain('Your current password is not right.');
    const error = await page.getByRole('alert').getAttribute('id');
    await expect.poll(() => page.getByLabel('Current password').getAttribute('aria-describedby')).toContain(error!);

    await page.getByLabel('Current password').fill(person.password);
    await page.getByLabel(/^New password/).fill('another new password');
    expect((await submit(page, 'Change password')).status()).toBe(200);
    expect(await check(page, 'password-changed-account')).toContain('Your password is changed.');
    person.password = 'another new password';
    await page.close();
  });

  it('two-step sign-in: turn on (QR code, key, URI), recovery codes, the account with it on, and the code page', async () => {
    const me = await server.person();
    let page = await signInPage();
    await page.getByLabel('Email').fill(me.email);
    await page.getByLabel('Password').fill(me.password);
    await submit(page, 'Sign in');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(/\/health\/live/);
    await page.goto(`${server.url}/account`);
    expect(await check(page, 'account-two-step-off')).toContain('Two-step sign-in is off');
    await page.getByLabel('Your password').fill(me.password);
    expect((await submit(page, 'Turn on two-step sign-in')).status()).toBe(200);

    expect(await check(page, 'two-step-enrol')).toContain('Scan this QR code');
    await expect.poll(() => page.locator('figure.qr svg[role=img]').count()).toBe(1);
    const [key, uri] = await page.locator('main code').allInnerTexts();
    expect(key).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    expect(uri).toMatch(/^otpauth:\/\/totp\/KYCPort:/);
    // The key and the URI are long unbroken text: at 360 px they wrap inside the card.
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.locator('main code').evaluateAll((els) =>
      els.filter((el) => el.getBoundingClientRect().right > el.closest('main')!.getBoundingClientRect().right).map((el) => el.textContent),
    );
    expect(overflow, 'key and URI wrap at 360px').toEqual([]);
    const secret = base32Decode(key!);
    await page.getByLabel('Enter the 6-digit code the app shows now').fill(totp(secret, new Date()));
    expect((await submit(page, 'Turn on')).status()).toBe(200);
    expect(await check(page, 'two-step-recovery-codes')).toContain('This is the only time they are shown.');
    expect(await page.locator('ul.codes li').allInnerTexts()).toHaveLength(10);

    await page.goto(`${server.url}/account`);
    expect(await check(page, 'account-two-step-on')).toContain('You have 10 unused recovery codes.');
    await page.close();

    page = await signInPage();
    await page.getByLabel('Email').fill(me.email);
    await page.getByLabel('Password').fill(me.password);
    expect((await submit(page, 'Sign in')).status()).toBe(200);
    const field = 'Enter the 6-digit code from your authenticator app';
    expect(await check(page, 'sign-in-code')).toContain('Lost your device?');
    await page.getByLabel(field).fill(hotp(secret, timeStep(new Date()) + 5));
    expect((await submit(page, 'Continue')).status()).toBe(401);
    expect(await check(page, 'sign-in-code-wrong')).toContain('Enter your code');
    const error = await page.getByRole('alert').getAttribute('id');
    await expect.poll(() => page.getByLabel(field).getAttribute('aria-describedby')).toBe(error);
    // The step that turned it on is spent; the next one (within the drift window) finishes the sign-in.
    await page.getByLabel(field).fill(hotp(secret, timeStep(new Date()) + 1));
    expect((await submit(page, 'Continue')).status()).toBe(303);
    await page.close();
  });

  it('the busy page when the argon2 queue is full', async () => {
    const page = await signInPage();
    // Unknown addresses from another session keep the one argon2 slot taken (PASSWORD_HASH_QUEUE=0).
    const flood = await openSignInForm(server, client);
    let flooding = true;
    const workers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; flooding; i++) await (await flood.post(`flood${w}.${i}@example.com`, 'guess')).arrayBuffer();
    });
    let res: Response | undefined;
    try {
      for (let i = 0; i < 20 && res?.status() !== 503; i++) {
        if (res) await page.goBack();
        await page.getByLabel('Email').fill(`nobody${i}@example.com`);
        await page.getByLabel('Password').fill('a guess');
        res = await submit(page, 'Sign in');
      }
    } finally {
      flooding = false;
      await Promise.all(workers);
    }
    expect(res!.status()).toBe(503);
    expect(res!.headers()['retry-after']).toBe('2');
    expect(await check(page, 'busy')).toContain('try again in a few seconds');
    await page.close();
  });

  it.runIf(onRealServices)('"Briefly unavailable" when Redis or Postgres is cut', async () => {
    const page = await signInPage();
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    proxies.redis!.set('refuse');
    try {
      const res = await submit(page, 'Sign in');
      expect({ status: res.status(), retry: res.headers()['retry-after'] }).toEqual({ status: 503, retry: expect.stringMatching(/^\d+$/) });
      expect(await check(page, 'unavailable-redis')).toContain('Nothing is wrong with your account');
    } finally {
      proxies.redis!.set('open');
    }
    // An emailed link (well-formed, so it is looked up) opened while the database is cut.
    proxies.database!.set('refuse');
    try {
      const res = await page.goto(`${server.url}/password/reset?token=${crypto.randomBytes(32).toString('base64url')}`);
      expect({ status: res!.status(), retry: res!.headers()['retry-after'] }).toEqual({ status: 503, retry: expect.stringMatching(/^\d+$/) });
      expect(await check(page, 'unavailable-postgres')).toContain('Nothing is wrong with your account');
    } finally {
      proxies.database!.set('open');
    }
    for (const t0 = Date.now(); (await fetch(`${server.url}/health/ready`)).status !== 200; ) {
      if (Date.now() - t0 > 30_000) throw new Error('not ready 30 s after the outage');
      await new Promise((r) => setTimeout(r, 100));
    }
    await page.close();
  });
});
