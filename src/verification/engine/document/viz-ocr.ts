// OCR of the visual inspection zone. The text lines are found without OCR (viz-lines.ts), each is cut out, scaled
// to one glyph height and stacked into a single strip, and the strip is OCR'd in one call on the MRZ's worker:
// tesseract then skips page layout analysis, the portrait and the background, which is most of its time on a page.
import sharp from 'sharp';
import { thresholds } from '../../thresholds.js';
import { openImage } from './image.js';
import type { MrzOcr } from './mrz-ocr.js';
import { findTextLines, type TextLine } from './viz-lines.js';

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface VizLine extends TextLine {
  /** OCR text, uppercased; '' when tesseract returned nothing for the line. */
  text: string;
  caption: boolean;
}

/** Lines are found at this width: captions stay ≥ 8 px tall on a TD3 page, and it costs ≈ 20 ms. */
const WORK_WIDTH = 1000;
/** Glyph height each line is scaled to for OCR: 24 px read as well as 30 px on the bench sets at ≈ ⅔ of the time. */
const OCR_GLYPH = 24;
const GAP = 24;
const WHITELIST = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789./-';

export interface VizLayout {
  image: Buffer;
  region: Region;
  /** Source px per work px. */
  scale: number;
  values: TextLine[];
  captions: TextLine[];
}

/**
 * Text lines of `region`, split into data and captions by glyph height: captions are the small print (ICAO 9303
 * Part 4 prints field captions smaller than the data); a line counts as data at ≥ dataGlyphRatio × the lower
 * quartile.
 * When every line has about the same size, all are data.
 */
export async function layoutViz(image: Buffer, region: Region): Promise<VizLayout> {
  const width = Math.min(WORK_WIDTH, region.width);
  const { data, info } = await openImage(image).extract(region).grayscale().resize({ width }).raw().toBuffer({ resolveWithObject: true });
  const lines = findTextLines({ data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height });
  const sorted = lines.map((l) => l.glyph).sort((a, b) => a - b);
  const small = sorted[Math.floor(sorted.length / 4)] ?? 0;
  const ratio = thresholds.document.vizMrz.dataGlyphRatio;
  const values = lines.filter((l) => l.glyph >= small * ratio);
  const captions = lines.filter((l) => l.glyph < small * ratio);
  return { image, region, scale: region.width / info.width, values: values.length ? values : lines, captions: values.length ? captions : [] };
}

/** A preprocessing: glyph height the lines are scaled to, and an optional binarisation level. */
export interface Preprocess {
  glyph: number;
  threshold?: number;
}

/** Second opinions for a line whose first read disagrees with the MRZ: larger, and binarised. */
export const REREADS: readonly Preprocess[] = [{ glyph: 44 }, { glyph: 36, threshold: 150 }];

/** OCR `lines` of a layout in one strip; returns them with their text (same order). */
export async function readLines(
  ocr: MrzOcr, layout: VizLayout, lines: readonly TextLine[], caption: boolean, pre: Preprocess = { glyph: OCR_GLYPH },
): Promise<VizLine[]> {
  if (!lines.length) return [];
  const { image, region, scale } = layout;
  const src = openImage(image).extract(region).grayscale();
  const page = await src.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  const crops: ({ input: Buffer; top: number; width: number; height: number } | null)[] = [];
  let y = GAP;
  let stripWidth = 0;
  for (const l of lines) {
    const mx = l.glyph * 0.6;
    const my = l.glyph * 0.35;
    const left = Math.max(0, Math.round((l.left - mx) * scale));
    const top = Math.max(0, Math.round((l.top - my) * scale));
    const w = Math.min(page.info.width - left, Math.round((l.width + 2 * mx) * scale));
    const h = Math.min(page.info.height - top, Math.round((l.height + 2 * my) * scale));
    if (w < 2 || h < 2) {
      crops.push(null);
      continue;
    }
    const k = pre.glyph / (l.glyph * scale);
    let img = sharp(page.data, { raw: { width: page.info.width, height: page.info.height, channels: 1 } })
      .extract({ left, top, width: w, height: h })
      .normalise()
      .resize({ width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)), fit: 'fill', kernel: 'lanczos3' });
    if (pre.threshold) img = img.threshold(pre.threshold);
    const piece = await img
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    crops.push({ input: piece.data, top: y, width: piece.info.width, height: piece.info.height });
    stripWidth = Math.max(stripWidth, piece.info.width + 2 * GAP);
    y += piece.info.height + GAP;
  }
  const placed = crops.filter((c) => c !== null);
  if (!placed.length) return [];
  const pixels = Buffer.alloc(stripWidth * y, 255);
  for (const c of placed) {
    for (let r = 0; r < c.height; r++) c.input.copy(pixels, (c.top + r) * stripWidth + GAP, r * c.width, (r + 1) * c.width);
  }
  const strip = await sharp(pixels, { raw: { width: stripWidth, height: y, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
  const reads = await ocr.readText(strip, WHITELIST);
  return lines.map((l, i) => {
    const c = crops[i];
    // A line's text is every OCR line whose vertical centre falls inside its slot of the strip.
    const text = c
      ? reads
          .filter((r) => (r.top + r.bottom) / 2 >= c.top && (r.top + r.bottom) / 2 < c.top + c.height)
          .map((r) => r.text)
          .join(' ')
      : '';
    return { ...l, text: text.toUpperCase(), caption };
  });
}
