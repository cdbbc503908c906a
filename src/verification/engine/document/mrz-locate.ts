// Finds the machine-readable zone: 2 or 3 long, evenly spaced text lines near the bottom of the page that span most
// of its width. Works on a binarised, width-normalised copy using row profiles (dark-pixel transitions per row).
import { grayPixels, orientedSize, type GrayImage } from './image.js';

export interface MrzBox {
  /** In source-image pixels (after EXIF orientation). */
  left: number;
  top: number;
  width: number;
  height: number;
  lines: number;
  /** Mean line pitch in source pixels; the OCR step scales from this. */
  pitch: number;
}

const WORK_WIDTH = 1000;

/** Dark = clearly darker than the local mean (31-px window) and absolutely dark-ish: ignores pastel guilloche. */
function binarise(g: GrayImage): Uint8Array {
  const { data, width: w, height: h } = g;
  const integral = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += data[y * w + x]!;
      integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1]! + row;
    }
  }
  const r = 15;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      const s = integral[y1 * (w + 1) + x1]! - integral[y0 * (w + 1) + x1]! - integral[y1 * (w + 1) + x0]! + integral[y0 * (w + 1) + x0]!;
      const mean = s / ((x1 - x0) * (y1 - y0));
      const v = data[y * w + x]!;
      out[y * w + x] = v < mean - 25 && v < 170 ? 1 : 0;
    }
  }
  return out;
}

interface Band {
  top: number;
  bottom: number; // exclusive
  left: number;
  right: number;
}

/** Rows with many dark/light transitions are text rows; consecutive ones form a text line. */
function textBands(bin: Uint8Array, w: number, h: number): Band[] {
  const minTransitions = 24; // a 30-character MRZ line gives ≥ 60 at any scale this code runs at
  const isText = new Uint8Array(h);
  for (let y = 0; y < h; y++) {
    let t = 0;
    for (let x = 1; x < w; x++) if (bin[y * w + x] !== bin[y * w + x - 1]) t++;
    isText[y] = t >= minTransitions ? 1 : 0;
  }
  const bands: Band[] = [];
  let y = 0;
  while (y < h) {
    if (!isText[y]) {
      y++;
      continue;
    }
    const top = y;
    while (y < h && (isText[y] || (y + 1 < h && isText[y + 1]))) y++; // bridge 1-row gaps
    if (y - top < 6) continue;
    // Horizontal extent: columns holding 98% of the band's dark pixels (ignores stray specks at the edges).
    // Columns also dark just above or below the band are not text (page edges, table background, photo).
    const above = Math.max(0, top - 3) * w;
    const below = Math.min(h - 1, y + 2) * w;
    const cols = new Uint32Array(w);
    let total = 0;
    for (let yy = top; yy < y; yy++) {
      for (let x = 0; x < w; x++) {
        if (!bin[yy * w + x] || bin[above + x] || bin[below + x]) continue;
        cols[x]!++;
        total++;
      }
    }
    let acc = 0;
    let left = 0;
    while (left < w && (acc += cols[left]!) < total * 0.01) left++;
    acc = 0;
    let right = w - 1;
    while (right > 0 && (acc += cols[right]!) < total * 0.01) right--;
    bands.push({ top, bottom: y, left, right });
  }
  return bands;
}

/**
 * Tilt of the text lines in degrees (clockwise positive, as sharp's rotate() counts), by projection profile: the
 * angle at which dark pixels, projected along it, pile up into the sharpest rows. ±8° in 0.25° steps.
 */
export async function detectSkew(buf: Buffer): Promise<number> {
  const g = await grayPixels(buf, WORK_WIDTH);
  const bin = binarise(g);
  const xs: number[] = [];
  const ys: number[] = [];
  const stride = Math.max(1, Math.floor(g.data.length / 400_000)); // sample: the profile needs ~10^5 points
  for (let i = 0; i < bin.length; i += stride) {
    if (bin[i]) {
      xs.push(i % g.width);
      ys.push(Math.floor(i / g.width));
    }
  }
  if (xs.length < 500) return 0;
  const pad = Math.ceil(g.width * Math.tan((8 * Math.PI) / 180)) + 1;
  const bins = new Float64Array(g.height + 2 * pad);
  let best = 0;
  let bestScore = -1;
  for (let deg = -8; deg <= 8; deg += 0.25) {
    const t = Math.tan((deg * Math.PI) / 180);
    bins.fill(0);
    for (let k = 0; k < xs.length; k++) bins[Math.round(ys[k]! - xs[k]! * t) + pad]!++;
    let score = 0;
    for (let k = 0; k < bins.length; k++) score += bins[k]! * bins[k]!;
    if (score > bestScore) {
      bestScore = score;
      best = deg;
    }
  }
  return best;
}

/** Locate the MRZ, bottom-up: the lowest run of 2–3 wide bands of similar height, pitch and left edge. */
export async function locateMrz(buf: Buffer): Promise<MrzBox | null> {
  const g = await grayPixels(buf, WORK_WIDTH);
  const size = await orientedSize(buf);
  const scale = size.width / g.width;
  const bands = textBands(binarise(g), g.width, g.height).filter((b) => b.right - b.left >= g.width * 0.55);
  for (let end = bands.length - 1; end >= 1; end--) {
    for (const n of [3, 2]) {
      const start = end - n + 1;
      if (start < 0) continue;
      const run = bands.slice(start, end + 1);
      const heights = run.map((b) => b.bottom - b.top);
      const hMin = Math.min(...heights);
      const hMax = Math.max(...heights);
      if (hMax > hMin * 1.6) continue;
      const pitches = run.slice(1).map((b, i) => b.top - run[i]!.top);
      if (pitches.some((p) => p > hMax * 3.2 || p < hMax)) continue;
      if (Math.max(...pitches) > Math.min(...pitches) * 1.3) continue;
      const lefts = run.map((b) => b.left);
      if (Math.max(...lefts) - Math.min(...lefts) > g.width * 0.04) continue;
      const pitch = pitches.reduce((a, b) => a + b, 0) / pitches.length;
      const margin = pitch * 0.45;
      const top = Math.max(0, run[0]!.top - margin);
      const bottom = Math.min(g.height, run[n - 1]!.bottom + margin);
      const left = Math.max(0, Math.min(...lefts) - margin);
      const right = Math.min(g.width, Math.max(...run.map((b) => b.right)) + margin);
      const L = Math.round(left * scale);
      const T = Math.round(top * scale);
      return {
        left: L,
        top: T,
        width: Math.min(size.width - L, Math.round((right - left) * scale)),
        height: Math.min(size.height - T, Math.round((bottom - top) * scale)),
        lines: n,
        pitch: pitch * scale,
      };
    }
  }
  return null;
}
