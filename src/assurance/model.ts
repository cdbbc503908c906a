// The reusable assurance a tenant reads: status + tier, with expiry applied at read time, and how it was reached.
import type { VerificationMethod } from './provenance.js';

export const KYC_STATUSES = ['verified', 'pending', 'rejected', 'unverified', 'expired'] as const;
export const KYC_TIERS = ['t0', 't1', 't2', 't3'] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];
export type KycTier = (typeof KYC_TIERS)[number];

export interface AssuranceRow {
  person_id: string;
  status: KycStatus;
  tier: KycTier;
  aml_clear: boolean | null;
  verified_at: Date | null;
  expires_at: Date | null;
  /** How the verified assurance was reached (provenance.ts); null unless verified. */
  verification_method: VerificationMethod | null;
  /** When the screening behind the approval ran; null when it did not (or not verified). */
  screened_at: Date | null;
}

/** What a left join yields for a person with no assurance row yet. */
export interface NoAssurance {
  status: null;
  tier: null;
  aml_clear: null;
  verified_at: null;
  expires_at: null;
  verification_method: null;
  screened_at: null;
}

export interface Assurance {
  kyc_status: KycStatus;
  kyc_tier: KycTier;
  aml_clear: boolean | null;
  verified_at: string | null;
  expires_at: string | null;
  verification_method: VerificationMethod | null;
  /** A reviewer decided (verification_method human). */
  human_verified: boolean;
  screened_at: string | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Whether a verified assurance is past its expiry at `now`. */
export const isExpired = (row: Pick<AssuranceRow, 'status' | 'expires_at'>, now: Date): boolean =>
  row.status === 'verified' && row.expires_at !== null && row.expires_at <= now;

/** A verified assurance past its expiry reads `expired` (stored rows are not rewritten on read). */
export function effectiveAssurance(row: AssuranceRow | undefined, now: Date): Assurance {
  if (!row) return { kyc_status: 'unverified', kyc_tier: 't0', aml_clear: null, verified_at: null, expires_at: null, verification_method: null, human_verified: false, screened_at: null };
  const expired = isExpired(row, now);
  return {
    kyc_status: expired ? 'expired' : row.status,
    kyc_tier: row.tier,
    aml_clear: row.aml_clear,
    verified_at: iso(row.verified_at),
    expires_at: iso(row.expires_at),
    verification_method: row.verification_method ?? null,
    human_verified: row.verification_method === 'human',
    screened_at: iso(row.screened_at ?? null),
  };
}
