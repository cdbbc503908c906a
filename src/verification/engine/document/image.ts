// Decoding guard for untrusted uploads: the route already checked type and size, but a small JPEG can still declare
// a huge pixel count (decompression bomb), so every decode goes through here with a pixel cap.
import sharp, { type Sharp } from 'sharp';
import { MAX_INPUT_PIXELS } from '../limits.js';

/** A sharp pipeline on an untrusted image, auto-rotated by its EXIF orientation (phones store portrait shots rotated). */
export function openImage(buf: Buffer): Sharp {
  return sharp(buf, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate();
}

export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Single-channel 8-bit pixels, optionally resized to `width` (no enlargement). */
export async function grayPixels(buf: Buffer, width?: number): Promise<GrayImage> {
  let img = openImage(buf).grayscale();
  if (width) img = img.resize({ width, withoutEnlargement: true });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Width and height after EXIF orientation. */
export async function orientedSize(buf: Buffer): Promise<{ width: number; height: number }> {
  const m = await sharp(buf, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  const w = m.width ?? 0;
  const h = m.height ?? 0;
  return (m.orientation ?? 1) >= 5 ? { width: h, height: w } : { width: w, height: h };
}
