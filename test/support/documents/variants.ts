// Image-level variants applied after rendering: camera EXIF (or edited EXIF), blur, low resolution, glare, JPEG.
import sharp from 'sharp';

export interface ExifOptions {
  make?: string;
  model?: string;
  /** e.g. "Adobe Photoshop 25.0"; omitted = no Software tag (as a phone camera writes none). */
  software?: string;
  /** EXIF "YYYY:MM:DD HH:MM:SS" strings. */
  dateTimeOriginal?: string;
  modifyDate?: string;
}

export interface ImageVariant {
  /** Final width in pixels (the page is rendered at this width; `downscaleTo` then shrinks it). */
  width?: number;
  /** Render at `width`, then shrink to this width: a low-resolution photo of a sharp document. */
  downscaleTo?: number;
  /** Gaussian blur sigma in final-image pixels. */
  blurSigma?: number;
  /** A bright specular patch covering roughly this fraction of the image. */
  glare?: number;
  jpegQuality?: number;
  /** Small clockwise tilt in degrees, on a grey table background (a hand-held photo). */
  skewDegrees?: number;
  /** Rotate the finished image clockwise (a photo taken upside down or sideways, with no orientation tag). */
  rotate?: 0 | 90 | 180 | 270;
  /** Camera-like EXIF by default; `false` writes none. */
  exif?: ExifOptions | false;
}

export const exifDate = (d: Date): string => d.toISOString().slice(0, 19).replace(/-/g, ':').replace('T', ' ');

async function glarePatch(width: number, height: number, fraction: number): Promise<Buffer> {
  // An ellipse of area ≈ fraction·W·H, saturated white in the middle, fading at the rim.
  const rx = Math.sqrt((fraction * width * height) / Math.PI) * 1.25;
  const ry = rx * 0.8;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs>` +
    `<radialGradient id="g"><stop offset="0.8" stop-color="#fff" stop-opacity="1"/>` +
    `<stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>` +
    `<ellipse cx="${width * 0.62}" cy="${height * 0.4}" rx="${rx}" ry="${ry}" fill="url(#g)"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** Apply the variant to a rendered page (PNG/raw-capable buffer) and encode the JPEG a phone would upload. */
export async function finish(rendered: Buffer, v: ImageVariant, now: Date): Promise<Buffer> {
  let img = sharp(rendered);
  const meta = await sharp(rendered).metadata();
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (v.glare) img = sharp(await img.composite([{ input: await glarePatch(w, h, v.glare) }]).png().toBuffer());
  if (v.downscaleTo) img = sharp(await img.resize({ width: v.downscaleTo }).png().toBuffer());
  if (v.blurSigma) img = img.blur(v.blurSigma);
  if (v.skewDegrees) img = sharp(await img.png().toBuffer()).rotate(v.skewDegrees, { background: '#6b6f73' });
  if (v.rotate) img = sharp(await img.png().toBuffer()).rotate(v.rotate);
  let out = img.flatten({ background: '#ffffff' }).jpeg({ quality: v.jpegQuality ?? 90 });
  if (v.exif !== false) {
    const e = v.exif ?? {};
    const taken = e.dateTimeOriginal ?? exifDate(new Date(now.getTime() - 60_000));
    const ifd0: Record<string, string> = { Make: e.make ?? 'Google', Model: e.model ?? 'Pixel 8', DateTime: e.modifyDate ?? taken };
    if (e.software) ifd0.Software = e.software;
    out = out.withExif({ IFD0: ifd0, IFD2: { DateTimeOriginal: taken, DateTimeDigitized: taken } });
  }
  return out.toBuffer();
}
