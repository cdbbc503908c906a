// Five-point similarity alignment to the ArcFace 112×112 template, for descriptors that expect an aligned crop.
import type { RgbImage } from '../image.js';

/** ArcFace reference points for a 112×112 crop (same order as DetectedFace.landmarks5). */
const TEMPLATE: Array<[number, number]> = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** Least-squares similarity transform (scale, rotation, translation) taking `src` onto `dst`. */
export function similarity(src: Array<[number, number]>, dst: Array<[number, number]>) {
  const n = src.length;
  const mean = (pts: Array<[number, number]>) => [pts.reduce((a, p) => a + p[0], 0) / n, pts.reduce((a, p) => a + p[1], 0) / n];
  const [sx, sy] = mean(src) as [number, number];
  const [dx, dy] = mean(dst) as [number, number];
  let a = 0;
  let b = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]![0] - sx;
    const py = src[i]![1] - sy;
    const qx = dst[i]![0] - dx;
    const qy = dst[i]![1] - dy;
    a += px * qx + py * qy;
    b += px * qy - py * qx;
    norm += px * px + py * py;
  }
  const c = a / (norm || 1); // scale·cos
  const s = b / (norm || 1); // scale·sin
  return { c, s, tx: dx - (c * sx - s * sy), ty: dy - (s * sx + c * sy) };
}

/** The face warped onto the template, `size`×`size` RGB, bilinear; outside the image is black. */
export function alignedCrop(img: RgbImage, landmarks: Array<[number, number]>, size: number): RgbImage {
  const k = size / 112;
  const { c, s, tx, ty } = similarity(landmarks, TEMPLATE.map(([x, y]): [number, number] => [x * k, y * k]));
  const det = c * c + s * s || 1;
  const out = new Uint8Array(size * size * 3);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      // Inverse map: output pixel → source position.
      const ux = u - tx;
      const vy = v - ty;
      const x = (c * ux + s * vy) / det;
      const y = (-s * ux + c * vy) / det;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= img.width || y0 + 1 >= img.height) continue;
      const fx = x - x0;
      const fy = y - y0;
      for (let ch = 0; ch < 3; ch++) {
        const at = (xx: number, yy: number) => img.data[(yy * img.width + xx) * 3 + ch]!;
        const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
        const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
        out[(v * size + u) * 3 + ch] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { data: out, width: size, height: size };
}
