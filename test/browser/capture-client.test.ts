// Issue 11 §2.3/2.4 client side: the hosted capture script (/assets/hosted/verify.js) in real Chromium with a fake
// camera fed from .y4m files generated from the test passport and a face photo. Camera path (document, selfie),
// the file-input fallback when getUserMedia is missing or refused, the head-turn recording, the self-updating
// processing page, German text from the page's catalogue; axe and screenshots at 360 and 1280 px.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaptureFixture, type CaptureFixture } from '../support/capture-fixture.js';
import { launchWithCamera, requireChromium, runBrowserTests, seriousAxeViolations } from '../support/chromium.js';
import { generatePassport, PORTRAITS } from '../support/documents/index.js';
import { writeY4m } from '../support/y4m.js';

const SHOTS = path.resolve('test-artifacts/screenshots/capture');
const WIDTHS = [360, 1280] as const;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-y4m-'));
let fixture: CaptureFixture;
let passport: Buffer;
let face: Buffer;
/** One browser per fake camera: the document camera films the passport, the selfie camera a face. */
const browsers: { document?: Browser; selfie?: Browser } = {};

beforeAll(async () => {
  if (!requireChromium('capture-client')) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  passport = (await generatePassport({ seed: 11 })).image;
  const p = PORTRAITS.personB;
  face = await sharp(p.path).extract(p.crop).jpeg().toBuffer();
  // Frame sizes above and below the caps: the document (1920 wide) must come back at 1600, the selfie at 1024.
  await writeY4m(path.join(tmp, 'document.y4m'), [{ image: passport, frames: 2 }], { width: 1920, height: 1080, fps: 5 });
  await writeY4m(path.join(tmp, 'selfie.y4m'), [{ image: face, frames: 2 }], { width: 1280, height: 720, fps: 5 });
  [fixture, browsers.document, browsers.selfie] = await Promise.all([
    startCaptureFixture(),
    launchWithCamera(path.join(tmp, 'document.y4m')),
    launchWithCamera(path.join(tmp, 'selfie.y4m')),
  ]);
});

