// Issue 11 acceptance 1, end to end in a real Chromium: a relying party built with openid-client asks for
// `acr_values=urn:kycport:tier:t2`; a new person signs up (the emailed link from the mail spool), signs in, is sent
// through the hosted flow inside the sign-in, photographs the passport and their face with the camera (Chromium's
// fake camera playing .y4m files made from the test passport and a face photo), the real engines decide, the
// person consents, and the callback's ID token carries acr t2 and kyc_tier t2. Every page of the walk is
// screenshot at 360 and 1280 px and checked with axe-core.
//
// One fake camera per browser process (a Chromium flag), so the walk starts in the "document camera" browser and
// continues in the "selfie camera" browser with the same cookies, as a person would move to a phone's front camera.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as oidc from 'openid-client';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importListFile } from '../../src/screening/index.js';
import { FTM_FIXTURE } from '../fixtures/screening/index.js';
import { launchWithCamera, requireChromium, runBrowserTests, seriousAxeViolations } from '../support/chromium.js';
import { onRealServices } from '../support/deps.js';
import { generatePassport } from '../support/documents/index.js';
import { lastMailTo, linkIn } from '../support/mail.js';
import { authRequest, discoverRp } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { writeY4m } from '../support/y4m.js';
import { personA } from '../verification/engine/face/samples.js';

const SHOTS = path.resolve('test-artifacts/screenshots/step-up', onRealServices ? 'postgres-redis' : 'pglite');
const WIDTHS = [360, 1280] as const;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-step-up-'));
const browsers: { document?: Browser; selfie?: Browser } = {};
let server: TestServer;
let client: { client_id: string; client_secret?: string; redirect_uri: string };
let country: string;
/** Page name → axe's serious/critical findings at each width. */
const axeFound: Record<string, string[]> = {};

beforeAll(async () => {
  if (!requireChromium('step-up-camera')) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  const passport = await generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: 'STP2468013' } });
  country = passport.fields.issuingState;
  const selfie = await personA.find((x) => x.id === 'grid-0-15')!.load();
  // Each camera's frame has its picture's own size (even sides, as 4:2:0 needs): nothing is letterboxed or scaled
  // on the way in, so what the engines judge is what the capture script made of a camera frame.
  const even = (n: number) => n - (n % 2);
  const frame = async (image: Buffer) => sharp(image).metadata().then((m) => ({ width: even(m.width!), height: even(m.height!), fps: 5 }));
  await writeY4m(path.join(tmp, 'document.y4m'), [{ image: passport.image, frames: 2 }], await frame(passport.image));
  await writeY4m(path.join(tmp, 'selfie.y4m'), [{ image: selfie, frames: 2 }], await frame(selfie));
  [server, browsers.document, browsers.selfie] = await Promise.all([startTestServer(), launchWithCamera(path.join(tmp, 'document.y4m')), launchWithCamera(path.join(tmp, 'selfie.y4m'))]);
  await importListFile(server.deps.db, FTM_FIXTURE); // t2 includes sanctions screening
  // The relying party's callback is a page of ours, so the browser lands somewhere the test can read the code from.
  client = await server.client(await server.tenant('Acme Bank'), { redirectUri: `${server.url}/health/live`, name: 'Acme Online Banking' });
}, 180_000);

afterAll(async () => {
  await browsers.document?.close();
  await browsers.selfie?.close();
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  const rows = Object.entries(axeFound).map(([name, bad]) => `${name.padEnd(22)} ${bad.length ? bad.join(', ') : 'ok'}`);
  if (rows.length) console.log(`axe (serious/critical) per page of the step-up walk:\n${rows.join('\n')}`);
});

/** Screenshots at both widths and axe at each; back to the phone width. */
async function check(page: Page, name: string): Promise<void> {
  const bad: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    bad.push(...(await seriousAxeViolations(page)).map((v) => `${width}px ${v}`));
  }
  await page.setViewportSize({ width: WIDTHS[0], height: 800 });
  axeFound[name] = bad;
  expect.soft(bad, `axe on ${name}`).toEqual([]);
}

/** A page that records script errors and CSP violations (the hosted pages run under a strict nonce CSP). */
async function newPage(context: BrowserContext, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
  return page;
}

const heading = (page: Page) => page.locator('h1').innerText();

