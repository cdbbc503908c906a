// MRZ OCR with one long-lived tesseract.js worker (legacy engine: the LSTM model reads '<' as K/L/«, the legacy
// classifier with a whitelist does not). Model loading takes ~0.3–1 s, so the worker is created once by create().
import path from 'node:path';
import { createRequire } from 'node:module';
import { createWorker, OEM, PSM, type Page, type Worker } from 'tesseract.js';
import { MRZ_ALPHABET, type MrzFormat } from './icao.js';
import sharp from 'sharp';
import { openImage } from './image.js';
import { mrzCandidates, type OcrLine } from './mrz-clean.js';
import { loadTemplates, refineFields, type Templates } from './mrz-glyphs.js';
import type { MrzBox } from './mrz-locate.js';
import { parseMrz } from './mrz-parse.js';

export interface MrzReading {
  format: MrzFormat;
  lines: string[];
  /** Tesseract's mean word confidence, 0..1. */
  confidence: number;
  /** How many preprocessing variants were OCR'd before this reading was accepted. */
  attempts: number;
  /** Characters re-decided by OCR-B template (see mrz-glyphs.ts). */
  glyphFixes: number;
}

const ALLOWED = new Set(MRZ_ALPHABET);

/** Tesseract's block tree → lines of MRZ characters with each character's box. */
function ocrLines(page: Page): OcrLine[] {
  const out: OcrLine[] = [];
  for (const block of page.blocks ?? []) {
    for (const para of block.paragraphs) {
      for (const line of para.lines) {
        const l: OcrLine = { text: '', boxes: [] };
        for (const w of line.words) {
          for (const sym of w.symbols) {
            for (const ch of sym.text) {
              if (!ALLOWED.has(ch)) continue;
              l.text += ch;
              l.boxes!.push(sym.text.length === 1 ? sym.bbox : null);
            }
          }
        }
        out.push(l);
      }
    }
  }
  return out;
}

// Preprocessing variants, tried in order until one yields an MRZ whose check digits all verify. `pitch` is the
// line pitch in px the crop is scaled to (ICAO line pitch ≈ 2.6× character height); `threshold` binarises.
const VARIANTS: { pitch: number; threshold?: number }[] = [{ pitch: 80 }, { pitch: 64, threshold: 140 }, { pitch: 100 }];

function langPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0');
}

/** One line of free text OCR'd by readText, with its box in the input image. */
export interface TextRead {
  text: string;
  top: number;
  bottom: number;
  /** Tesseract's line confidence, 0..1. */
  confidence: number;
}

export class MrzOcr {
  // The worker's whitelist is global state: MRZ and free-text reads take turns so neither sees the other's.
  private turn: Promise<unknown> = Promise.resolve();
  private whitelist = MRZ_ALPHABET;

  private constructor(
    private readonly worker: Worker,
    private readonly templates: Templates | null,
  ) {}

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * Switch between MRZ and free-text reads. The legacy classifier adapts to the glyphs it has read; free text is
   * read with that learning off, so printed-zone fonts never shift the OCR-B reads (MRZ reads keep the default).
   */
  private async useWhitelist(chars: string): Promise<void> {
    if (this.whitelist === chars) return;
    const mrz = chars === MRZ_ALPHABET;
    await this.worker.setParameters({ tessedit_char_whitelist: chars, classify_enable_learning: mrz ? '1' : '0' });
    this.whitelist = chars;
  }

  /**
   * OCR printed text (already cropped and scaled by the caller) on the MRZ's worker, restricted to `whitelist`:
   * sharing the worker saves a second model load (≈0.3–1 s and ~40 MB per thread).
   */
  readText(png: Buffer, whitelist: string): Promise<TextRead[]> {
    return this.exclusive(async () => {
      await this.useWhitelist(whitelist);
      const { data } = await this.worker.recognize(png, {}, { blocks: true, text: true });
      const out: TextRead[] = [];
      for (const block of data.blocks ?? []) {
        for (const para of block.paragraphs) {
          for (const line of para.lines) {
            out.push({ text: line.text.trim(), top: line.bbox.y0, bottom: line.bbox.y1, confidence: line.confidence / 100 });
          }
        }
      }
      return out;
    });
  }

  /** `refineGlyphs: false` turns off the OCR-B template second opinion (only the benchmark baseline does). */
  static async create(opts: { refineGlyphs?: boolean } = {}): Promise<MrzOcr> {
    const templates = opts.refineGlyphs === false ? null : await loadTemplates(); // fails fast without OCR-B
    const worker = await createWorker('eng', OEM.TESSERACT_ONLY, {
      langPath: langPath(),
      gzip: true,
      cacheMethod: 'none',
    });
    await worker.setParameters({
      tessedit_char_whitelist: MRZ_ALPHABET,
      tessedit_pageseg_mode: PSM.SINGLE_BLOCK,
      user_defined_dpi: '300',
    });
    return new MrzOcr(worker, templates);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  /** OCR the MRZ inside `box`; null when no variant produced lines of an ICAO shape. */
  read(image: Buffer, box: MrzBox): Promise<MrzReading | null> {
    return this.exclusive(async () => {
      await this.useWhitelist(MRZ_ALPHABET);
      return this.readMrz(image, box);
    });
  }

  private async readMrz(image: Buffer, box: MrzBox): Promise<MrzReading | null> {
    let best: (MrzReading & { valid: number; total: number }) | null = null;
    let attempts = 0;
    for (const v of VARIANTS) {
      attempts++;
      const scale = Math.min(4, v.pitch / box.pitch);
      let crop = openImage(image)
        .extract({ left: box.left, top: box.top, width: box.width, height: box.height })
        .grayscale()
        .normalise()
        .resize({ width: Math.max(1, Math.round(box.width * scale)), kernel: 'lanczos3' });
      if (v.threshold) crop = crop.threshold(v.threshold);
      const { data: raw, info } = await crop.raw().toBuffer({ resolveWithObject: true });
      const gray = { data: raw, width: info.width, height: info.height };
      const png = await sharp(raw, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toBuffer();
      const { data } = await this.worker.recognize(png, {}, { blocks: true, text: true });
      const candidates = mrzCandidates(ocrLines(data));
      // Other variants fix misread characters, they do not turn non-MRZ text into an MRZ: stop early.
      if (!candidates.length && !best) break;
      for (const c of candidates) {
        const refined = this.templates
          ? refineFields(this.templates, gray, c.format, c.lines, c.boxes)
          : { lines: c.lines, changed: 0 };
        // Only used to rank candidates; the caller re-parses with its own `now`.
        const parsed = parseMrz(refined.lines, new Date());
        if (!parsed) continue;
        const valid = parsed.checkDigits.filter((d) => d.valid).length;
        const total = parsed.checkDigits.length;
        if (!best || valid > best.valid) {
          best = {
            format: c.format, lines: refined.lines, confidence: data.confidence / 100, attempts, glyphFixes: refined.changed,
            valid, total,
          };
        }
      }
      if (best && best.valid === best.total) break;
    }
    if (!best) return null;
    return { format: best.format, lines: best.lines, confidence: best.confidence, attempts, glyphFixes: best.glyphFixes };
  }
}
