// The document analysis as the tenant sees it (snake_case, number masked, no personal number), and the
// reduced form kept after the retention period (no names or birth date).
import type { DocumentAnalysis } from '../engine/document/analyze.js';

export function publicExtraction(a: DocumentAnalysis): Record<string, unknown> {
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

const PERSONAL = ['surname', 'given_names', 'birth_date', 'age_years', 'sex', 'nationality'];

/** What stays after retention: document type, country, masked number, expiry and the check results. */
export function redactExtraction(e: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!e) return e;
  const mrz = e.mrz as Record<string, unknown> | null;
  return {
    ...e,
    mrz: mrz ? Object.fromEntries(Object.entries(mrz).filter(([k]) => !PERSONAL.includes(k))) : null,
    redacted: true,
  };
}

export interface ScreeningSubject {
  givenName: string;
  familyName: string;
  birthDate?: string;
  nationality?: string;
}

/** The person as the MRZ names them, for sanctions screening. */
export function screeningSubject(e: Record<string, unknown> | null): ScreeningSubject | null {
  const mrz = e?.mrz as Record<string, string | null> | null | undefined;
  if (!mrz?.surname) return null;
  return {
    givenName: mrz.given_names ?? '',
    familyName: mrz.surname,
    ...(mrz.birth_date ? { birthDate: mrz.birth_date } : {}),
    ...(mrz.nationality ? { nationality: mrz.nationality } : {}),
  };
}
