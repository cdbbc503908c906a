// Issue 11 §2 and acceptance 5: every hosted verification page not already walked by step-up-camera.test.ts,
// reached in Chromium the way a person reaches it: the tenant opens a session with the sessions API and the person
// opens its `url`. This is the upload-fallback run (no camera flags: photos go in through the file inputs): the
// link's sign-in page, the provider's sign-in (and consent) from there, the ID card path (front + back) with a
// wrong file type shown as the API's error tied to its field, verified, the redirect to the tenant; a used link
// and another browser; a retake (the back of the ID card missing) and a rejection, in German; the t3 head-turn
// page and its processing page (a t1 decision is often done before the browser follows the redirect, so the
// processing page is checked where it is seen, and always for t3); expired and unknown links. Per page and width (360, 1280): a screenshot, axe-core with no
// serious or critical violation, no sideways scroll at 360 px, and no CSP violation or script error.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { requireChromium, runBrowserTests, CHROMIUM, seriousAxeViolations } from '../support/chromium.js';
import { onRealServices } from '../support/deps.js';
import { generateIdCard, generatePassport } from '../support/documents/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { personA } from '../verification/engine/face/samples.js';

const SHOTS = path.resolve('test-artifacts/screenshots/hosted', onRealServices ? 'postgres-redis' : 'pglite');
const WIDTHS = [360, 1280] as const;
const clock = new ManualClock(new Date());
let browser: Browser;
let server: TestServer;
let apiKey: string;
let redirectUri: string;
let card: Awaited<ReturnType<typeof generateIdCard>>;
/** Page name → axe's serious/critical findings (both widths); printed at the end for the report. */
const axeFound: Record<string, string[]> = {};

beforeAll(async () => {
  if (!requireChromium('hosted-pages')) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  [browser, server, card] = await Promise.all([
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
    startTestServer({ clock }),
    generateIdCard({ portrait: 'personA_webcam', fields: { documentNumber: 'PGS123456' } }),
  ]);
  const tenant = await server.tenant('Acme Bank');
  apiKey = (await server.apiKey(tenant)).api_key;
  // The tenant's redirect_uri is a page of ours, so the browser lands somewhere the test can read the query of.
  redirectUri = (await server.client(tenant, { redirectUri: `${server.url}/health/live`, name: 'Acme Online Banking' })).redirect_uri;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  const rows = Object.entries(axeFound).map(([name, bad]) => `${name.padEnd(26)} ${bad.length ? bad.join(', ') : 'ok'}`);
  if (rows.length) console.log(`axe (serious/critical) per hosted page:\n${rows.join('\n')}`);
});

