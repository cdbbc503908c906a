// Float RGB rasters in linear light for the attack generator: decode/encode, seeded noise, blur, homographies.
// Light adds and multiplies physically only in linear light, so every stage works there and the camera encodes.
import sharp from 'sharp';

export interface Raster {
  width: number;
  height: number;
  /** Interleaved RGB, linear light, nominally 0..1 (emission may exceed 1 before the camera clips). */
  data: Float32Array;
}

export type Rgb = [number, number, number];

export function raster(width: number, height: number): Raster {
  return { width, height, data: new Float32Array(width * height * 3) };
}

const toLinear = (v: number) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
const toSrgb = (v: number) => (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);
const LINEAR = Float32Array.from({ length: 256 }, (_, i) => toLinear(i / 255));

/** Decodes any image sharp reads, optionally resized to `width`, into linear RGB. */
export async function decode(bytes: Buffer, width?: number): Promise<Raster> {
  const img = sharp(bytes).rotate().removeAlpha().toColourspace('srgb');
  if (width) img.resize({ width });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  const out = raster(info.width, info.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = LINEAR[data[i]!]!;
  return out;
}

/** sRGB-encodes (clipping like a sensor) and compresses as a phone camera would. */
export async function encodeJpeg(r: Raster, quality: number): Promise<Buffer> {
  const bytes = Buffer.alloc(r.data.length);
  for (let i = 0; i < r.data.length; i++) bytes[i] = Math.round(255 * toSrgb(Math.min(1, Math.max(0, r.data[i]!))));
  return sharp(bytes, { raw: { width: r.width, height: r.height, channels: 3 } }).jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
}

/** mulberry32: small, fast and reproducible across platforms. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** Smooth value noise in about −1..1 with features `cell` pixels apart, summed over `octaves` halvings. */
export function fbm(width: number, height: number, cell: number, octaves: number, rand: () => number): Float32Array {
  const out = new Float32Array(width * height);
  let amp = 1;
  let total = 0;
  for (let o = 0; o < octaves; o++, amp /= 2, cell /= 2) {
    const size = Math.max(1, cell);
    const gw = Math.ceil(width / size) + 2;
    const gh = Math.ceil(height / size) + 2;
    const grid = Float32Array.from({ length: gw * gh }, () => rand() * 2 - 1);
    for (let y = 0; y < height; y++) {
      const gy = y / size;
      const y0 = Math.floor(gy);
      const ty = smooth(gy - y0);
      for (let x = 0; x < width; x++) {
        const gx = x / size;
        const x0 = Math.floor(gx);
        const tx = smooth(gx - x0);
        const a = grid[y0 * gw + x0]! + (grid[y0 * gw + x0 + 1]! - grid[y0 * gw + x0]!) * tx;
        const b = grid[(y0 + 1) * gw + x0]! + (grid[(y0 + 1) * gw + x0 + 1]! - grid[(y0 + 1) * gw + x0]!) * tx;
        out[y * width + x]! += amp * (a + (b - a) * ty);
      }
    }
    total += amp;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}

const smooth = (t: number) => t * t * (3 - 2 * t);

/** Gaussian blur approximated by three box passes per axis (cost independent of sigma). */
export function blur(r: Raster, sigma: number): Raster {
  if (sigma < 0.3) return r;
  // Box width giving the same variance over three passes: w² = 4σ² + 1.
  const radius = Math.max(1, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
  let cur = r.data;
  for (let pass = 0; pass < 3; pass++) {
    cur = boxPass(cur, r.width, r.height, radius, true);
    cur = boxPass(cur, r.width, r.height, radius, false);
  }
  return { width: r.width, height: r.height, data: cur };
}

function boxPass(src: Float32Array, w: number, h: number, radius: number, horizontal: boolean): Float32Array {
  const dst = new Float32Array(src.length);
  const [lines, len] = horizontal ? [h, w] : [w, h];
  const idx = (line: number, i: number) => 3 * (horizontal ? line * w + i : i * w + line);
  const n = 2 * radius + 1;
  for (let line = 0; line < lines; line++) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      // Edges are extended (clamped), so a dark border does not bleed in from outside the frame.
      for (let i = -radius; i <= radius; i++) sum += src[idx(line, Math.min(len - 1, Math.max(0, i))) + c]!;
      for (let i = 0; i < len; i++) {
        dst[idx(line, i) + c] = sum / n;
        sum += src[idx(line, Math.min(len - 1, i + radius + 1)) + c]! - src[idx(line, Math.max(0, i - radius)) + c]!;
      }
    }
  }
  return dst;
}

/** Bilinear sample of channel-interleaved data at (x, y) in pixel-centre coordinates, clamped at the edges. */
export function bilinear(r: Raster, x: number, y: number, out: Float32Array, at = 0): void {
  const fx = Math.min(r.width - 1, Math.max(0, x - 0.5));
  const fy = Math.min(r.height - 1, Math.max(0, y - 0.5));
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(r.width - 1, x0 + 1);
  const y1 = Math.min(r.height - 1, y0 + 1);
  const tx = fx - x0;
  const ty = fy - y0;
  for (let c = 0; c < 3; c++) {
    const a = r.data[3 * (y0 * r.width + x0) + c]! * (1 - tx) + r.data[3 * (y0 * r.width + x1) + c]! * tx;
    const b = r.data[3 * (y1 * r.width + x0) + c]! * (1 - tx) + r.data[3 * (y1 * r.width + x1) + c]! * tx;
    out[at + c] = a + (b - a) * ty;
  }
}

export type Point = [number, number];
/** 3×3 projective transform, row-major, h[8] = 1. */
export type Homography = Float64Array;

/** The homography taking the four `from` points onto the four `to` points (direct linear transform). */
export function homography(from: Point[], to: Point[]): Homography {
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i]!;
    const [u, v] = to[i]!;
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gauss–Jordan elimination with partial pivoting on the 8×9 augmented matrix.
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let row = col + 1; row < 8; row++) if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]!;
    for (let row = 0; row < 8; row++) {
      if (row === col) continue;
      const f = a[row]![col]! / p[col]!;
      for (let k = col; k < 9; k++) a[row]![k]! -= f * p[k]!;
    }
  }
  return Float64Array.from([...a.map((row, i) => row[8]! / row[i]!), 1]);
}
