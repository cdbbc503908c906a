// Upload content checks: the type comes from the bytes (magic number + a real decode), never from the file name
// or the client's Content-Type. A full decode catches truncated and corrupt files before anything is stored.
import sharp, { type Metadata } from 'sharp';
import { BadRequestError, UnprocessableError, UnsupportedMediaTypeError } from '../../http/errors.js';

export const MAX_PIXELS = 40_000_000;

export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';

export interface ImageInfo {
  contentType: ImageType;
  width: number;
  height: number;
}

const SHARP_FORMAT: Record<ImageType, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' };

export function sniff(buf: Buffer): ImageType | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

/** Throws a 4xx ApiError naming the field when the upload is not a usable JPEG/PNG/WebP within limits. */
export async function inspectImage(field: string, buf: Buffer): Promise<ImageInfo> {
  if (buf.length === 0) throw new BadRequestError('empty_file', `${field}: the file is empty.`);
  const type = sniff(buf);
  if (!type) throw new UnsupportedMediaTypeError(`${field}: only JPEG, PNG and WebP images are accepted (checked by content, not by name).`);
  let meta: Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch {
    throw new UnprocessableError('corrupt_image', `${field}: the image could not be read.`);
  }
  if (meta.format !== SHARP_FORMAT[type]) {
    throw new UnsupportedMediaTypeError(`${field}: the content is not a valid ${SHARP_FORMAT[type].toUpperCase()} image.`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width * height > MAX_PIXELS) {
    throw new UnprocessableError('image_too_large', `${field}: ${width}×${height} px is more than ${MAX_PIXELS / 1e6} megapixels.`);
  }
  if (width < 1 || height < 1 || (meta.pages ?? 1) > 1) {
    throw new UnprocessableError('corrupt_image', `${field}: the image has no usable frame (animated images are not accepted).`);
  }
  try {
    // Decoding the whole image (shrink-on-load keeps this cheap) surfaces truncation and corrupt data.
    await sharp(buf, { failOn: 'truncated', limitInputPixels: MAX_PIXELS }).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
  } catch {
    throw new UnprocessableError('corrupt_image', `${field}: the image is truncated or corrupt.`);
  }
  return { contentType: type, width, height };
}
