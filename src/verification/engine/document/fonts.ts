// OCR-B ships with the repository (assets/fonts/OCRB.otf: public domain / permissive, see assets/fonts/README.md), so
// MRZ glyph templates and generated test documents use the real MRZ font on any machine, not only where Debian's
// fonts-ocr-b is installed. librsvg (inside sharp) finds fonts through fontconfig, which reads FONTCONFIG_FILE from
// the process environment when it first renders text: this adds the bundled directory to the system configuration.
// Only the main thread can change the process environment (a worker's process.env is its own copy), so the engine
// pool calls this before starting its threads.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { packageRoot } from '../../../paths.js';

export const BUNDLED_FONTS_DIR = path.join(packageRoot, 'assets', 'fonts');
let done = false;

export function useBundledFonts(): void {
  if (done || !isMainThread) return;
  done = true;
  const base = process.env.FONTCONFIG_FILE ?? '/etc/fonts/fonts.conf';
  const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const conf = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kycport-fonts-')), 'fonts.conf');
  fs.writeFileSync(
    conf,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n` +
      `  <include ignore_missing="yes">${xml(base)}</include>\n  <dir>${xml(BUNDLED_FONTS_DIR)}</dir>\n</fontconfig>\n`,
  );
  process.env.FONTCONFIG_FILE = conf;
}