/** What the tenant's back-end does: a session by the sessions API; the person gets its `url`. */
async function newSession(body: Record<string, unknown> = {}): Promise<{ id: string; url: string }> {
  const res = await fetch(`${server.url}/api/v1/verification/sessions/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ level: 't1', redirect_uri: redirectUri, ...body }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string };
}

/** A browser context whose pages record script errors and CSP violations into `problems`. */
async function newContext(problems: string[], locale = 'en-GB'): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale });
  // Said on the console by the page itself, so a violation is caught even where Chromium would only warn.
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
  context.on('page', (page) => {
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    // Error statuses (a 415 page, a 410 link) are pages the test asks for, not script problems.
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`${page.url()}: ${m.text()}`));
  });
  return context;
}

/** Screenshots, axe, sideways scroll at both widths; back to the phone width. Returns the main text. */
async function check(page: Page, name: string, lang = 'en'): Promise<string> {
  const bad: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    bad.push(...(await seriousAxeViolations(page)).map((v) => `${width}px ${v}`));
    const layout = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth, lang: document.documentElement.lang }));
    expect.soft(layout.lang, `${name}: lang`).toBe(lang);
    if (width === 360) expect.soft(layout.scroll, `${name}: no sideways scroll at 360px`).toBeLessThanOrEqual(layout.inner);
  }
  await page.setViewportSize({ width: WIDTHS[0], height: 800 });
  axeFound[name] = bad;
  expect.soft(bad, `axe on ${name}`).toEqual([]);
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

const heading = (page: Page) => page.locator('h1').innerText();

/** Clicks a submit button and waits for the page its POST ends on (after any redirect); returns its status. */
async function submit(page: Page, button: string | RegExp): Promise<number> {
  const first = (r: Request): Request => r.redirectedFrom() ? first(r.redirectedFrom()!) : r;
  const answer = page.waitForResponse((r) => r.request().isNavigationRequest() && (r.status() < 300 || r.status() >= 400) && first(r.request()).method() === 'POST');
  await page.getByRole('button', { name: button, exact: typeof button === 'string' }).click();
  const res = await answer;
  await page.waitForLoadState();
  return res.status();
}

/** From the link's sign-in page through the provider's pages (consent when it asks) back to the session's page. */
async function signIn(page: Page, id: string, opts: { checkPages?: boolean; lang?: string } = {}): Promise<void> {
  const person = await server.person();
  await Promise.all([page.waitForURL(/\/interaction\/[^/]+$/), page.getByRole('link', { name: /^(Sign in or create an account|Anmelden oder Konto anlegen)$/ }).click()]);
  if (opts.checkPages) expect(await check(page, 'provider-sign-in')).toContain('Create an account');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const onSession = (u: URL) => u.pathname === `/verify/s/${id}`;
  await expect.poll(async () => onSession(new URL(page.url())) || (await page.getByRole('button', { name: 'Allow' }).count()) > 0, { timeout: 30_000 }).toBe(true);
  if (!onSession(new URL(page.url()))) {
    if (opts.checkPages) await check(page, 'provider-consent');
    await Promise.all([page.waitForURL(onSession), page.getByRole('button', { name: 'Allow' }).click()]);
  }
}

/** Picks a file for the capture form's file input (the upload fallback) and sends it. */
async function upload(page: Page, file: File | File[]): Promise<number> {
  await page.locator('input[type=file]').setInputFiles(file);
  return submit(page, /^(Upload and continue|Hochladen und weiter)$/);
}
type File = { name: string; mimeType: string; buffer: Buffer };
const jpeg = (name: string, buffer: Buffer): File => ({ name, mimeType: 'image/jpeg', buffer });

/** Holds the processing page's polling until released, so the page is checked before it moves on by itself. */
async function holdPolling(page: Page): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/state.json', async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

/**
 * The processing page, when the decision is still running as the browser arrives (a t1 decision can be done
 * before the redirect is followed: then the result page is the next page, as it is for the person).
 */
async function checkProcessing(page: Page, name: string, lang: 'en' | 'de' = 'en'): Promise<void> {
  if ((await heading(page)) !== (lang === 'de' ? 'Ihre Fotos werden geprüft' : 'Checking your photos')) return;
  expect(await check(page, name, lang)).toContain(lang === 'de' ? 'Diese Seite aktualisiert sich selbst' : 'This page updates by itself');
  expect(await page.locator('#progress').getAttribute('aria-live')).toBe('polite');
}

describe.runIf(runBrowserTests)('hosted verification pages in Chromium, upload fallback (issue 11 §2, acceptance 5)', () => {
  it('link → sign-in → ID card front (a wrong file first) and back → verified → the tenant gets session_id and status only; used link, other browser', async () => {
    const problems: string[] = [];
    const s = await newSession({ external_user_id: 'pages-1' });
    const mine = await newContext(problems);
    const page = await mine.newPage();
    await page.goto(s.url);
    expect(new URL(page.url()).pathname).toBe(`/verify/s/${s.id}`);
    expect(await check(page, 'link-sign-in')).toContain('Acme Bank asks you to verify your identity');

    // The link opens once: another browser gets the "used" page, and the session's own page says where to go on.
    const others = await newContext(problems);
    const other = await others.newPage();
    expect((await other.goto(s.url))!.status()).toBe(410);
    expect(await check(other, 'link-used')).toContain('ask for a new link');
    expect((await other.goto(`${server.url}/verify/s/${s.id}`))!.status()).toBe(403);
    expect(await check(other, 'other-browser')).toContain('tied to the browser that opened its link');
    await others.close();

    await signIn(page, s.id, { checkPages: true });
    expect(await heading(page)).toBe('Choose your document');
    // A two-letter country code: the page says so at the field.
    await page.getByLabel('Identity card').check();
    await page.getByLabel(/^Issuing country/).fill('DE');
    expect(await submit(page, 'Continue')).toBe(400);
    expect(await check(page, 'choose-error')).toContain('three-letter code');
    await expect.poll(() => page.getByLabel(/^Issuing country/).getAttribute('aria-describedby')).toContain('field-error');
    await page.getByLabel('Identity card').check();
    await page.getByLabel(/^Issuing country/).fill(card.fields.issuingState);
    expect(await submit(page, 'Continue')).toBe(200);

    expect(await heading(page)).toBe('Photo of your document');
    expect(await check(page, 'capture-id-front')).toContain('The front of your identity card');
    // Not a photo: the case API's own message, on the step's page, tied to the file field.
    expect(await upload(page, { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('plain text, not a photo') })).toBe(415);
    expect(await check(page, 'capture-wrong-type')).toContain('only JPEG, PNG and WebP images are accepted');
    const file = page.locator('input[type=file]');
    expect(await file.getAttribute('aria-invalid')).toBe('true');
    expect(await file.getAttribute('aria-describedby')).toContain('field-error');
    expect(await page.locator('#field-error').getAttribute('role')).toBe('alert');
    expect(await upload(page, jpeg('front.jpg', card.front))).toBe(200);

    expect(await heading(page)).toBe('Back of your identity card');
    await check(page, 'capture-id-back');
    const release = await holdPolling(page);
    expect(await upload(page, jpeg('back.jpg', card.back))).toBe(200);
    await checkProcessing(page, 'processing');
    release();
    await expect.poll(() => heading(page), { timeout: 120_000 }).toMatch(/^(You are verified|We could not verify you|A person will check your documents)$/);
    const row = await server.services.sessions.byId(s.id);
    expect(await heading(page), JSON.stringify(row?.reasons)).toBe('You are verified');
    await check(page, 'result-verified');

    // Continue: to the tenant's redirect_uri with the session id and its status, never the outcome details.
    await Promise.all([page.waitForURL((u) => u.pathname === '/health/live'), page.getByRole('link', { name: 'Continue to Acme Bank' }).click()]);
    const back = new URL(page.url());
    expect(back.origin + back.pathname).toBe(redirectUri);
    expect([...back.searchParams.keys()].sort()).toEqual(['session_id', 'status']);
    expect(Object.fromEntries(back.searchParams)).toEqual({ session_id: s.id, status: 'verified' });
    expect(problems).toEqual([]);
    await mine.close();
  }, 240_000);

  it('in German: a passport chosen for an ID card asks for a retake in plain words; the retake with a document backing someone else is not verified', async () => {
    const problems: string[] = [];
    const context = await newContext(problems, 'de-DE');
    const page = await context.newPage();
    const s = await newSession();
    await page.goto(s.url);
    expect(await check(page, 'link-sign-in-de', 'de')).toContain('Acme Bank');
    await signIn(page, s.id);
    expect(await heading(page)).toBe('Dokument wählen');
    await page.getByLabel('Reisepass').check();
    await page.getByLabel(/^Ausstellendes Land/).fill(card.fields.issuingState);
    await submit(page, 'Weiter');
    let release = await holdPolling(page);
    expect(await upload(page, jpeg('front.jpg', card.front))).toBe(200);
    await checkProcessing(page, 'processing-de', 'de');
    release();
    // The processing page moves on by itself to the choice, with what to do differently.
    await expect.poll(() => heading(page), { timeout: 120_000 }).toBe('Dokument wählen');
    expect(await check(page, 'retake-de', 'de')).toContain('Die Rückseite des Ausweises wird gebraucht');
    // The same page in English (ui_locales wins over Accept-Language).
    await page.goto(`${server.url}/verify/s/${s.id}?ui_locales=en`);
    expect(await check(page, 'retake')).toContain('The back of the identity card is needed');
    await page.goto(`${server.url}/verify/s/${s.id}`);

    // The retake: the ID card of the first test's verified person, front and back — one document backs one person.
    await page.getByLabel('Personalausweis').check();
    await submit(page, 'Weiter');
    await upload(page, jpeg('front.jpg', card.front));
    release = await holdPolling(page);
    await upload(page, jpeg('back.jpg', card.back));
    await checkProcessing(page, 'processing-retake-de', 'de');
    release();
    await expect.poll(() => heading(page), { timeout: 120_000 }).toMatch(/^(Wir konnten Sie nicht bestätigen|Ein Mensch prüft Ihre Dokumente)$/);
    const status = (await server.services.sessions.byId(s.id))!.status;
    await check(page, `result-${status}-de`, 'de');
    await page.goto(`${server.url}/verify/s/${s.id}?ui_locales=en`);
    expect(await check(page, `result-${status}`)).toMatch(/We could not verify you|A person will check your documents/);
    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);

  it('t3: after the passport and the selfie, the head-turn page names the challenge and takes several photos; still photos are not a head turn', async () => {
    const problems: string[] = [];
    const [passport, selfie] = await Promise.all([
      generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: 'PGS7654333' } }),
      personA.find((x) => x.id === 'grid-0-15')!.load(),
    ]);
    const context = await newContext(problems);
    const page = await context.newPage();
    const s = await newSession({ level: 't3' });
    await page.goto(s.url);
    await signIn(page, s.id);
    await page.getByLabel('Passport').check();
    await page.getByLabel(/^Issuing country/).fill(passport.fields.issuingState);
    await submit(page, 'Continue');
    expect(await upload(page, jpeg('passport.jpg', passport.image))).toBe(200);
    expect(await heading(page)).toBe('A photo of your face');
    expect(await upload(page, jpeg('selfie.jpg', selfie))).toBe(200);
    expect(await heading(page)).toBe('Turn your head');
    expect(await check(page, 'capture-liveness')).toMatch(/Follow the instructions: .+\./);
    expect(await page.locator('input[type=file]').getAttribute('multiple')).not.toBeNull();
    expect(await page.locator('form[data-challenge]').count()).toBe(1);
    // The frames (here the same still photo, no turn at all; no sanctions list loaded): decided, not verified.
    const release = await holdPolling(page);
    expect(await upload(page, Array.from({ length: 8 }, (_, i) => jpeg(`frame-${i}.jpg`, selfie)))).toBe(200);
    // Head-turn frames take the engines seconds: this processing page is always seen (and must pass).
    expect(await heading(page)).toBe('Checking your photos');
    await checkProcessing(page, 'processing-t3');
    release();
    await expect.poll(() => heading(page), { timeout: 120_000 }).toMatch(/^(We could not verify you|A person will check your documents)$/);
    const row = (await server.services.sessions.byId(s.id))!;
    expect(row.reasons).toContain('challenge_not_followed');
    expect(await check(page, `result-${row.status}-t3`)).toMatch(/Acme Bank will (tell you|be told)/);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  it('an expired link, an expired session in its own browser, and an unknown link give clear pages (fake clock)', async () => {
    const problems: string[] = [];
    const opened = await newSession();
    const unopened = await newSession();
    const context = await newContext(problems);
    const page = await context.newPage();
    await page.goto(opened.url);
    expect(await heading(page)).toBe('Sign in to continue');
    clock.advance(25 * 3_600_000);
    expect((await server.services.sessions.expireDue()).expired).toBeGreaterThanOrEqual(2);

    await page.goto(`${server.url}/verify/s/${opened.id}`);
    expect(await check(page, 'result-expired')).toContain('Please ask Acme Bank for a new link');
    const stranger = await newContext(problems);
    const other = await stranger.newPage();
    expect((await other.goto(unopened.url))!.status()).toBe(410);
    expect(await check(other, 'link-expired')).toContain('Verification links work for 24 hours');
    expect((await other.goto(`${server.url}/verify/l/${'A'.repeat(43)}`))!.status()).toBe(404);
    expect(await check(other, 'link-unknown')).toContain('Check that you copied the whole link');
    expect(problems).toEqual([]);
    await stranger.close();
    await context.close();
  }, 120_000);
});
