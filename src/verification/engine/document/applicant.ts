// Compares what the applicant typed (optional applicant_* fields) with what the MRZ says. Names are compared
// transliteration-tolerant: every ICAO spelling of the typed name (MÜLLER → MUELLER / MULLER) is tried.
import { mrzNameVariants, nameSimilarity, nameTokens, tokenSimilarity } from '../../../text/names.js';
import { thresholds } from '../../thresholds.js';
import type { CheckResult } from '../types.js';
import type { MrzFields } from './mrz-parse.js';

export interface ApplicantData {
  givenName?: string;
  familyName?: string;
  /** YYYY-MM-DD */
  birthdate?: string;
  /** ICAO 9303 / ISO 3166-1 alpha-3 code (Germany: DEU or D). */
  nationality?: string;
  documentNumber?: string;
}

/**
 * How well a typed name matches an MRZ name, 0..1: the better of whole-name similarity and "every typed word is in
 * the MRZ" (people often type one of several given names, or one half of a double surname).
 */
export function applicantNameScore(typed: string, mrzName: string): number {
  // The MRZ may spell Ä/Ö/Ü/Å as AE/OE/UE/AA while the applicant typed the bare vowel (JUERGEN vs "Jurgen").
  const mrzForms = [...new Set([mrzName, mrzName.replace(/([AOU])E|(A)A/g, '$1$2')])];
  let best = 0;
  for (const form of mrzForms) {
    const mrzTokens = nameTokens(form);
    for (const v of mrzNameVariants(typed)) {
      best = Math.max(best, nameSimilarity(v, form));
      const tokens = nameTokens(v);
      if (!tokens.length || !mrzTokens.length) continue;
      let num = 0;
      let den = 0;
      for (const t of tokens) {
        num += Math.max(...mrzTokens.map((m) => tokenSimilarity(t, m))) * t.length;
        den += t.length;
      }
      best = Math.max(best, num / den);
    }
  }
  return Math.round(best * 1000) / 1000;
}

const normNumber = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, '');
const normNationality = (s: string): string => {
  const c = s.toUpperCase().replace(/[^A-Z]/g, '');
  return c === 'DEU' ? 'D' : c;
};

export function applicantChecks(a: ApplicantData | undefined, m: MrzFields): CheckResult[] {
  if (!a) return [];
  const t = thresholds.document.applicantNameMin;
  const out: CheckResult[] = [];
  const name = (check: string, typed: string | undefined, mrz: string, label: string) => {
    if (!typed?.trim()) return;
    const score = applicantNameScore(typed, mrz);
    const passed = score >= t;
    out.push({
      name: check, passed, score, threshold: t,
      reason: passed ? `${label} matches the MRZ` : `${label} does not match the MRZ (similarity ${score})`,
      ...(passed ? {} : { code: 'applicant_mismatch' }),
    });
  };
  const exact = (check: string, typed: string | undefined, mrz: string | null, label: string, norm: (s: string) => string) => {
    if (!typed?.trim()) return;
    const passed = mrz !== null && norm(typed) === norm(mrz);
    out.push({
      name: check, passed, score: passed ? 1 : 0, threshold: 1,
      reason: passed ? `${label} matches the MRZ` : `${label} differs from the MRZ`,
      ...(passed ? {} : { code: 'applicant_mismatch' }),
    });
  };
  name('document.applicant_family_name', a.familyName, m.surname, 'family name');
  name('document.applicant_given_name', a.givenName, m.givenNames, 'given name');
  exact('document.applicant_birthdate', a.birthdate, m.birthDate, 'birth date', (s) => s.trim());
  exact('document.applicant_nationality', a.nationality, m.nationality, 'nationality', normNationality);
  exact('document.applicant_document_number', a.documentNumber, m.documentNumber, 'document number', normNumber);
  return out;
}
