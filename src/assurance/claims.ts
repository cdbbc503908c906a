// The claims a person's account offers: account fields plus the effective assurance, from the row read in one
// join (cached, cache.ts ClaimsCache). The ID token, our userinfo and the token endpoint all use this one function; oidc/claims.ts filters it by scope, and
// oidc/verified-claims.ts builds verified_claims from `verified` when a relying party asks for it.
import { effectiveAssurance, type AssuranceRow, type KycTier } from './model.js';
import type { DocumentClaims, ProvenanceCheck, ProvenanceDocument, VerificationMethod } from './provenance.js';
import type { PersonAssuranceRow } from './store.js';

/** A verified, unexpired assurance with its provenance: what verified_claims is made of. */
export interface VerifiedRecord {
  tier: KycTier;
  verifiedAt: Date;
  method: VerificationMethod;
  screenedAt: Date | null;
  checks: ProvenanceCheck[];
  document: ProvenanceDocument;
  /** Opens the sealed document claims; only called when a relying party asks for them. Null when none are kept. */
  claims(): DocumentClaims | null;
}

export interface AccountClaims {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  kyc_status: string;
  kyc_tier: string;
  aml_clear: boolean | null;
  /** Present only while the person holds a verified assurance with recorded provenance. Never a claim itself. */
  verified?: VerifiedRecord;
}

/** All claims of a person at `now` (`sub` = internal id; oidc-provider and userinfo map it to the pairwise value). */
export function accountClaims(person: PersonAssuranceRow, now: Date, open: (sealed: string) => DocumentClaims): AccountClaims {
  const a = effectiveAssurance(person.status ? ({ ...person, person_id: person.id } as AssuranceRow) : undefined, now);
  const p = person.provenance;
  const verified: VerifiedRecord | undefined =
    a.kyc_status === 'verified' && p && person.verified_at && person.verification_method && person.tier
      ? {
          tier: person.tier,
          verifiedAt: person.verified_at,
          method: person.verification_method,
          screenedAt: person.screened_at ?? null,
          checks: p.checks,
          document: p.document,
          claims: () => (person.claims_enc ? open(person.claims_enc) : null),
        }
      : undefined;
  return {
    sub: person.id,
    email: person.email,
    email_verified: person.email_verified,
    ...(person.name ? { name: person.name } : {}),
    kyc_status: a.kyc_status,
    kyc_tier: a.kyc_tier,
    aml_clear: a.aml_clear,
    ...(verified ? { verified } : {}),
  };
}