/** Camera → take → use → upload, on the capture page in front of it; waits for the next page's heading. */
async function captureWithCamera(page: Page, name: string, next: RegExp): Promise<void> {
  await check(page, name);
  await page.getByRole('button', { name: 'Use camera' }).click();
  await expect.poll(() => page.locator('video').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0);
  await check(page, `${name}-camera`);
  await page.getByRole('button', { name: 'Take photo' }).click();
  await page.getByRole('button', { name: 'Use this photo' }).click();
  await expect.poll(() => page.locator('.kp-status').innerText()).toContain('Photo added');
  await page.getByRole('button', { name: 'Upload and continue' }).click();
  await expect.poll(() => heading(page), { timeout: 60_000 }).toMatch(next);
}

describe.runIf(runBrowserTests)('camera step-up inside sign-in (issue 11 acceptance 1)', () => {
  it('acr_values t2 → sign-up by mail → sign-in → camera capture of passport and face → decided → consent → ID token acr t2, kyc_tier t2', async () => {
    const problems: string[] = [];
    const config = await discoverRp(server, client);
    const req = await authRequest(config, client.redirect_uri, 'openid email kyc', { acr_values: 'urn:kycport:tier:t2' });
    const first = await browsers.document!.newContext({ viewport: { width: 360, height: 800 } });
    const page = await newPage(first, problems);

    // A new person: sign-up sends a link; the link's page sets the password and creates the account.
    await page.goto(req.url.href);
    const signIn = page.url();
    expect(signIn).toMatch(/\/interaction\/[^/]+$/);
    await page.getByRole('link', { name: 'Create an account' }).click();
    const email = `step.up.${Date.now()}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send me the link' }).click();
    await page.goto(linkIn(lastMailTo(server, email).text, '/verify-email')!);
    await page.getByLabel(/^Password/).fill('a long new password');
    await page.getByRole('button', { name: 'Create my account' }).click();
    await expect.poll(() => page.locator('main').innerText()).toContain('Your account is ready');

    // Back to the same sign-in: below t2, the interaction sends the person into the hosted flow.
    await page.goto(signIn);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a long new password');
    await Promise.all([page.waitForURL(/\/verify\/step-up\//), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(await heading(page)).toBe('Verify your identity for Acme Bank');
    await check(page, 'step-up-intro');
    await Promise.all([page.waitForURL(/\/verify\/s\/vs_[^/]+$/), page.getByRole('button', { name: 'Continue' }).click()]);
    const sessionPage = page.url();
    expect(await heading(page)).toBe('Choose your document');
    await check(page, 'choose-document');
    await page.getByLabel('Passport').check();
    await page.getByLabel(/^Issuing country/).fill(country);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => heading(page)).toBe('Photo of your document');
    await captureWithCamera(page, 'capture-document', /^A photo of your face$/);

    // The selfie is taken with the other camera: same person, same cookies, the flow resumes where it stopped.
    const second = await browsers.selfie!.newContext({ viewport: { width: 360, height: 800 }, storageState: await first.storageState() });
    const phone = await newPage(second, problems);
    await phone.goto(sessionPage);
    expect(await heading(phone)).toBe('A photo of your face');
    await captureWithCamera(phone, 'capture-selfie', /^(Checking your photos|You are verified)$/);

    // Processing updates by itself and lands on the result; Continue goes back into the sign-in, to consent.
    if ((await heading(phone)) === 'Checking your photos') await check(phone, 'processing');
    await expect.poll(() => heading(phone), { timeout: 90_000 }).toMatch(/^(You are verified|We could not verify you|A person will check your documents)$/);
    // On another outcome the message names the engine's reasons (the person's page rightly does not).
    const decided = await server.deps.db.knex('verification_cases').orderBy('created_at', 'desc').first('decision');
    expect(await heading(phone), JSON.stringify(decided?.decision)).toBe('You are verified');
    await check(phone, 'result-verified');
    await Promise.all([phone.waitForURL(/\/interaction\/[^/]+$/), phone.getByRole('link', { name: /^Continue to / }).click()]);
    await check(phone, 'consent');
    expect(await phone.locator('main').innerText()).not.toMatch(/\bkyc\b|openid/);
    await Promise.all([phone.waitForURL((u) => u.pathname === '/health/live'), phone.getByRole('button', { name: 'Allow' }).click()]);

    // The relying party redeems the code with openid-client (PKCE, state and nonce checked).
    const tokens = await oidc.authorizationCodeGrant(config, new URL(phone.url()), { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    const claims = tokens.claims()!;
    expect(claims.acr).toBe('urn:kycport:tier:t2');
    expect(claims.kyc_tier).toBe('t2');
    expect(claims.kyc_status).toBe('verified');
    expect(problems).toEqual([]);
    await first.close();
    await second.close();
  });
});