afterAll(async () => {
  await browsers.document?.close();
  await browsers.selfie?.close();
  await fixture?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A page that fails the test on any CSP violation or script error (the contract's CSP is on every page). */
async function open(browser: Browser, url: string, init?: () => void): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 360, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.status()} ${r.url()}`));
  if (init) await page.addInitScript(init);
  await page.goto(fixture.url + url);
  return { page, problems };
}

async function shots(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    expect.soft(await seriousAxeViolations(page), `${name} at ${width}px`).toEqual([]);
    if (width === 360) expect.soft(await page.evaluate(() => document.scrollingElement!.scrollWidth), `${name}: no sideways scroll`).toBeLessThanOrEqual(360);
  }
  await page.setViewportSize({ width: 360, height: 800 });
}

/** Clicks the form's Continue and returns what the endpoint recorded. */
async function send(page: Page): Promise<CaptureFixture['uploads'][number]> {
  const before = fixture.uploads.length;
  await Promise.all([page.waitForURL(/\/upload$/), page.getByRole('button', { name: 'Continue' }).click()]);
  expect(fixture.uploads.length).toBe(before + 1);
  return fixture.uploads.at(-1)!;
}

/** Mean absolute difference (0–255) between two images reduced to 32×18 greys: does the photo show the source? */
async function difference(a: Buffer, b: Buffer): Promise<number> {
  const small = (x: Buffer) => sharp(x).resize(32, 18, { fit: 'contain', background: { r: 40, g: 44, b: 52 } }).greyscale().raw().toBuffer();
  const [x, y] = await Promise.all([small(a), small(b)]);
  return x.reduce((sum, v, i) => sum + Math.abs(v - y[i]!), 0) / x.length;
}

const isJpeg = (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b.at(-2) === 0xff && b.at(-1) === 0xd9;

describe.skipIf(!runBrowserTests)('hosted capture client in Chromium', () => {
  it('document by camera: preview with a guide, take, check, use; the form posts a 1600 px JPEG of the passport', async () => {
    const { page, problems } = await open(browsers.document!, '/capture/document');
    await page.getByRole('button', { name: 'Use camera' }).click();
    const take = page.getByRole('button', { name: 'Take photo' });
    await expect.poll(() => take.evaluate((b) => b === document.activeElement)).toBe(true);
    await expect.poll(() => page.locator('video').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBe(1920);
    await expect.poll(() => page.locator('.kp-guide-document').isVisible()).toBe(true);
    await shots(page, 'document-camera');
    await take.click();
    const accept = page.getByRole('button', { name: 'Use this photo' });
    await expect.poll(() => accept.evaluate((b) => b === document.activeElement)).toBe(true);
    expect(await page.getByRole('img', { name: 'The photo you just took' }).isVisible()).toBe(true);
    await shots(page, 'document-review');
    await accept.click();
    expect(await page.locator('.kp-status').innerText()).toBe('Photo added. Send it with the button below.');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Continue');
    const got = await send(page);
    expect(got.fields.csrf).toBe('fixture-csrf');
    expect(got.files.map((f) => [f.field, f.filename, f.type])).toEqual([['document', 'document.jpg', 'image/jpeg']]);
    const photo = got.files[0]!.body;
    expect(isJpeg(photo)).toBe(true);
    expect(photo.length).toBeGreaterThan(30_000);
    expect(photo.length).toBeLessThan(1_500_000);
    const meta = await sharp(photo).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 1600, 900]);
    expect(await difference(photo, passport)).toBeLessThan(20);
    expect(await difference(photo, face)).toBeGreaterThan(20);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('selfie by camera: front camera, mirrored preview only, a 1024 px JPEG of the face; Retake reopens the camera, Escape goes back', async () => {
    const { page, problems } = await open(browsers.selfie!, '/capture/selfie');
    await page.getByRole('button', { name: 'Use camera' }).click();
    await page.getByRole('button', { name: 'Take photo' }).click();
    await page.getByRole('button', { name: 'Retake' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Take photo' }).isVisible()).toBe(true);
    // Escape leaves the camera and returns to the photo already taken, focus on Retake.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Retake');
    expect(await page.locator('.kp-stage').isVisible()).toBe(false);
    expect(await page.getByRole('img', { name: 'The photo you just took' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Retake' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Take photo' }).isVisible()).toBe(true);
    expect(await page.locator('video').evaluate((v) => getComputedStyle(v).transform)).toBe('matrix(-1, 0, 0, 1, 0, 0)');
    await shots(page, 'selfie-camera');
    await page.getByRole('button', { name: 'Take photo' }).click();
    await page.getByRole('button', { name: 'Use this photo' }).click();
    const got = await send(page);
    const photo = got.files[0]!.body;
    expect(got.files.map((f) => f.field)).toEqual(['selfie']);
    expect(isJpeg(photo)).toBe(true);
    const meta = await sharp(photo).metadata();
    expect([meta.width, meta.height]).toEqual([1024, 576]);
    expect(await difference(photo, face)).toBeLessThan(20);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('no getUserMedia: the page says so, offers no camera button, and the file input posts the chosen file unchanged', async () => {
    const { page, problems } = await open(browsers.document!, '/capture/document', () => {
      Object.defineProperty(Navigator.prototype, 'mediaDevices', { get: () => undefined });
    });
    await expect.poll(() => page.locator('.kp-status').innerText()).toContain('This browser cannot use a camera here');
    expect(await page.getByRole('button', { name: 'Use camera' }).count()).toBe(0);
    await shots(page, 'document-no-camera');
    await page.getByLabel('Choose a photo').setInputFiles({ name: 'passport.jpg', mimeType: 'image/jpeg', buffer: passport });
    const got = await send(page);
    expect(got.files.map((f) => [f.field, f.filename])).toEqual([['document', 'passport.jpg']]);
    expect(crypto.createHash('sha256').update(got.files[0]!.body).digest('hex')).toBe(crypto.createHash('sha256').update(passport).digest('hex'));
    expect(problems).toEqual([]);
    await page.close();
  });

  it('camera refused: the error is announced (role=alert) and focus goes to the file input', async () => {
    const { page } = await open(browsers.document!, '/capture/document', () => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await page.getByRole('button', { name: 'Use camera' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('The camera could not be opened');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('document');
    expect(await page.locator('.kp-stage').isVisible()).toBe(false);
    await page.close();
  });

  it('liveness: one instruction per challenge step, frames recorded for each into the multiple `frames` input', async () => {
    const { page, problems } = await open(browsers.selfie!, '/capture/liveness?challenge=["turn_left","center","turn_right"]');
    await page.evaluate(() => {
      const seen: string[] = ((window as unknown as { steps: string[] }).steps = []);
      new MutationObserver(() => {
        const text = document.querySelector('.kp-step')?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Start recording' }).click();
    await page.locator('.kp-step').filter({ hasText: 'Step 1 of 3' }).waitFor();
    await shots(page, 'liveness-recording');
    await expect.poll(() => page.locator('.kp-status').innerText(), { timeout: 20_000 }).toContain('All steps recorded (14 frames)');
    expect(await page.evaluate(() => (window as unknown as { steps: string[] }).steps)).toEqual([
      'Look straight at the camera.',
      'Step 1 of 3: Turn your head slowly to your left.',
      'Step 2 of 3: Look straight at the camera again.',
      'Step 3 of 3: Turn your head slowly to your right.',
    ]);
    expect(await page.getByRole('button', { name: 'Record again' }).isVisible()).toBe(true);
    const got = await send(page);
    expect(got.files).toHaveLength(2 + 3 * 4);
    expect(got.files.map((f) => f.filename)).toEqual(got.files.map((_, i) => `frame-${String(i + 1).padStart(2, '0')}.jpg`));
    for (const f of got.files) {
      expect([f.field, f.type, isJpeg(f.body)]).toEqual(['frames', 'image/jpeg', true]);
      const meta = await sharp(f.body).metadata();
      expect([meta.width, meta.height]).toEqual([640, 360]);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('processing page: polls state.json, announces progress in the live region, goes to `next` when done', async () => {
    const polled = fixture.polls;
    const { page, problems } = await open(browsers.document!, '/progress');
    await expect.poll(() => page.locator('#progress').innerText()).toBe('Still checking. This usually takes a few seconds.');
    await shots(page, 'processing');
    await page.waitForURL(/\/finished$/, { timeout: 15_000 });
    expect(fixture.polls - polled).toBeGreaterThanOrEqual(3);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('German page: the script shows the German texts of the page catalogue', async () => {
    const { page } = await open(browsers.selfie!, '/capture/selfie?lang=de');
    await page.getByRole('button', { name: 'Kamera verwenden' }).click();
    await page.getByRole('button', { name: 'Foto aufnehmen' }).waitFor();
    expect(await page.locator('video').getAttribute('aria-label')).toBe('Kamerabild: Halten Sie Ihr Gesicht im Oval.');
    await page.close();
  });
});
