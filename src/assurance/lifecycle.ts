// How a person's reusable assurance is created and moved by case progress. Rules (README, "Identity verification"):
// - While a person holds a verified, unexpired assurance, only an approval at the same or a higher tier changes
//   it; in-progress, rejected and lower-tier cases leave it alone (a failed t2 attempt never costs a t1).
// - Otherwise: upload / manual review → pending (t0), rejection → rejected (t0), approval → verified at the tier.
// - An approval records its provenance (provenance.ts) and a sealed copy of the document's claims; any other move
//   of the assurance clears both (a pending or rejected person has no verified claims).
import type { Queryable } from '../db/index.js';
import { emitAssuranceChanged } from '../webhooks/outbox.js';
import { effectiveAssurance, KYC_TIERS, type AssuranceRow, type KycTier } from './model.js';
import { storedProvenance, type DocumentClaims, type Provenance } from './provenance.js';
import { assuranceStore, type ProvenanceFields } from './store.js';

export type AssuranceChange =
  | { kind: 'in_progress' }
  | { kind: 'rejected' }
  | { kind: 'approved'; tier: KycTier; amlClear: boolean | null; expiresAt: Date; provenance: Provenance; claims: DocumentClaims | null };

/** Seals the person's document claims for storage (the service holds the key). */
export type ClaimsSealer = (personId: string, claims: DocumentClaims) => string;

type Fields = Omit<AssuranceRow, 'person_id'>;

const rank = (t: KycTier) => KYC_TIERS.indexOf(t);

/** A new person starts unverified at t0; call inside the transaction that inserts the person. */
export async function createAssurance(trx: Queryable, personId: string): Promise<void> {
  await assuranceStore.insertInitial(trx, personId);
}

/** The new row, or null when the change leaves the assurance as it is. Pure. */
export function nextAssurance(current: AssuranceRow | undefined, change: AssuranceChange, now: Date): Fields | null {
  const eff = effectiveAssurance(current, now);
  const holdsVerified = eff.kyc_status === 'verified';
  if (change.kind === 'approved') {
    if (holdsVerified && rank(eff.kyc_tier) > rank(change.tier)) return null;
    return {
      status: 'verified',
      tier: change.tier,
      aml_clear: change.amlClear,
      verified_at: now,
      expires_at: change.expiresAt,
      verification_method: change.provenance.method,
      screened_at: change.provenance.screenedAt,
    };
  }
  if (holdsVerified) return null;
  const status = change.kind === 'rejected' ? 'rejected' : 'pending';
  if (current && current.status === status && current.tier === 't0') return null;
  return { status, tier: 't0', aml_clear: null, verified_at: null, expires_at: null, verification_method: null, screened_at: null };
}

/** Applies `change` inside `trx` (row locked) and emits person.assurance.changed when status or tier moved. */
export async function applyAssuranceChange(
  trx: Queryable,
  personId: string,
  change: AssuranceChange,
  now: Date,
  reason: string,
  seal: ClaimsSealer,
): Promise<boolean> {
  const current = await assuranceStore.findForUpdate(trx, personId);
  const next = nextAssurance(current, change, now);
  if (!next) return false;
  const provenance: ProvenanceFields =
    change.kind === 'approved'
      ? { provenance: storedProvenance(change.provenance), claims_enc: change.claims && Object.keys(change.claims).length ? seal(personId, change.claims) : null }
      : { provenance: null, claims_enc: null };
  if (current) await assuranceStore.update(trx, personId, { ...next, updated_at: now }, provenance);
  else await assuranceStore.insert(trx, { person_id: personId, ...next, updated_at: now }, provenance);
  const before = effectiveAssurance(current, now);
  if (before.kyc_status !== next.status || before.kyc_tier !== next.tier) {
    await emitAssuranceChanged(trx, personId, {
      previous: { status: before.kyc_status, tier: before.kyc_tier },
      current: { status: next.status, tier: next.tier },
      reason,
    });
  }
  return true;
}
