import { describe, expect, it } from 'vitest';
import { applicantChecks, applicantNameScore } from '../../../../src/verification/engine/document/applicant.js';
import type { MrzFields } from '../../../../src/verification/engine/document/mrz-parse.js';

const mrz: MrzFields = {
  format: 'TD3', documentType: 'passport', documentCode: 'P', issuingState: 'D', documentNumber: 'C01X00T47',
  nationality: 'D', birthDate: '1964-08-12', expiryDate: '2030-01-01', sex: 'F', surname: 'MUELLER',
  givenNames: 'ANNA MARIA', optionalData: '',
};

describe('applicant vs MRZ', () => {
  it('accepts diacritics against their ICAO transliteration, and typed subsets of the given names', () => {
    expect(applicantNameScore('Müller', 'MUELLER')).toBe(1);
    expect(applicantNameScore('Muller', 'MUELLER')).toBe(1);
    expect(applicantNameScore('Jurgen', 'JUERGEN')).toBe(1);
    expect(applicantNameScore('Erikson', 'ERIKSSON')).toBeGreaterThanOrEqual(0.92);
    expect(applicantNameScore('Anna', 'ANNA MARIA')).toBe(1);
    expect(applicantNameScore('Anna-María', 'ANNA MARIA')).toBe(1);
    expect(applicantNameScore('Østergård', 'OESTERGAARD')).toBe(1);
  });

  it('rejects a different name', () => {
    for (const [typed, mrz] of [['Schmidt', 'MUELLER'], ['Miller', 'MUELLER'], ['Meyer', 'MUELLER'], ['Beatrix', 'ANNA MARIA'],
      ['Anna Schmidt', 'ANNA MARIA'], ['Andersson', 'ERIKSSON']] as const) {
      expect(applicantNameScore(typed, mrz), typed).toBeLessThan(0.92);
    }
  });

  it('checks only the fields the applicant gave, each with its own result', () => {
    const ok = applicantChecks(
      { familyName: 'Müller', givenName: 'Anna', birthdate: '1964-08-12', nationality: 'DEU', documentNumber: 'c01x-00t47' },
      mrz,
    );
    expect(ok.map((c) => [c.name, c.passed])).toEqual([
      ['document.applicant_family_name', true],
      ['document.applicant_given_name', true],
      ['document.applicant_birthdate', true],
      ['document.applicant_nationality', true],
      ['document.applicant_document_number', true],
    ]);
    const bad = applicantChecks({ familyName: 'Meyer', birthdate: '1964-08-13' }, mrz);
    expect(bad.map((c) => [c.name, c.passed, c.code])).toEqual([
      ['document.applicant_family_name', false, 'applicant_mismatch'],
      ['document.applicant_birthdate', false, 'applicant_mismatch'],
    ]);
    expect(applicantChecks(undefined, mrz)).toEqual([]);
  });
});
