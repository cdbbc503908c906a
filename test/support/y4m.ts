// Fake camera input for Chromium (--use-file-for-fake-video-capture): a YUV4MPEG2 file, 4:2:0 (C420, which
// Chromium's file capture device reads as I420), built from ordinary images with sharp. Each image is letterboxed
// onto the frame size and repeated `frames` times; Chromium plays the file at `fps` and loops it.
import fs from 'node:fs';
import sharp from 'sharp';

export interface Y4mScene {
  /** A path or encoded image (JPEG/PNG). */
  image: string | Buffer;
  /** How many frames this image lasts. */
  frames?: number;
}

/** Raw RGB → planar I420 (BT.601 studio range, the range Chromium assumes for I420), chroma averaged over 2×2. */
export function rgbToI420(rgb: Buffer, width: number, height: number): Buffer {
  const cw = width / 2;
  const ch = height / 2;
  const out = Buffer.alloc(width * height + 2 * cw * ch);
  const u = width * height;
  const v = u + cw * ch;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      out[y * width + x] = Math.round(16 + (65.481 * rgb[i]! + 128.553 * rgb[i + 1]! + 24.966 * rgb[i + 2]!) / 255);
    }
  }
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        const i = ((2 * y + dy) * width + 2 * x + dx) * 3;
        r += rgb[i]!;
        g += rgb[i + 1]!;
        b += rgb[i + 2]!;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      out[u + y * cw + x] = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
      out[v + y * cw + x] = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
    }
  }
  return out;
}

/** Writes `file`; width and height must be even (4:2:0). */
export async function writeY4m(file: string, scenes: Y4mScene[], opts: { width: number; height: number; fps?: number }): Promise<void> {
  const { width, height, fps = 10 } = opts;
  if (width % 2 || height % 2) throw new Error('y4m: 4:2:0 needs an even width and height');
  const out = fs.openSync(file, 'w');
  try {
    fs.writeSync(out, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420\n`);
    for (const scene of scenes) {
      const rgb = await sharp(scene.image)
        .resize(width, height, { fit: 'contain', background: { r: 40, g: 44, b: 52 } })
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer();
      const frame = Buffer.concat([Buffer.from('FRAME\n'), rgbToI420(rgb, width, height)]);
      for (let n = 0; n < (scene.frames ?? 1); n++) fs.writeSync(out, frame);
    }
  } finally {
    fs.closeSync(out);
  }
}
