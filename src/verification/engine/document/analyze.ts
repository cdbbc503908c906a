// Document analysis entry point: quality, metadata, MRZ read + check digits, expiry, applicant comparison.
// Safe inside a worker thread: all state is one OCR worker per thread, created by initDocumentEngine().
import type { CheckResult } from '../types.js';
import { applicantChecks, type ApplicantData } from './applicant.js';
import { exifChecks, readExif } from './exif.js';
import sharp from 'sharp';
import { openImage, orientedSize } from './image.js';
import { detectSkew, inspectPage, locateMrz, type MrzBox } from './mrz-locate.js';
import { MrzOcr, type MrzReading } from './mrz-ocr.js';
import { parseMrz, type CheckDigitResult, type DocumentType, type MrzParseResult } from './mrz-parse.js';
import { measureQuality, qualityChecks, type QualityMetrics } from './quality.js';
import { compareVizWithMrz, vizMrzCheck } from './viz-check.js';
import type { Region } from './viz-ocr.js';

export type { ApplicantData } from './applicant.js';

export interface AnalyzeInput {
  front: Buffer;
  /** Required for TD1 ID cards, whose MRZ is on the back. */
  back?: Buffer;
  applicant?: ApplicantData;
  /** What the applicant said they upload; lets a missing back side be reported as such. */
  expectedType?: DocumentType;
  now: Date;
  /** false skips the printed-zone comparison (document.viz_mrz); only the benchmark baseline does. */
  printedZone?: boolean;
}

/** MRZ data safe to show the tenant: document number masked, optional (personal-number) data omitted. */
export interface PublicMrzFields {
  format: 'TD1' | 'TD2' | 'TD3';
  documentCode: string;
  issuingState: string;
  documentNumberMasked: string;
  nationality: string;
  birthDate: string | null;
  expiryDate: string | null;
  sex: 'M' | 'F' | 'X';
  surname: string;
  givenNames: string;
  expired: boolean | null;
  ageYears: number | null;
}

export interface DocumentKey {
  type: DocumentType;
  issuingState: string;
  number: string;
}

export interface DocumentAnalysis {
  documentType: DocumentType | null;
  mrz: PublicMrzFields | null;
  checkDigits: CheckDigitResult[];
  quality: { front: QualityMetrics; back?: QualityMetrics };
  checks: CheckResult[];
  /** INTERNAL ONLY: raw document identity for the one-document-one-person HMAC. Never return to tenants or log. */
  documentKey: DocumentKey | null;
}

/** An uploaded image that cannot be decoded (corrupt, unsupported, or above the pixel cap): a 422 for the caller. */
export class DocumentImageError extends Error {
  /** Survives the worker-thread boundary (the pool forwards name, message and a string `code`). */
  readonly code = 'document_image_invalid';
  constructor(
    readonly side: 'front' | 'back',
    message: string,
  ) {
    super(`${side} image cannot be decoded: ${message}`);
    this.name = 'DocumentImageError';
  }
}

let ocr: MrzOcr | null = null;
let starting: Promise<MrzOcr> | null = null;

/** Load the OCR model once per thread (≈0.3–1 s). Idempotent. */
export async function initDocumentEngine(): Promise<void> {
  if (ocr) return;
  starting ??= MrzOcr.create();
  ocr = await starting;
}

export async function closeDocumentEngine(): Promise<void> {
  const o = ocr ?? (starting ? await starting : null);
  ocr = null;
  starting = null;
  await o?.close();
}

export function maskDocumentNumber(n: string): string {
  return '•'.repeat(Math.max(n.length - 4, 0)) + n.slice(-4);
}

/** The analysis without the internal document key: the only shape that may leave the engine. */
export function toPublicAnalysis(a: DocumentAnalysis): Omit<DocumentAnalysis, 'documentKey'> {
  const { documentKey: _key, ...rest } = a;
  return rest;
}

/** `page` is the image the MRZ was read from (upright, levelled) and `box` where it is: the printed zone is above. */
type SideReading = MrzReading & { rotation: number; skew: number; parsed: MrzParseResult; page: Buffer; box: MrzBox };

// Tilts below this are left alone: tesseract copes, and resampling softens the glyphs.
const MIN_DESKEW_DEGREES = 0.4;

