// The document analysis as the tenant sees it (snake_case, number masked, no personal number), and the
// reduced form kept after the retention period (no names or birth date).
import type { DocumentAnalysis } from '../engine/document/analyze.js';
import type { Extraction } from './model.js';

export function publicExtraction(a: DocumentAnalysis): Extraction {
  const m = a.mrz;
  return {
    type: a.documentType,
    mrz: m
      ? {
          format: m.format,
          document_code: m.documentCode,
          issuing_country: m.issuingState,
          document_number_masked: m.documentNumberMasked,
          nationality: m.nationality,
          surname: m.surname,
          given_names: m.givenNames,
          birth_date: m.birthDate,
          sex: m.sex,
          expiry_date: m.expiryDate,
          expired: m.expired,
          age_years: m.ageYears,
        }
      : null,
    // Which check digits verify; the digits themselves add nothing for the tenant.
    check_digits: a.checkDigits.map((d) => ({ field: d.field, valid: d.valid })),
    quality: a.quality,
    checks: a.checks,
  };
}

/** What stays after retention: document type, country, masked number, expiry and the check results. */
export function redactExtraction(e: Extraction | null): Extraction | null {
  if (!e) return e;
  if (!e.mrz) return { ...e, redacted: true };
  const { surname: _s, given_names: _g, birth_date: _b, age_years: _a, sex: _x, nationality: _n, ...kept } = e.mrz;
  return { ...e, mrz: kept, redacted: true };
}

export interface ScreeningSubject {
  givenName: string;
  familyName: string;
  birthDate?: string;
  nationality?: string;
}

/** The person as the MRZ names them, for sanctions screening. */
export function screeningSubject(e: Extraction | null): ScreeningSubject | null {
  const mrz = e?.mrz;
  if (!mrz?.surname) return null;
  return {
    givenName: mrz.given_names ?? '',
    familyName: mrz.surname,
    ...(mrz.birth_date ? { birthDate: mrz.birth_date } : {}),
    ...(mrz.nationality ? { nationality: mrz.nationality } : {}),
  };
}
