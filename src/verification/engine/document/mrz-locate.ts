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
export function binarise(g: GrayImage): Uint8Array {
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

interface Prepared {
  g: GrayImage;
  bin: Uint8Array;
  /** Source pixels per work pixel. */
  scale: number;
  size: { width: number; height: number };
}

async function prepare(buf: Buffer): Promise<Prepared> {
  const g = await grayPixels(buf, WORK_WIDTH);
  const size = await orientedSize(buf);
  return { g, bin: binarise(g), scale: size.width / g.width, size };
}

/** Projection-profile sharpness: sum of squared row counts of dark pixels projected along `deg`. */
function profileScore(xs: Int32Array, ys: Int32Array, bins: Float64Array, pad: number, deg: number): number {
  const t = Math.tan((deg * Math.PI) / 180);
  bins.fill(0);
  for (let k = 0; k < xs.length; k++) bins[Math.round(ys[k]! - xs[k]! * t) + pad]!++;
  let score = 0;
  for (let k = 0; k < bins.length; k++) score += bins[k]! * bins[k]!;
  return score;
}

/** Tilt in degrees (clockwise positive, as sharp's rotate() counts), ±8°: 1° sweep, then 0.25° around the best. */
function skewOf({ g, bin }: Prepared): number {
  const n = bin.reduce((a, v) => a + v, 0);
  if (n < 500) return 0;
  const stride = Math.max(1, Math.floor(n / 40_000)); // ~40k points are plenty for a profile
  const xs = new Int32Array(Math.ceil(n / stride));
  const ys = new Int32Array(xs.length);
  let k = 0;
  let seen = 0;
  for (let i = 0; i < bin.length; i++) {
    if (!bin[i] || seen++ % stride) continue;
    xs[k] = i % g.width;
    ys[k++] = Math.floor(i / g.width);
  }
  const px = xs.subarray(0, k);
  const py = ys.subarray(0, k);
  const pad = Math.ceil(g.width * Math.tan((8 * Math.PI) / 180)) + 1;
  const bins = new Float64Array(g.height + 2 * pad);
  const best = (from: number, to: number, step: number): number => {
    let arg = 0;
    let top = -1;
    for (let d = from; d <= to + 1e-9; d += step) {
      const sc = profileScore(px, py, bins, pad, d);
      if (sc > top) {
        top = sc;
        arg = d;
      }
    }
    return arg;
  };
  const coarse = best(-8, 8, 1);
  return best(Math.max(-8, coarse - 0.75), Math.min(8, coarse + 0.75), 0.25);
}

/** Tilt of the text lines in degrees (clockwise positive). */
export async function detectSkew(buf: Buffer): Promise<number> {
  return skewOf(await prepare(buf));
}

/** Tilt and MRZ box from one decode; the box is only meaningful when the tilt is small. */
export async function inspectPage(buf: Buffer): Promise<{ skew: number; box: MrzBox | null }> {
  const p = await prepare(buf);
  return { skew: skewOf(p), box: locateIn(p) };
}

/** Locate the MRZ, bottom-up: the lowest run of 2–3 wide bands of similar height, pitch and left edge. */
export async function locateMrz(buf: Buffer): Promise<MrzBox | null> {
  return locateIn(await prepare(buf));
}

function locateIn({ g, bin, scale, size }: Prepared): MrzBox | null {
  const bands = textBands(bin, g.width, g.height).filter((b) => b.right - b.left >= g.width * 0.55);
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
