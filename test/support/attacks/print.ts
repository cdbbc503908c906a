// A photo printed on paper, as a reflectance map: CMYK amplitude-modulated halftone at the classic screen angles,
// inks that absorb imperfectly (so the darkest print reflects 8–20% of the light: low dynamic range, muted
// colours), dot gain, a tinted paper white and paper grain. Light falling on it comes from the scene.
import { fbm, raster, seeded, type Raster, type Rgb } from './raster.js';
import type { Surface } from './scene.js';

// Share of red, green, blue light each ink absorbs at full coverage (process inks are not ideal filters).
const INKS: Array<{ angle: number; absorb: Rgb }> = [
  { angle: 15, absorb: [0.8, 0.25, 0.08] }, // cyan
  { angle: 75, absorb: [0.1, 0.75, 0.2] }, // magenta
  { angle: 0, absorb: [0.03, 0.1, 0.8] }, // yellow
  { angle: 45, absorb: [0.85, 0.85, 0.82] }, // black
];
const PAPERS: Rgb[] = [[0.86, 0.84, 0.76], [0.8, 0.82, 0.86], [0.84, 0.84, 0.82], [0.88, 0.83, 0.72]];
const toSrgb = (v: number) => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);

/** The sheet: the photo with a white margin, printed at 2 print pixels per photo pixel. */
export function printedSheet(photo: Raster, severity: number, rand: () => number): Surface {
  const s = severity;
  const scale = 2;
  const margin = Math.round(0.07 * photo.width * scale);
  const pw = Math.round(photo.width * scale);
  const ph = Math.round(photo.height * scale);
  const sheet = raster(pw + 2 * margin, ph + 2 * margin);
  const period = 3 + 6 * s; // halftone cell, print pixels (coarser = cheaper printer, or a closer camera)
  const softness = 0.12; // ink spread: dots merge a little at their edges
  const density = 0.97 - 0.1 * s;
  const paper = PAPERS[Math.floor(rand() * PAPERS.length)]!;
  const grain = fbm(sheet.width, sheet.height, 40, 4, rand);
  const fibre = seeded(Math.floor(rand() * 2 ** 32));
  const grainAmp = 0.02 + 0.06 * s;
  const coverage = inkCoverage(photo, 0.1 + 0.25 * s);
  // Halftone screens: spot(x, y) = ½ + ¼(cos u + cos v) with (u, v) the rotated, phase-shifted position. Each
  // cosine of a sum is split into per-column and per-row tables: cos(a + b) = cos a cos b − sin a sin b.
  const w = (2 * Math.PI) / period;
  const screens = INKS.map((ink) => {
    const a = (ink.angle * Math.PI) / 180;
    const [ca, sa, du, dv] = [Math.cos(a), Math.sin(a), rand() * period, rand() * period];
    const table = (n: number, f: (i: number) => number) => {
      const c = new Float32Array(n);
      const si = new Float32Array(n);
      for (let i = 0; i < n; i++) [c[i], si[i]] = [Math.cos(f(i) * w), Math.sin(f(i) * w)];
      return { c, s: si };
    };
    return {
      ux: table(sheet.width, (x) => x * ca + du), uy: table(sheet.height, (y) => y * sa),
      vx: table(sheet.width, (x) => -x * sa + dv), vy: table(sheet.height, (y) => y * ca),
    };
  });
  const ink = new Float32Array(4);
  for (let y = 0; y < sheet.height; y++) {
    for (let x = 0; x < sheet.width; x++) {
      const i = y * sheet.width + x;
      const paperK = 1 + grainAmp * grain[i]! + 0.4 * grainAmp * (fibre() - 0.5);
      const px = x - margin;
      const py = y - margin;
      ink.fill(0);
      if (px >= 0 && py >= 0 && px < pw && py < ph) {
        // Nearest photo pixel: the printer's own scaling.
        const o = 4 * (Math.min(photo.height - 1, Math.floor(py / scale)) * photo.width + Math.min(photo.width - 1, Math.floor(px / scale)));
        for (let n = 0; n < 4; n++) {
          const { ux, uy, vx, vy } = screens[n]!;
          const cosU = ux.c[x]! * uy.c[y]! - ux.s[x]! * uy.s[y]!;
          const cosV = vx.c[x]! * vy.c[y]! - vx.s[x]! * vy.s[y]!;
          const spot = 0.5 + 0.25 * (cosU + cosV);
          ink[n] = Math.min(1, Math.max(0, (coverage[o + n]! - spot) / (2 * softness) + 0.5));
        }
      }
      for (let c = 0; c < 3; c++) {
        let r = paper[c]! * paperK;
        for (let n = 0; n < 4; n++) r *= 1 - density * ink[n]! * INKS[n]!.absorb[c]!;
        sheet.data[3 * i + c] = r;
      }
    }
  }
  return {
    width: sheet.width,
    height: sheet.height,
    gloss: 0.05 + 0.3 * rand(),
    sample(u, v, out) {
      const o = 3 * (Math.min(sheet.height - 1, Math.floor(v)) * sheet.width + Math.min(sheet.width - 1, Math.floor(u)));
      out[0] = sheet.data[o]!;
      out[1] = sheet.data[o + 1]!;
      out[2] = sheet.data[o + 2]!;
      out[3] = out[4] = out[5] = 0;
      return 1;
    },
  };
}

/** Per photo pixel C, M, Y, K coverage 0..1: device values with the gamut squeezed, black only in deep shadows. */
function inkCoverage(photo: Raster, desaturate: number): Float32Array {
  const out = new Float32Array(photo.width * photo.height * 4);
  for (let p = 0; p < photo.width * photo.height; p++) {
    const r = toSrgb(photo.data[3 * p]!);
    const g = toSrgb(photo.data[3 * p + 1]!);
    const b = toSrgb(photo.data[3 * p + 2]!);
    const luma = 0.3 * r + 0.59 * g + 0.11 * b;
    const c = 1 - (r + (luma - r) * desaturate);
    const m = 1 - (g + (luma - g) * desaturate);
    const y = 1 - (b + (luma - b) * desaturate);
    out.set([c, m, y, Math.max(0, 2 * (Math.min(c, m, y) - 0.5))], 4 * p);
  }
  return out;
}