/**
 * Read the MRZ of one side, trying the upright image first, then 180° (phone held upside down) and 90°/270°
 * (portrait photo without an orientation tag). An upside-down MRZ still looks like text lines to the locator, so a
 * reading counts only when it parses and at most two check digits fail (a tampered field fails its own digit and
 * the composite); random text passes two digits about 5% of the time.
 */
async function readSide(buf: Buffer, now: Date): Promise<SideReading | null> {
  if (!ocr) throw new Error('document engine not initialised: call initDocumentEngine() first');
  let best: SideReading | null = null;
  // Pixels with the EXIF orientation applied, decoded once and only if a rotation is needed.
  let upright: Buffer | null = null;
  const base = async (): Promise<Buffer> => (upright ??= await openImage(buf).png({ compressionLevel: 1 }).toBuffer());
  for (const rotation of [0, 180, 90, 270]) {
    let img = rotation ? await sharp(await base()).rotate(rotation).png({ compressionLevel: 1 }).toBuffer() : buf;
    // Hand-held photos are tilted a few degrees; the MRZ locator needs level lines.
    let { skew, box } = await inspectPage(img);
    if (Math.abs(skew) >= MIN_DESKEW_DEGREES) {
      const level = sharp(rotation ? img : await base()).rotate(-skew, { background: '#ffffff' });
      img = await level.png({ compressionLevel: 1 }).toBuffer();
      box = await locateMrz(img);
    } else skew = 0;
    const r = box ? await ocr.read(img, box) : null;
    const parsed = r ? parseMrz(r.lines, now) : null;
    if (!r || !parsed) continue;
    const failed = parsed.checkDigits.filter((d) => !d.valid).length;
    if (!best || failed < best.parsed.checkDigits.filter((d) => !d.valid).length) best = { ...r, rotation, skew, parsed, page: img, box: box! };
    if (failed <= 2) break;
  }
  return best;
}

/** The page above the MRZ (TD3/TD2 data page, or a TD1 front read as the only image): ICAO zones I–VI. */
async function above(r: SideReading): Promise<{ page: Buffer; region: Region }> {
  const { width } = await orientedSize(r.page);
  return { page: r.page, region: { left: 0, top: 0, width, height: r.box.top } };
}

/**
 * A TD1 front, turned like its back was (both sides come from one capture session) and levelled. The whole card
 * is the region: its front carries no MRZ.
 */
async function upright(front: Buffer, rotation: number): Promise<{ page: Buffer; region: Region }> {
  let page = rotation
    ? await sharp(await openImage(front).png({ compressionLevel: 1 }).toBuffer()).rotate(rotation).png({ compressionLevel: 1 }).toBuffer()
    : front;
  const skew = await detectSkew(page);
  if (Math.abs(skew) >= MIN_DESKEW_DEGREES) page = await sharp(page).rotate(-skew, { background: '#ffffff' }).png({ compressionLevel: 1 }).toBuffer();
  const { width, height } = await orientedSize(page);
  return { page, region: { left: 0, top: 0, width, height } };
}

/** ID-1 cards are 85.6×54 mm (1.59:1), passport pages 125×88 mm (1.42:1). */
async function looksLikeIdCard(buf: Buffer): Promise<boolean> {
  const { width, height } = await orientedSize(buf);
  const r = Math.max(width, height) / Math.max(1, Math.min(width, height));
  return r > 1.52 && r < 1.68;
}

function mrzChecks(p: MrzParseResult, reading: SideReading, now: Date): CheckResult[] {
  const failed = p.checkDigits.filter((d) => !d.valid).map((d) => d.field);
  const valid = p.checkDigits.length - failed.length;
  const readOk = p.formatErrors.length === 0;
  const f = p.fields;
  const daysLeft = f.expiryDate ? Math.floor((Date.parse(f.expiryDate) - Date.parse(now.toISOString().slice(0, 10))) / 86_400_000) : null;
  return [
    {
      name: 'document.mrz_read', passed: readOk, score: reading.confidence, threshold: null,
      reason: readOk ? `${f.format} MRZ read (${reading.lines.length} lines)` : `MRZ read but malformed: ${p.formatErrors.join('; ')}`,
      ...(readOk ? {} : { code: 'mrz_format' }),
      details: { format: f.format, ocrAttempts: reading.attempts, rotation: reading.rotation, skewDegrees: reading.skew },
    },
    {
      name: 'document.mrz_check_digits', passed: failed.length === 0, score: valid / p.checkDigits.length, threshold: 1,
      reason: failed.length ? `check digit mismatch in: ${failed.join(', ')}` : `all ${valid} ICAO check digits verify`,
      ...(failed.length ? { code: 'check_digit_mismatch', details: { failed } } : {}),
    },
    {
      name: 'document.expiry', passed: p.expired === false, score: daysLeft, threshold: 0,
      reason: p.expired === null ? 'expiry date unreadable' : p.expired ? `document expired on ${f.expiryDate}` : `valid until ${f.expiryDate}`,
      ...(p.expired === false ? {} : { code: p.expired ? 'document_expired' : 'expiry_unreadable' }),
    },
  ];
}

