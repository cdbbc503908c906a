// A photo shown full-screen on a phone or tablet: a dark glass bezel with rounded corners, and an LCD/OLED pixel
// grid where each pixel is three vertical red/green/blue stripes separated by a black matrix. The camera samples
// that grid at a pitch that is not a whole multiple of it, which is what makes moiré fringes. The display's gamma,
// colour temperature, black level and backlight unevenness differ from the original capture.
import { bilinear, blur, raster, type Raster, type Rgb } from './raster.js';
import type { Surface } from './scene.js';

const TINTS: Rgb[] = [[0.9, 1, 1.15], [1, 1, 1], [0.95, 1, 1.08], [1.05, 1, 0.9]];

export interface ScreenOptions {
  severity: number;
  rand: () => number;
  /** Display pixels across the active area. Near the camera's own pixel count across it, moiré is strongest. */
  displayWidth: number;
}

export function screenSurface(photo: Raster, o: ScreenOptions): Surface {
  const { severity: s, rand } = o;
  const dw = Math.max(16, Math.round(o.displayWidth));
  const dh = Math.max(16, Math.round((dw * photo.height) / photo.width));
  const display = resample(photo, dw, dh);
  const gamma = (1.9 + 0.7 * rand()) / 2.2; // display gamma relative to the sRGB the photo was encoded for
  const tint = TINTS[Math.floor(rand() * TINTS.length)]!;
  const black = 0.005 + 0.03 * s; // light leaking through "black" pixels
  const unevenness = 0.05 + 0.2 * s;
  // Stripe and row gaps of the black matrix (share of a subpixel's width / a pixel's height).
  const gapX = 0.2 + 0.15 * rand();
  const gapY = 0.08 + 0.1 * rand();
  const gain = 3 / ((1 - gapX) * (1 - gapY)); // same mean brightness as a gapless pixel

  const bezel = Math.round(0.07 * dw) + 4;
  const scale = 4; // surface units per display pixel, so the bezel and corners have resolution
  const width = (dw + 2 * bezel) * scale;
  const height = (dh + 2 * bezel) * scale;
  const radius = 0.08 * width;
  return {
    width,
    height,
    gloss: 1,
    sample(u, v, out) {
      const cov = roundedRect(u, v, width, height, radius);
      const dx = u / scale - bezel;
      const dy = v / scale - bezel;
      out[0] = out[1] = out[2] = 0.02; // black glass
      out[3] = out[4] = out[5] = 0;
      if (dx < 0 || dy < 0 || dx >= dw || dy >= dh) return cov;
      const ix = Math.floor(dx);
      const iy = Math.floor(dy);
      const fy = dy - iy;
      const sub = (dx - ix) * 3;
      const c = Math.min(2, Math.floor(sub));
      const inStripe = Math.abs(sub - c - 0.5) < (1 - gapX) / 2 && Math.abs(fy - 0.5) < (1 - gapY) / 2;
      const r2 = ((dx / dw - 0.5) ** 2 + (dy / dh - 0.5) ** 2) * 2;
      const backlight = 1 - unevenness * r2;
      const value = display.data[3 * (iy * dw + ix) + c]!;
      out[3 + c] = inStripe ? gain * backlight * tint[c]! * (black + (1 - black) * value ** gamma) : 0;
      return cov;
    },
  };
}

/** The photo on the display's pixel grid: blurred to the new pitch when shrinking, then sampled bilinearly. */
function resample(photo: Raster, w: number, h: number): Raster {
  const src = blur(photo, (0.5 * photo.width) / w);
  const out = raster(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) bilinear(src, ((x + 0.5) * photo.width) / w, ((y + 0.5) * photo.height) / h, out.data, 3 * (y * w + x));
  }
  return out;
}

function roundedRect(u: number, v: number, w: number, h: number, r: number): number {
  const qx = Math.max(0, Math.abs(u - w / 2) - (w / 2 - r));
  const qy = Math.max(0, Math.abs(v - h / 2) - (h / 2 - r));
  return Math.hypot(qx, qy) <= r ? 1 : 0;
}
