// The person's export: everything stored about them, as one JSON document. Images are listed (kind, type, size,
// date), never included; secrets and hashes (password, two-step secret, recovery codes, tokens) never appear,
// only whether they exist. Pure: service.ts reads the rows.
import type { VerifiedRecord } from '../assurance/claims.js';
import type { Assurance } from '../assurance/model.js';
import type { PersonRow, TenantAccessRow } from '../persons/store.js';
import type { PersonCases } from '../verification/cases/erasure.js';

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export function exportDocument(v: {
  now: Date;
  person: PersonRow;
  assurance: Assurance;
  access: TenantAccessRow[];
  cases: PersonCases;
  recoveryCodesLeft: number;
  faceTemplates: number;
  /** The verified assurance's provenance and sealed document claims (what verified_claims is made of). */
  verified?: VerifiedRecord;
}): Record<string, unknown> {
  const vi = v.verified;
  const p = v.person;
  return {
    format: 'kycport.person-export.v1',
    exported_at: v.now.toISOString(),
    account: { id: p.id, email: p.email, email_verified: p.email_verified, name: p.name, created_at: iso(p.created_at), password_set: true },
    two_step: { on: p.totp_enabled_at !== null, enabled_at: iso(p.totp_enabled_at), recovery_codes_left: p.totp_enabled_at ? v.recoveryCodesLeft : 0 },
    assurance: v.assurance,
    // What relying parties you consent to may receive as verified_claims, kept encrypted with the assurance.
    verified_identity: vi
      ? { method: vi.method, screened_at: iso(vi.screenedAt), checks: vi.checks, document: vi.document, claims: vi.claims() }
      : null,
    tenants_with_access: v.access.map((t) => ({ tenant_id: t.tenant_id, tenant_name: t.tenant_name, person_id: t.sub, since: t.since.toISOString() })),
    verification_cases: v.cases.cases.map((c) => ({
      id: c.id,
      tenant_id: c.tenant_id,
      level: c.level,
      status: c.status,
      outcome: c.outcome,
      risk_level: c.risk_level,
      human_verified: c.human_verified,
      created_at: iso(c.created_at),
      uploaded_at: iso(c.uploaded_at),
      decided_at: iso(c.decided_at),
      reviewed_at: iso(c.reviewed_at),
      images_deleted_at: iso(c.purged_at),
      document: c.extraction,
      decision: c.decision,
      review: c.review,
      images: v.cases.files
        .filter((f) => f.case_id === c.id)
        .map((f) => ({ kind: f.kind, content_type: f.content_type, bytes: f.bytes, width: f.width, height: f.height, created_at: iso(f.created_at) })),
      private_extraction_stored: c.private_enc !== null,
    })),
    face_templates: { stored: v.faceTemplates, note: 'Encrypted face descriptors of approved verifications, used only to stop one face backing two accounts.' },
    sign_in_history: null,
    notes: [
      'Images are listed, not included. Each is stored encrypted and deleted after the retention period or on erasure.',
      'private_extraction_stored: the full document data (names, birth date, full number, face descriptor) is kept encrypted until the images are deleted; it is not shown here.',
      'No sign-in history is stored: only keyed hashes of the addresses you signed in from, which name neither you nor the address.',
    ],
  };
}
