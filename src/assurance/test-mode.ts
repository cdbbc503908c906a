// Test mode's assurance (issue 14 §6): what a tenant's test-mode cases did to a person, kept per (tenant, person)
// in its own table. The same rules as the live assurance (lifecycle.ts nextAssurance), but it never touches the
// person's reusable assurance, other tenants never see it, and its changes are test events of that tenant only.
import type { Queryable } from '../db/index.js';
import type { AccountClaims } from './claims.js';
import { NotFoundError } from '../http/errors.js';
import { emitEvent } from '../webhooks/outbox.js';
import { nextAssurance, type AssuranceChange } from './lifecycle.js';
import { effectiveAssurance } from './model.js';
import { testAssuranceStore } from './store.js';
import type { TenantStatus } from './service.js';

const find = testAssuranceStore.find;

/** Moves the tenant's test assurance of the person (in the case's transaction); a test event when it moved. */
export async function applyTestAssurance(trx: Queryable, tenantId: string, person: { id: string; sub: string }, change: AssuranceChange, now: Date, reason: string): Promise<boolean> {
  const current = await find(trx, tenantId, person.id, true);
  const next = nextAssurance(current, change, now);
  if (!next) return false;
  if (current) await testAssuranceStore.update(trx, tenantId, person.id, { ...next, updated_at: now });
  else await testAssuranceStore.insert(trx, tenantId, { ...next, person_id: person.id, updated_at: now });
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
  const personId = await testAssuranceStore.personOf(db, tenantId, sub);
  if (!personId) throw new NotFoundError('Person');
  return { person_id: sub, ...effectiveAssurance(await find(db, tenantId, personId), now) };
}

/** A test client's claims: the account's fields with the tenant's test assurance; no verified_claims (no document kept). */
export async function withTestAssurance(db: Queryable, now: Date, tenantId: string, live: AccountClaims): Promise<AccountClaims> {
  const { verified: _live, ...account } = live;
  const a = effectiveAssurance(await find(db, tenantId, live.sub), now);
  return { ...account, kyc_status: a.kyc_status, kyc_tier: a.kyc_tier, aml_clear: a.aml_clear };
}

/** The tenant's test assurance of a person goes when the person withdraws that tenant's access (privacy/). */
export async function deleteTestAssurance(trx: Queryable, tenantId: string, personId: string): Promise<void> {
  await testAssuranceStore.delete(trx, tenantId, personId);
}
