// Image dimensions from the file header, read before any decoder sees the bytes (a 100 KB PNG may declare
// 13,333,333 × 3 px). PNG: IHDR, plus every compressed ancillary chunk (iCCP colour profile, zTXt/iTXt text) inflated
// under a byte cap, because decoders inflate those on a header read too. JPEG: the first SOF marker. WebP: the
// VP8/VP8L/VP8X header. A header we cannot walk is reported as unreadable; the limits are checked by the caller.
import zlib from 'node:zlib';
import type { ImageType } from './images.js';

export interface ImageHeader {
  width: number;
  height: number;
}

export class ImageHeaderError extends Error {
  constructor(
    readonly code: 'corrupt_image' | 'image_profile_too_large',
    message: string,
  ) {
    super(message);
  }
}

/** Inflated bytes allowed for one compressed PNG chunk (an ICC profile is a few KB; 1 MB is generous). */
export const MAX_INFLATED_CHUNK_BYTES = 1_048_576;
/** …and for all of them together. */
const MAX_INFLATED_TOTAL_BYTES = 4 * 1_048_576;

const corrupt = (why: string) => new ImageHeaderError('corrupt_image', why);

export function readImageHeader(type: ImageType, buf: Buffer): ImageHeader {
  if (type === 'image/png') return pngHeader(buf);
  if (type === 'image/jpeg') return jpegHeader(buf);
  return webpHeader(buf);
}

function pngHeader(buf: Buffer): ImageHeader {
  if (buf.length < 33 || buf.toString('latin1', 12, 16) !== 'IHDR') throw corrupt('the PNG has no IHDR header');
  const header = { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
  let inflated = 0;
  for (let at = 8; at + 8 <= buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = at + 8;
    if (data + length > buf.length) break; // truncated: the decoder's full read reports it
    if (type === 'IDAT' || type === 'IEND') break; // ancillary chunks that matter come before the pixels
    const compressed = compressedPart(type, buf.subarray(data, data + length));
    if (compressed) {
      const size = inflatedSize(compressed, type);
      inflated += size;
      if (inflated > MAX_INFLATED_TOTAL_BYTES) throw new ImageHeaderError('image_profile_too_large', 'the PNG carries too much compressed metadata');
    }
    at = data + length + 4; // + CRC
  }
  return header;
}

/** The zlib stream inside a compressed ancillary chunk, if the chunk has one. */
function compressedPart(type: string, data: Buffer): Buffer | null {
  const nul = data.indexOf(0);
  if (nul < 0) return null;
  if (type === 'iCCP' || type === 'zTXt') return data.subarray(nul + 2); // keyword\0, method byte
  if (type === 'iTXt' && data[nul + 1] === 1) {
    // keyword\0 flag method language\0 translated\0 text
    const lang = data.indexOf(0, nul + 3);
    const translated = lang < 0 ? -1 : data.indexOf(0, lang + 1);
    return translated < 0 ? null : data.subarray(translated + 1);
  }
  return null;
}

function inflatedSize(stream: Buffer, type: string): number {
  try {
    return zlib.inflateSync(stream, { maxOutputLength: MAX_INFLATED_CHUNK_BYTES }).length;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ImageHeaderError('image_profile_too_large', `the PNG's ${type === 'iCCP' ? 'colour profile' : 'text metadata'} inflates to more than ${MAX_INFLATED_CHUNK_BYTES / 1_048_576} MB`);
    }
    throw corrupt(`the PNG's ${type} chunk is corrupt`);
  }
}

// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC): they carry the frame size.
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegHeader(buf: Buffer): ImageHeader {
  let at = 2;
  while (at + 4 <= buf.length) {
    if (buf[at] !== 0xff) throw corrupt('the JPEG marker structure is broken');
    const marker = buf[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // scan data or end before any frame header
    const length = buf.readUInt16BE(at + 2);
    if (SOF.has(marker)) {
      if (at + 9 > buf.length) break;
      return { height: buf.readUInt16BE(at + 5), width: buf.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  throw corrupt('the JPEG has no frame header');
}

function webpHeader(buf: Buffer): ImageHeader {
  const kind = buf.toString('latin1', 12, 16);
  const d = 20;
  if (kind === 'VP8 ' && buf.length >= d + 10 && buf[d + 3] === 0x9d && buf[d + 4] === 0x01 && buf[d + 5] === 0x2a) {
    return { width: buf.readUInt16LE(d + 6) & 0x3fff, height: buf.readUInt16LE(d + 8) & 0x3fff };
  }
  if (kind === 'VP8L' && buf.length >= d + 5 && buf[d] === 0x2f) {
    const bits = buf.readUInt32LE(d + 1);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (kind === 'VP8X' && buf.length >= d + 10) {
    return { width: buf.readUIntLE(d + 4, 3) + 1, height: buf.readUIntLE(d + 7, 3) + 1 };
  }
  throw corrupt('the WebP header is not readable');
}
