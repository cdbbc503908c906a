// What an approval hands to the assurance (assurance/provenance.ts): how it was reached, the checks, the screening
// time, the document (type, country, expiry) and the person's claims as the document's MRZ reads them. Built from
// the case row at approval, before retention strips the personal MRZ fields from the case.
import type { DocumentClaims, Provenance, VerificationMethod } from '../../assurance/provenance.js';
import type { CheckResult } from '../engine/types.js';
import type { CaseRow } from './store.js';

export interface ApprovalSource {
  method: VerificationMethod;
  checks: readonly CheckResult[];
  /** When the screening behind this approval ran; null when none ran. */
  screenedAt: Date | null;
}

export function caseProvenance(row: CaseRow, s: ApprovalSource): { provenance: Provenance; claims: DocumentClaims | null } {
  const mrz = row.extraction?.mrz ?? null;
  const provenance: Provenance = {
    method: s.method,
    caseId: row.id,
    checks: s.checks.map((c) => ({ name: c.name, passed: c.passed })),
    screenedAt: s.screenedAt,
    document: {
      type: row.extraction?.type ?? null,
      code: mrz?.document_code ?? null,
      country: mrz?.issuing_country ?? null,
      expiry: mrz?.expiry_date ?? null,
    },
  };
  if (!mrz) return { provenance, claims: null };
  const claims: DocumentClaims = {
    ...(mrz.given_names ? { given_name: mrz.given_names } : {}),
    ...(mrz.surname ? { family_name: mrz.surname } : {}),
    ...(mrz.birth_date ? { birthdate: mrz.birth_date } : {}),
    ...(mrz.nationality ? { nationalities: [mrz.nationality] } : {}),
  };
  return { provenance, claims: Object.keys(claims).length ? claims : null };
}
