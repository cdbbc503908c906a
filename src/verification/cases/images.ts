// Upload content checks: the type comes from the bytes (magic number + a real decode), never from the file name
// or the client's Content-Type. The size limits are checked on the header first (image-header.ts), so a pixel or
// colour-profile bomb is refused before any decoder allocates for it; then a full decode catches truncated and
// corrupt files before anything is stored.
import sharp, { type Metadata } from 'sharp';
import { BadRequestError, UnprocessableError, UnsupportedMediaTypeError } from '../../http/errors.js';
import { ImageHeaderError, readImageHeader, type ImageHeader } from './image-header.js';

/** Configured by UPLOAD_IMAGE_MAX_SIDE / _MAX_PIXELS / _MAX_ASPECT (config.ts). */
export interface ImageLimits {
  maxSide: number;
  maxPixels: number;
  /** Longer side / shorter side. */
  maxAspect: number;
}

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
export async function inspectImage(field: string, buf: Buffer, limits: ImageLimits): Promise<ImageInfo> {
  if (buf.length === 0) throw new BadRequestError('empty_file', `${field}: the file is empty.`);
  const type = sniff(buf);
  if (!type) throw new UnsupportedMediaTypeError(`${field}: only JPEG, PNG and WebP images are accepted (checked by content, not by name).`);
  checkHeader(field, type, buf, limits);
  const maxPixels = limits.maxPixels;
  let meta: Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: maxPixels }).metadata();
  } catch {
    throw new UnprocessableError('corrupt_image', `${field}: the image could not be read.`);
  }
  if (meta.format !== SHARP_FORMAT[type]) {
    throw new UnsupportedMediaTypeError(`${field}: the content is not a valid ${SHARP_FORMAT[type].toUpperCase()} image.`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  checkSize(field, { width, height }, limits);
  if (width < 1 || height < 1 || (meta.pages ?? 1) > 1) {
    throw new UnprocessableError('corrupt_image', `${field}: the image has no usable frame (animated images are not accepted).`);
  }
  try {
    // Decoding the whole image (shrink-on-load keeps this cheap) surfaces truncation and corrupt data.
    await sharp(buf, { failOn: 'truncated', limitInputPixels: maxPixels }).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
  } catch {
    throw new UnprocessableError('corrupt_image', `${field}: the image is truncated or corrupt.`);
  }
  return { contentType: type, width, height };
}

function checkHeader(field: string, type: ImageType, buf: Buffer, limits: ImageLimits): void {
  let header: ImageHeader;
  try {
    header = readImageHeader(type, buf);
  } catch (err) {
    if (!(err instanceof ImageHeaderError)) throw err;
    throw new UnprocessableError(err.code, `${field}: ${err.message}.`);
  }
  checkSize(field, header, limits);
}

function checkSize(field: string, { width, height }: ImageHeader, limits: ImageLimits): void {
  const size = `${width}×${height} px`;
  if (width > limits.maxSide || height > limits.maxSide) {
    throw new UnprocessableError('image_too_large', `${field}: ${size} has a side longer than ${limits.maxSide} px.`);
  }
  if (width * height > limits.maxPixels) {
    throw new UnprocessableError('image_too_large', `${field}: ${size} is more than ${limits.maxPixels / 1e6} megapixels.`);
  }
  if (width > 0 && height > 0 && Math.max(width, height) / Math.min(width, height) > limits.maxAspect) {
    throw new UnprocessableError('image_aspect_ratio', `${field}: ${size} is narrower than 1:${limits.maxAspect}; send a photo or scan of the document.`);
  }
}
