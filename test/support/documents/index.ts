// Test document generator: ICAO 9303 passports (TD3), ID cards (TD1, MRZ on the back) and TD2 cards rendered from
// SVG with the OCR-B font, a real face photo in the portrait box, and optional forgeries / bad-capture variants.
import sharp from 'sharp';
import { useBundledFonts } from '../../../src/verification/engine/document/fonts.js';
import type { MrzFormat } from '../../../src/verification/engine/document/icao.js';
import { defaultFields, seededRandom, specimenFields, type DocumentFields } from './fields.js';
import { bookletPage, idCardBack, idCardFront, type Layout } from './layouts.js';
import { buildMrz, mrzName, type Tamper } from './mrz-build.js';
import { PORTRAITS, type Portrait, type PortraitId } from './portraits.js';
import { finish, type ImageVariant } from './variants.js';

// Documents are rendered with the bundled OCR-B (the real MRZ font), whatever this machine has installed.
useBundledFonts();

export { PORTRAITS, type Portrait, type PortraitId } from './portraits.js';
export { defaultFields, randomFields, seededRandom, specimenFields, type DocumentFields, type Sex } from './fields.js';
export { exifDate, type ExifOptions, type ImageVariant } from './variants.js';
export { buildMrz, mrzName, type Tamper, type TamperableField } from './mrz-build.js';

export interface GenerateOptions {
  /** Reference time for defaults (specimen validity, EXIF capture time). */
  now?: Date;
  /**
   * Printed data; missing keys come from defaultFields (the ICAO specimen person, Anna María Eriksson, on an NLD
   * document with a made-up number), or from the ICAO specimen itself (UTO, L898902C3) with `specimen`.
   */
  fields?: Partial<DocumentFields>;
  /** Render the ICAO specimen (refused outside sandbox mode) instead of the non-specimen default. */
  specimen?: boolean;
  /** Portrait id from PORTRAITS or any Portrait (path + crop). Default: person A (webcam) for M/X, person C for F. */
  portrait?: PortraitId | Portrait;
  /** Print these values instead, keeping check digits computed from `fields` (a forged edit). */
  tamper?: Tamper;
  /**
   * Print these values in the visual zone only; the MRZ stays as `fields` (and `tamper`) make it, check digits
   * valid: a forger who edits the printed data of a genuine document. `fields` in the result stay the MRZ's.
   */
  printed?: Partial<Pick<DocumentFields, 'surname' | 'givenNames' | 'birthDate' | 'documentNumber' | 'expiryDate'>>;
  /** Capture defects and metadata; applied to every side. */
  variant?: ImageVariant;
  /** Seed for the background pattern. */
  seed?: number;
}

export interface GeneratedFields extends DocumentFields {
  /** As they appear in the MRZ (ICAO transliteration, spaces for `<`). */
  mrzSurname: string;
  mrzGivenNames: string;
}

export interface GeneratedPassport {
  format: 'TD3' | 'TD2';
  image: Buffer;
  mrz: string[];
  /** What a correct reader should get (the tampered values where `tamper` was given). */
  fields: GeneratedFields;
}

export interface GeneratedIdCard {
  format: 'TD1';
  front: Buffer;
  back: Buffer;
  mrz: string[];
  fields: GeneratedFields;
}

// Optional-data capacity per format (TD1 line 1 only; TD2 7; TD3 personal number 14).
const OPTIONAL_MAX: Record<MrzFormat, number> = { TD1: 15, TD2: 7, TD3: 14 };

function resolve(
  format: MrzFormat,
  opts: GenerateOptions,
): { now: Date; fields: DocumentFields; shown: GeneratedFields; printed: DocumentFields; rnd: () => number } {
  const now = opts.now ?? new Date();
  const base = (opts.specimen ? specimenFields : defaultFields)(now, opts.fields);
  const fields = { ...base, optionalData: base.optionalData.slice(0, OPTIONAL_MAX[format]) };
  const shownRaw = { ...fields, ...opts.tamper };
  const shown: GeneratedFields = {
    ...shownRaw,
    mrzSurname: mrzName(fields.surname).replace(/</g, ' '),
    mrzGivenNames: mrzName(fields.givenNames).replace(/</g, ' '),
  };
  return { now, fields, shown, printed: { ...shownRaw, ...opts.printed }, rnd: seededRandom(opts.seed ?? 1) };
}

async function compose(layout: Layout, portrait: PortraitId | Portrait | undefined, sex: string): Promise<Buffer> {
  const base = sharp(layout.svg).png();
  if (!layout.portrait) return base.toBuffer();
  const fallback = sex === 'F' ? PORTRAITS.personC : PORTRAITS.personA_webcam;
  const p: Portrait = typeof portrait === 'string' ? PORTRAITS[portrait] : (portrait ?? fallback);
  let face = sharp(p.path);
  if (p.crop) face = face.extract(p.crop);
  const photo = await face.resize(layout.portrait.width, layout.portrait.height, { fit: 'cover', position: 'north' }).toBuffer();
  return sharp(await base.toBuffer())
    .composite([{ input: photo, left: layout.portrait.left, top: layout.portrait.top }])
    .png()
    .toBuffer();
}

async function booklet(format: 'TD3' | 'TD2', opts: GenerateOptions): Promise<GeneratedPassport> {
  const { now, fields, shown, printed, rnd } = resolve(format, opts);
  const mrz = buildMrz(format, fields, opts.tamper);
  const width = opts.variant?.width ?? (format === 'TD3' ? 1500 : 1260);
  const page = await compose(bookletPage(format, printed, mrz, width, rnd), opts.portrait, fields.sex);
  return { format, image: await finish(page, opts.variant ?? {}, now), mrz, fields: shown };
}

/** TD3 passport data page, 125×88 mm, 1500 px wide unless `variant.width` says otherwise. */
export function generatePassport(opts: GenerateOptions = {}): Promise<GeneratedPassport> {
  return booklet('TD3', opts);
}

/** TD2 card (105×74 mm, 2×36 MRZ), 1260 px wide by default. */
export function generateTd2(opts: GenerateOptions = {}): Promise<GeneratedPassport> {
  return booklet('TD2', opts);
}

/** TD1 ID card, 85.6×54 mm: portrait and visual zone on the front, 3×30 MRZ on the back; 1000 px wide by default. */
export async function generateIdCard(opts: GenerateOptions = {}): Promise<GeneratedIdCard> {
  const { now, fields, shown, printed, rnd } = resolve('TD1', opts);
  const mrz = buildMrz('TD1', fields, opts.tamper);
  const width = opts.variant?.width ?? 1000;
  const front = await compose(idCardFront(printed, width, rnd), opts.portrait, fields.sex);
  const back = await compose(idCardBack(printed, mrz, width, rnd), undefined, fields.sex);
  const v = opts.variant ?? {};
  return { format: 'TD1', front: await finish(front, v, now), back: await finish(back, v, now), mrz, fields: shown };
}