export async function analyzeDocument(input: AnalyzeInput): Promise<DocumentAnalysis> {
  const { front, back, now } = input;
  const sides = back ? (['front', 'back'] as const) : (['front'] as const);
  const images = { front, back };
  // Quality runs first and decodes every side fully, so a bad image fails here with a typed error.
  const quality = await Promise.all(
    sides.map(async (side) => {
      try {
        return { side, m: await measureQuality(images[side]!) };
      } catch (e) {
        throw new DocumentImageError(side, e instanceof Error ? e.message : String(e));
      }
    }),
  );
  const exif = await Promise.all(sides.map(async (side) => ({ side, f: await readExif(images[side]!, now) })));
  const checks: CheckResult[] = [...qualityChecks(quality), ...exifChecks(exif)];
  const result: DocumentAnalysis = {
    documentType: null,
    mrz: null,
    checkDigits: [],
    quality: { front: quality[0]!.m, ...(quality[1] ? { back: quality[1].m } : {}) },
    checks,
    documentKey: null,
  };

  // The MRZ of an ID card is on the back; a passport's is on the data page (front).
  let reading = back ? await readSide(back, now) : null;
  const mrzOnBack = !!reading;
  if (!reading && !(back === undefined && input.expectedType === 'id_card')) reading = await readSide(front, now);
  const parsed = reading?.parsed;
  if (!reading || !parsed) {
    const missingBack = !back && (input.expectedType === 'id_card' || (await looksLikeIdCard(front)));
    checks.push(
      missingBack
        ? {
            name: 'document.mrz_missing_back', passed: false, score: null, threshold: null, code: 'mrz_missing_back',
            reason: 'no MRZ on the front; ID cards carry it on the back: upload the back side',
          }
        : {
            name: 'document.mrz_read', passed: false, score: null, threshold: null, code: 'mrz_not_found',
            reason: 'no readable machine-readable zone found (ID cards: upload the back side too)',
          },
    );
    return result;
  }

  const f = parsed.fields;
  result.documentType = f.documentType;
  result.checkDigits = parsed.checkDigits;
  result.mrz = {
    format: f.format, documentCode: f.documentCode, issuingState: f.issuingState,
    documentNumberMasked: maskDocumentNumber(f.documentNumber), nationality: f.nationality,
    birthDate: f.birthDate, expiryDate: f.expiryDate, sex: f.sex, surname: f.surname, givenNames: f.givenNames,
    expired: parsed.expired, ageYears: parsed.ageYears,
  };
  if (f.format === 'TD1' && !back) {
    checks.push({
      name: 'document.mrz_missing_back', passed: false, score: null, threshold: null, code: 'mrz_missing_back',
      reason: 'a TD1 ID card MRZ was found on the front image; upload both sides',
    });
  }
  checks.push(...mrzChecks(parsed, reading, now), ...applicantChecks(input.applicant, f));
  // The printed zone is compared only with an MRZ that verifies: with a failed check digit the case is already
  // rejected, and there is no trustworthy reference to compare with.
  if (input.printedZone !== false && parsed.formatErrors.length === 0 && parsed.checkDigits.every((d) => d.valid)) {
    const { page, region } = mrzOnBack ? await upright(front, reading.rotation) : await above(reading);
    if (region.height > 0) {
      const { statuses, captionsRead } = await compareVizWithMrz(ocr!, page, region, {
        surname: f.surname, givenNames: f.givenNames, birthDate: f.birthDate, expiryDate: f.expiryDate, documentNumber: f.documentNumber,
      });
      checks.push(vizMrzCheck(statuses, captionsRead));
    }
  }
  result.documentKey = { type: f.documentType, issuingState: f.issuingState, number: f.documentNumber };
  return result;
}
