// Test mode's assurance (issue 14 §6): what a tenant's test-mode cases did to a person, kept per (tenant, person)
// in its own table. The same rules as the live assurance (lifecycle.ts nextAssurance), but it never touches the
// person's reusable assurance, other tenants never see it, and its changes are test events of that tenant only.
import type { Queryable } from '../db/index.js';
import type { AccountClaims } from './claims.js';
import { NotFoundError } from '../http/errors.js';
import { emitEvent } from '../webhooks/outbox.js';
import { nextAssurance, type AssuranceChange } from './lifecycle.js';
import { effectiveAssurance, type AssuranceRow } from './model.js';
import type { TenantStatus } from './service.js';

const COLUMNS = ['person_id', 'status', 'tier', 'aml_clear', 'verified_at', 'expires_at', 'verification_method', 'screened_at'];

const find = (db: Queryable, tenantId: string, personId: string, lock = false): Promise<AssuranceRow | undefined> => {
  const q = db('test_assurance').where({ tenant_id: tenantId, person_id: personId });
  return (lock ? q.forUpdate() : q).first(...COLUMNS);
};

/** Moves the tenant's test assurance of the person (in the case's transaction); a test event when it moved. */
export async function applyTestAssurance(trx: Queryable, tenantId: string, person: { id: string; sub: string }, change: AssuranceChange, now: Date, reason: string): Promise<boolean> {
  const current = await find(trx, tenantId, person.id, true);
  const next = nextAssurance(current, change, now);
  if (!next) return false;
  const row = { ...next, updated_at: now };
  if (current) await trx('test_assurance').where({ tenant_id: tenantId, person_id: person.id }).update(row);
  else await trx('test_assurance').insert({ tenant_id: tenantId, person_id: person.id, ...row });
  const before = effectiveAssurance(current, now);
  if (before.kyc_status !== next.status || before.kyc_tier !== next.tier) {
    await emitEvent(trx, {
      tenantId,
      livemode: false,
      type: 'person.assurance.changed',
      data: { person_id: person.sub, previous: { status: before.kyc_status, tier: before.kyc_tier }, current: { status: next.status, tier: next.tier }, reason },
      at: now,
    });
  }
  return true;
}

/** The status API's answer for a test key: the tenant's test assurance of its subject (unverified when none). */
export async function testStatusForTenant(db: Queryable, now: Date, tenantId: string, sub: string): Promise<TenantStatus> {
  const subject: { person_id: string } | undefined = await db('subjects').where({ tenant_id: tenantId, sub }).first('person_id');
  if (!subject) throw new NotFoundError('Person');
  return { person_id: sub, ...effectiveAssurance(await find(db, tenantId, subject.person_id), now) };
}

/** A test client's claims: the account's fields with the tenant's test assurance; no verified_claims (no document kept). */
export async function withTestAssurance(db: Queryable, now: Date, tenantId: string, live: AccountClaims): Promise<AccountClaims> {
  const { verified: _live, ...account } = live;
  const a = effectiveAssurance(await find(db, tenantId, live.sub), now);
  return { ...account, kyc_status: a.kyc_status, kyc_tier: a.kyc_tier, aml_clear: a.aml_clear };
}

/** The tenant's test assurance of a person goes when the person withdraws that tenant's access (privacy/). */
export async function deleteTestAssurance(trx: Queryable, tenantId: string, personId: string): Promise<void> {
  await trx('test_assurance').where({ tenant_id: tenantId, person_id: personId }).delete();
}
