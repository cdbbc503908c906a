// Second opinion for the characters tesseract's legacy model confuses in OCR-B (0/O/D, 1/I, 2/Z, 5/S/3, 8/B/3,
// 6/G, H/M/N/W). ICAO 9303 mandates OCR-B for the MRZ, so a glyph can be compared with the font's own rendering of
// each candidate. Used in alphanumeric fields (document number, optional data), where the field type cannot decide,
// and among letters in alphabetic fields (names). Check digits are never consulted, so a tampered character stays
// tampered.
import sharp from 'sharp';
import { MRZ_FIELDS, type MrzFormat } from './icao.js';
import type { GrayImage } from './image.js';
import { BUNDLED_FONTS_DIR, useBundledFonts } from './fonts.js';

export interface Bbox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

// Q is not with O: scaled to its own box, its tail makes it look like O, and tesseract rarely confuses the two.
// G/Q (and 8/S) differ by a multiple of 10 in ICAO character values, so no check digit catches those swaps.
const CLASSES = ['0OD', '1I', '2Z', '35S', '38B', '6GQ', 'HMNW'];
/** Characters a reading of `c` may really be (including `c`); undefined when `c` is not confusable. */
export function confusableWith(c: string): string | undefined {
  const set = new Set<string>();
  for (const k of CLASSES) if (k.includes(c)) for (const x of k) set.add(x);
  return set.size ? [...set].join('') : undefined;
}

const W = 24;
const H = 32;

/**
 * Ink of the glyph inside `box`: tight-cropped, scaled to fit W×H keeping its proportions (OCR-B's 0 is narrower
 * than its O), centred, unit length.
 */
export interface Glyph {
  vec: Float32Array;
  /** Ink width / height: the strongest cue between OCR-B's narrow 0, round O and D. */
  aspect: number;
}

export function glyphVector(g: GrayImage, box: Bbox): Glyph | null {
  const x0 = Math.max(0, Math.floor(box.x0) - 2);
  const y0 = Math.max(0, Math.floor(box.y0) - 2);
  const x1 = Math.min(g.width, Math.ceil(box.x1) + 2);
  const y1 = Math.min(g.height, Math.ceil(box.y1) + 2);
  let max = 0;
  let min = 255;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    const v = g.data[y * g.width + x]!;
    if (v > max) max = v;
    if (v < min) min = v;
  }
  if (max - min < 40) return null;
  const cut = min + (max - min) * 0.5;
  let l = x1;
  let r = x0 - 1;
  let t = y1;
  let b = y0 - 1;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    if (g.data[y * g.width + x]! < cut) {
      if (x < l) l = x;
      if (x > r) r = x;
      if (y < t) t = y;
      if (y > b) b = y;
    }
  }
  if (r < l || b < t) return null;
  const ih = b - t + 1;
  const iw = r - l + 1;
  const scale = Math.min(H / ih, W / iw);
  const out = new Float32Array(W * H);
  const ox = (W - iw * scale) / 2;
  const oy = (H - ih * scale) / 2;
  let norm = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const sx = Math.round(l + (x - ox) / scale);
      const sy = Math.round(t + (y - oy) / scale);
      if (sx < l || sx > r || sy < t || sy > b) continue;
      const ink = Math.max(0, Math.min(1, (max - g.data[sy * g.width + sx]!) / (max - min)));
      out[y * W + x] = ink;
      norm += ink * ink;
    }
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return { vec: out, aspect: iw / ih };
}

export type Templates = Map<string, Glyph>;

async function render(c: string, family: string): Promise<GrayImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="200"><rect width="160" height="200" fill="#fff"/>` +
    `<text x="30" y="160" font-family="${family}" font-size="150" fill="#000">${c}</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).grayscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Render every confusable character in OCR-B (bundled, fonts.ts) once. */
export async function loadTemplates(): Promise<Templates> {
  useBundledFonts();
  // librsvg silently substitutes a missing font: compare with a family that cannot exist to notice.
  const [ocrb, fallback] = await Promise.all([render('Q', 'OCR B'), render('Q', 'No Such Font KYCPort')]);
  if (Buffer.compare(Buffer.from(ocrb.data), Buffer.from(fallback.data)) === 0) {
    throw new Error(`OCR-B font not found (bundled in ${BUNDLED_FONTS_DIR}); needed for MRZ glyph templates`);
  }
  const out: Templates = new Map();
  for (const c of new Set(CLASSES.join(''))) {
    const g = await render(c, 'OCR B');
    const v = glyphVector(g, { x0: 0, y0: 0, x1: g.width, y1: g.height });
    if (v) out.set(c, v);
  }
  return out;
}

// Weight of the aspect-ratio difference (|ln ratio|) against cosine similarity; 0 vs O differ by ~0.2 in ln.
const ASPECT_WEIGHT = 1;

/** The candidate whose OCR-B template is closest (cosine similarity, aspect ratio) to the glyph. */
export function classify(t: Templates, glyph: Glyph, read: string, candidates: string): string {
  let best = read;
  let bestScore = -Infinity;
  for (const c of candidates) {
    const tpl = t.get(c);
    if (!tpl) continue;
    let dot = 0;
    for (let i = 0; i < glyph.vec.length; i++) dot += glyph.vec[i]! * tpl.vec[i]!;
    dot -= ASPECT_WEIGHT * Math.abs(Math.log(glyph.aspect / tpl.aspect));
    if (dot > bestScore) {
      bestScore = dot;
      best = c;
    }
  }
  return best;
}

/**
 * Re-decide confusable characters by template: any confusable in alphanumeric fields, letters among letters in
 * alphabetic fields. Numeric fields are left to the type-based clean-up.
 */
export function refineFields(
  t: Templates, g: GrayImage, format: MrzFormat, lines: readonly string[], boxes: readonly (readonly (Bbox | null)[])[],
): { lines: string[]; changed: number } {
  const out = lines.map((l) => l.split(''));
  let changed = 0;
  for (const span of Object.values(MRZ_FIELDS[format])) {
    if (span.kind !== 'alnum' && span.kind !== 'alpha') continue;
    for (let i = span.start; i < span.end; i++) {
      const read = out[span.line]?.[i];
      const box = boxes[span.line]?.[i];
      let candidates = read && confusableWith(read);
      if (candidates && span.kind === 'alpha') candidates = candidates.replace(/[^A-Z]/g, '');
      if (!read || !box || !candidates || candidates.length < 2) continue;
      const glyph = glyphVector(g, box);
      if (!glyph) continue;
      const c = classify(t, glyph, read, candidates);
      if (c !== read) {
        out[span.line]![i] = c;
        changed++;
      }
    }
  }
  return { lines: out.map((l) => l.join('')), changed };
}
