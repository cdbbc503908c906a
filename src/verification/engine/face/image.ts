// Image bytes → raw RGB pixels for the face models. We decode with sharp ourselves (tfjs-node is unavailable).
import sharp from 'sharp';
import { MAX_INPUT_PIXELS } from '../limits.js';

/** Larger inputs are downscaled: detection runs on a resized copy anyway and this bounds memory per task. */
const MAX_EDGE = 2048;

export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export class FaceImageError extends Error {
  readonly code = 'unreadable_image';
}

export async function decodeRgb(bytes: Buffer): Promise<RgbImage> {
  try {
    const img = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS })
      .rotate() // honour EXIF orientation: phone selfies are often stored sideways
      .resize({ width: MAX_EDGE, height: MAX_EDGE, fit: 'inside', withoutEnlargement: true });
    const { data, info } = await img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (err) {
    throw new FaceImageError(`image could not be decoded: ${(err as Error).message}`);
  }
}

/**
 * A JPEG copy no larger than `edge` on either side (EXIF orientation applied). The decide path sends uploads
 * through this inside the engine thread, so the resize is part of the engine's (deprioritised, paced) work.
 */
export async function fitWithin(bytes: Buffer, edge: number): Promise<Buffer> {
  try {
    return await sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 95 })
      .toBuffer();
  } catch (err) {
    throw new FaceImageError(`image could not be decoded: ${(err as Error).message}`);
  }
}
