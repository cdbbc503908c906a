// The camera side of a presentation attack: a flat surface (a printed sheet or a phone screen) held in a hand in
// front of a wall, tilted in perspective, lit unevenly, reflecting a window, photographed by a phone camera
// (supersampled sensor, defocus, optional veiling glare, sensor noise, auto exposure, JPEG).
import { blur, fbm, gaussian, homography, raster, type Point, type Raster, type Rgb } from './raster.js';

type Homography9 = [number, number, number, number, number, number, number, number, number];

/** A flat object in the scene; its own coordinates run over [0, width) × [0, height). */
export interface Surface {
  width: number;
  height: number;
  /** Share of the window reflection its surface shows (screen glass ≈ 1, glossy photo paper ≈ 0.3, matte ≈ 0.05). */
  gloss: number;
  /** Writes albedo to out[0..2] and emitted light to out[3..5]; returns coverage 0..1 (0 off rounded corners). */
  sample(u: number, v: number, out: Float32Array): number;
}

export interface SceneOptions {
  rand: () => number;
  /** Canvas size of the capture in pixels. */
  width: number;
  height: number;
  /** 0..1: how far from a square-on, well-lit, sharp capture the camera was. */
  severity: number;
  /** Light falling on the scene (1 = a lit room; a dim room lets a screen outshine it). */
  ambient: number;
  /** Share of the canvas height the surface spans. */
  fill: number;
  /** Subsamples per pixel and axis: a sensor integrates light over its pixel area, imperfectly. */
  supersample: number;
  /** Veiling glare: share of the light scattered in the lens (bright screens glow in their surroundings). */
  bloom: number;
}

interface Ellipse {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  /** Cosine and sine of the major axis' angle. */
  cos: number;
  sin: number;
  albedo: Rgb;
}

const ellipse = (cx: number, cy: number, rx: number, ry: number, angle: number, albedo: Rgb): Ellipse => ({
  cx, cy, rx, ry, cos: Math.cos(angle), sin: Math.sin(angle), albedo,
});

const SKIN: Rgb[] = [[0.5, 0.3, 0.22], [0.36, 0.2, 0.13], [0.17, 0.09, 0.06], [0.6, 0.4, 0.32]];
const WALLS: Rgb[] = [[0.45, 0.4, 0.32], [0.25, 0.27, 0.3], [0.5, 0.5, 0.48], [0.15, 0.18, 0.25], [0.35, 0.25, 0.2]];

/** Renders the surface in the scene and returns the linear-light capture (before JPEG). */
export function photograph(surface: Surface, o: SceneOptions): Raster {
  const { rand, width: W, height: H, severity: s } = o;
  const quad = placement(surface, o);
  const toSurface = homography(quad, [[0, 0], [surface.width, 0], [surface.width, surface.height], [0, surface.height]]);

  const wall = WALLS[Math.floor(rand() * WALLS.length)]!;
  const wallTexture = fbm(W, H, 60, 4, rand);
  const skin = SKIN[Math.floor(rand() * SKIN.length)]!;
  const { front, behind } = hand(quad, skin, H, rand);
  const lightAngle = rand() * 2 * Math.PI;
  const lightSlope = 0.15 + 0.5 * s;
  const light = (x: number, y: number) =>
    o.ambient * Math.max(0.2, 1 + lightSlope * ((x / W - 0.5) * Math.cos(lightAngle) + (y / H - 0.5) * Math.sin(lightAngle)));
  const reflection = windowReflection(W, H, s, rand);

  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => toSurface[k]!) as Homography9;
  const out = raster(W, H);
  const bg = new Float32Array(3);
  const buf = new Float32Array(6);
  const acc = new Float32Array(3);
  const n = o.supersample;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const L = light(x, y);
      const spec = surface.gloss * reflection(x, y);
      const back = cover(behind, x, y);
      for (let c = 0; c < 3; c++) bg[c] = (back ? back.albedo[c]! * back.shade : wall[c]! * (1 + 0.08 * wallTexture[y * W + x]!)) * L;
      acc.fill(0);
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          // toSurface applied inline: this loop runs n² times per pixel.
          const sx = x + (i + 0.5) / n;
          const sy = y + (j + 0.5) / n;
          const q = h6 * sx + h7 * sy + h8;
          const u = (h0 * sx + h1 * sy + h2) / q;
          const v = (h3 * sx + h4 * sy + h5) / q;
          const inside = u >= 0 && v >= 0 && u < surface.width && v < surface.height;
          const cov = inside ? surface.sample(u, v, buf) : 0;
          for (let c = 0; c < 3; c++) acc[c]! += cov * (buf[c]! * L + buf[3 + c]! + spec) + (1 - cov) * bg[c]!;
        }
      }
      const top = cover(front, x, y);
      for (let c = 0; c < 3; c++) {
        const v = acc[c]! / (n * n);
        out.data[3 * (y * W + x) + c] = top ? top.albedo[c]! * top.shade * L * top.alpha + v * (1 - top.alpha) : v;
      }
    }
  }
  return camera(out, o);
}

