// The real-browser harness shared by test/browser/: Debian's chromium driven by playwright-core, axe-core injected
// into the page. Without the binary a test file skips locally and fails under CI (.ci/run installs it).
import fs from 'node:fs';
import axe from 'axe-core';
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumPresent = fs.existsSync(CHROMIUM);
export const inCi = Boolean(process.env.CI) && !['0', 'false'].includes(process.env.CI!);
/** True when the browser tests of a file should run (or fail loudly under CI). */
export const runBrowserTests = chromiumPresent || inCi;

export function requireChromium(file: string): boolean {
  if (chromiumPresent) return true;
  if (inCi) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run)`);
  console.warn(`${file}: skipped, ${CHROMIUM} is not installed (apt-get install chromium); under CI a missing browser fails`);
  return false;
}

/** axe-core's serious and critical violations on the page, as "rule: selectors" lines. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  const found = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }));
  return found.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
}

/** Chromium whose camera is a fake device playing `y4m` (permission granted without a prompt). */
export const launchWithCamera = (y4m: string) =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`],
  });
