// End-to-end on generated documents: real rendering (OCR-B), real OCR, real parsing. One OCR worker for the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyzeDocument, closeDocumentEngine, DocumentImageError, initDocumentEngine, toPublicAnalysis, type DocumentAnalysis,
} from '../../../../src/verification/engine/document/analyze.js';
import { generateIdCard, generatePassport } from '../../../support/documents/index.js';

const now = new Date('2026-11-22T12:00:00Z');
const check = (a: DocumentAnalysis, name: string) => a.checks.find((c) => c.name === name);
const failed = (a: DocumentAnalysis) => a.checks.filter((c) => !c.passed).map((c) => c.name);

beforeAll(() => initDocumentEngine(), 30_000);
afterAll(() => closeDocumentEngine());

describe('analyzeDocument', () => {
  it('passes a valid passport and reads its MRZ exactly', async () => {
    const doc = await generatePassport({ now, specimen: true, fields: { surname: 'Müller', givenNames: 'Jürgen', sex: 'M' } });
    const a = await analyzeDocument({ front: doc.image, now, applicant: { familyName: 'Müller', givenName: 'Jürgen' } });
    expect(failed(a)).toEqual([]);
    expect(a.documentType).toBe('passport');
    expect(a.mrz).toMatchObject({
      format: 'TD3', issuingState: 'UTO', nationality: 'UTO', surname: 'MUELLER', givenNames: 'JUERGEN', sex: 'M',
      birthDate: doc.fields.birthDate, expiryDate: doc.fields.expiryDate, documentNumberMasked: '•••••02C3', expired: false,
    });
    expect(a.checkDigits.every((d) => d.valid)).toBe(true);
    expect(a.documentKey).toEqual({ type: 'passport', issuingState: 'UTO', number: 'L898902C3' });
    const pub = JSON.stringify(toPublicAnalysis(a));
    expect(pub).not.toContain('L898902C3');
    expect(pub).not.toContain('documentKey');
  });

  it('reads a TD1 ID card from its back side', async () => {
    const doc = await generateIdCard({ now, fields: { documentNumber: 'T22000129', surname: 'Østergård', givenNames: 'Lars Erik', sex: 'M' } });
    const a = await analyzeDocument({ front: doc.front, back: doc.back, now });
    expect(failed(a)).toEqual([]);
    expect(a.documentType).toBe('id_card');
    expect(a.mrz).toMatchObject({ format: 'TD1', surname: 'OESTERGAARD', givenNames: 'LARS ERIK', documentNumberMasked: '•••••0129' });
    expect(a.quality.back).toBeDefined();
  });

  it('fails a TD1 ID card without its back side with mrz_missing_back', async () => {
    const doc = await generateIdCard({ now });
    const a = await analyzeDocument({ front: doc.front, now });
    expect(check(a, 'document.mrz_missing_back')).toMatchObject({ passed: false, code: 'mrz_missing_back' });
    expect(a.documentKey).toBeNull();
  });

  it('reads a tilted ID card photo (deskew before locating the MRZ)', async () => {
    const doc = await generateIdCard({ now, variant: { skewDegrees: 3 } });
    const a = await analyzeDocument({ front: doc.front, back: doc.back, now });
    expect(failed(a)).toEqual([]);
    expect(check(a, 'document.mrz_read')?.details).toMatchObject({ skewDegrees: 3 });
  });

  it('reads a passport photographed upside down or sideways', async () => {
    for (const rotate of [180, 90] as const) {
      const doc = await generatePassport({ now, variant: { rotate } });
      const a = await analyzeDocument({ front: doc.image, now });
      expect(failed(a), `rotated ${rotate}`).toEqual([]);
      expect(check(a, 'document.mrz_read')?.details).toMatchObject({ rotation: 360 - rotate === 180 ? 180 : 270 });
      expect(a.mrz?.surname).toBe('ERIKSSON');
    }
  });

  it('compares the printed zone with the MRZ: nothing differs on a valid passport and ID card with transliterated names', async () => {
    const doc = await generatePassport({ now, fields: { surname: 'Weiß', givenNames: 'Jürgen', sex: 'M' } });
    const card = await generateIdCard({ now, fields: { surname: 'Jääskeläinen', givenNames: 'Zoë', sex: 'F' } });
    for (const a of [await analyzeDocument({ front: doc.image, now }), await analyzeDocument({ front: card.front, back: card.back, now })]) {
      // The dates and the number must be read and agree; a transliterated name may be left unread, never differ.
      const c = check(a, 'document.viz_mrz');
      expect(c).toMatchObject({ passed: true, details: { fields: { birthDate: 'agrees', documentNumber: 'agrees', expiryDate: 'agrees' } } });
      expect(Object.values((c?.details as { fields: Record<string, string> }).fields)).not.toContain('differs');
    }
  });

  it('flags a printed date of birth or number that differs from a valid MRZ (viz_mrz_mismatch)', async () => {
    const dob = await generatePassport({ now, printed: { birthDate: '1979-08-12' } });
    const a = await analyzeDocument({ front: dob.image, now });
    expect(check(a, 'document.mrz_check_digits')?.passed).toBe(true);
    expect(check(a, 'document.viz_mrz')).toMatchObject({ passed: false, code: 'viz_mrz_mismatch', details: { fields: { birthDate: 'differs' } } });
    const no = await generateIdCard({ now, printed: { documentNumber: 'NX4R82P7A' } });
    const b = await analyzeDocument({ front: no.front, back: no.back, now });
    expect(check(b, 'document.viz_mrz')).toMatchObject({ passed: false, code: 'viz_mrz_mismatch', details: { fields: { documentNumber: 'differs' } } });
  });

  it('fails the check digit of a tampered document number (and the composite)', async () => {
    const doc = await generatePassport({ now, specimen: true, tamper: { documentNumber: 'L898902C4' } });
    const a = await analyzeDocument({ front: doc.image, now });
    expect(check(a, 'document.mrz_check_digits')).toMatchObject({ passed: false, code: 'check_digit_mismatch' });
    expect(a.checkDigits.filter((d) => !d.valid).map((d) => d.field)).toEqual(['documentNumber', 'composite']);
  });

  it('fails an expired document with document_expired', async () => {
    const doc = await generatePassport({ now, fields: { issueDate: '2014-03-02', expiryDate: '2024-03-01' } });
    const a = await analyzeDocument({ front: doc.image, now });
    expect(check(a, 'document.expiry')).toMatchObject({ passed: false, code: 'document_expired' });
    expect(check(a, 'document.mrz_check_digits')?.passed).toBe(true);
  });

  it('flags Photoshop metadata and a ModifyDate before DateTimeOriginal', async () => {
    const doc = await generatePassport({
      now,
      variant: { exif: { software: 'Adobe Photoshop 25.0', dateTimeOriginal: '2026:11:20 10:00:00', modifyDate: '2026:11:19 09:00:00' } },
    });
    const a = await analyzeDocument({ front: doc.image, now });
    expect(check(a, 'document.exif_software')).toMatchObject({ passed: false, advisory: true, code: 'editing_software' });
    expect(check(a, 'document.exif_dates')).toMatchObject({ passed: false, code: 'inconsistent_dates' });
  });

  it('fails blurred and low-resolution captures on quality', async () => {
    const blurred = await generatePassport({ now, variant: { blurSigma: 4 } });
    const a = await analyzeDocument({ front: blurred.image, now });
    expect(check(a, 'document.quality_blur')).toMatchObject({ passed: false, code: 'blurred' });
    const small = await generatePassport({ now, variant: { downscaleTo: 420 } });
    const b = await analyzeDocument({ front: small.image, now });
    expect(check(b, 'document.quality_resolution')).toMatchObject({ passed: false, code: 'low_resolution' });
  });

  it('compares applicant data with the MRZ', async () => {
    const doc = await generatePassport({ now, specimen: true, fields: { surname: 'García López', givenNames: 'José', sex: 'M', birthDate: '1990-02-03' } });
    const ok = await analyzeDocument({
      front: doc.image, now,
      applicant: { familyName: 'García López', givenName: 'José', birthdate: '1990-02-03', nationality: 'UTO', documentNumber: 'l898902c3' },
    });
    expect(failed(ok)).toEqual([]);
    const bad = await analyzeDocument({ front: doc.image, now, applicant: { familyName: 'Kowalski', birthdate: '1990-02-04' } });
    expect(failed(bad)).toEqual(['document.applicant_family_name', 'document.applicant_birthdate']);
  });
});

describe('analyzeDocument input errors', () => {
  it('rejects an undecodable image with DocumentImageError naming the side', async () => {
    const doc = await generatePassport({ now, variant: { width: 400 } });
    const err = await analyzeDocument({ front: doc.image, back: Buffer.from('not an image'), now }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocumentImageError);
    expect(err).toMatchObject({ side: 'back', code: 'document_image_invalid' });
  });
});