/** Where the surface's corners land: centred, rotated a little, and foreshortened as if tilted away. */
function placement(surface: Surface, o: SceneOptions): Point[] {
  const { rand, width: W, height: H, severity: s } = o;
  let h = o.fill * H;
  let w = (h * surface.width) / surface.height;
  if (w > 0.92 * W) [w, h] = [0.92 * W, (0.92 * W * surface.height) / surface.width];
  const cx = W / 2 + (rand() - 0.5) * 0.06 * W;
  const cy = H / 2 + (rand() - 0.5) * 0.06 * H;
  const rot = ((rand() - 0.5) * (4 + 16 * s) * Math.PI) / 180;
  // Tilt: one edge recedes (shorter), chosen at random among the four.
  const shrink = (0.03 + 0.17 * s) * (0.5 + rand() / 2);
  const edge = Math.floor(rand() * 4);
  const corners: Point[] = [[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]];
  const near = [[0, 1], [1, 2], [2, 3], [3, 0]][edge]!;
  const jitter = 0.015 * (w + h) * s;
  return corners.map(([x, y], k): Point => {
    const f = near.includes(k) ? 1 - shrink : 1;
    const px = (edge % 2 === 0 ? x * f : x) + (rand() - 0.5) * jitter;
    const py = (edge % 2 === 1 ? y * f : y) + (rand() - 0.5) * jitter;
    return [cx + px * Math.cos(rot) - py * Math.sin(rot), cy + px * Math.sin(rot) + py * Math.cos(rot)];
  });
}

/** A thumb (and the palm below it) over the bottom edge, three fingertips peeking out from behind one side. */
function hand(quad: Point[], skin: Rgb, H: number, rand: () => number): { front: Ellipse[]; behind: Ellipse[] } {
  const lerp = (a: Point, b: Point, t: number): Point => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
  const size = Math.hypot(quad[1]![0] - quad[0]![0], quad[1]![1] - quad[0]![1]);
  const tone = (k: number): Rgb => skin.map((c) => c * k) as Rgb;
  const bottom = lerp(quad[3]!, quad[2]!, 0.15 + 0.2 * rand());
  const thumb = ellipse(bottom[0], bottom[1], 0.07 * size, 0.16 * size, (rand() - 0.5) * 0.6, tone(1));
  const palm = ellipse(bottom[0] - 0.05 * size, Math.max(bottom[1] + 0.18 * size, H * 0.98), 0.3 * size, 0.2 * size, 0.2, tone(0.9));
  const right = rand() < 0.5;
  const [a, b] = right ? [quad[1]!, quad[2]!] : [quad[0]!, quad[3]!];
  const behind = [0.45, 0.6, 0.75].map((t): Ellipse => {
    const p = lerp(a, b, t);
    return ellipse(p[0] + (right ? 1 : -1) * 0.03 * size, p[1], 0.07 * size, 0.04 * size, 0, tone(0.85));
  });
  return { front: [thumb, palm], behind };
}

/** The ellipse covering (x, y), with a rounded-finger shading term and an anti-aliased edge. */
function cover(shapes: Ellipse[], x: number, y: number): { albedo: Rgb; shade: number; alpha: number } | null {
  for (const e of shapes) {
    const dx = x - e.cx;
    const dy = y - e.cy;
    const u = (dx * e.cos + dy * e.sin) / e.rx;
    const v = (-dx * e.sin + dy * e.cos) / e.ry;
    const r2 = u * u + v * v;
    if (r2 >= 1) continue;
    const edgePx = (1 - Math.sqrt(r2)) * Math.min(e.rx, e.ry);
    return { albedo: e.albedo, shade: 0.55 + 0.45 * Math.sqrt(1 - r2), alpha: Math.min(1, edgePx / 1.5) };
  }
  return null;
}

/** A soft bright band (a window mirrored in the surface) crossing the frame at a random angle. */
function windowReflection(W: number, H: number, s: number, rand: () => number): (x: number, y: number) => number {
  const angle = rand() * Math.PI;
  const [nx, ny] = [Math.cos(angle), Math.sin(angle)];
  const offset = (rand() - 0.5) * 0.6 * Math.hypot(W, H);
  const halfWidth = (0.06 + 0.1 * rand()) * Math.hypot(W, H);
  const strength = 0.04 + 0.3 * s;
  return (x, y) => {
    const d = (x - W / 2) * nx + (y - H / 2) * ny - offset;
    return strength * Math.exp(-((d / halfWidth) ** 2));
  };
}

/** Lens and sensor: veiling glare, defocus, vignetting, auto exposure on the centre, noise. */
function camera(img: Raster, o: SceneOptions): Raster {
  const { severity: s, rand } = o;
  let out = img;
  if (o.bloom > 0) {
    const glow = blur(img, 0.04 * Math.max(img.width, img.height));
    out = { ...img, data: img.data.map((v, i) => v + o.bloom * glow.data[i]!) };
  }
  out = blur(out, 0.4 + 0.8 * s);
  const { width: W, height: H, data } = out;
  let sum = 0;
  let count = 0;
  for (let y = Math.floor(H / 4); y < (3 * H) / 4; y++) {
    for (let x = Math.floor(W / 4); x < (3 * W) / 4; x++, count++) sum += 0.2126 * data[3 * (y * W + x)]! + 0.7152 * data[3 * (y * W + x) + 1]! + 0.0722 * data[3 * (y * W + x) + 2]!;
  }
  const gain = Math.min(3, Math.max(0.5, 0.2 / (sum / count || 1)));
  const read = 0.002 + 0.006 * s;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const r2 = ((x / W - 0.5) ** 2 + (y / H - 0.5) ** 2) * 2;
      const vignette = 1 - 0.25 * r2;
      const luma = read * gaussian(rand);
      for (let c = 0; c < 3; c++) {
        const i = 3 * (y * W + x) + c;
        const v = data[i]! * gain * vignette;
        data[i] = v + Math.sqrt(Math.max(0, v)) * 0.015 * gaussian(rand) + luma + 0.3 * read * gaussian(rand);
      }
    }
  }
  return out;
}
