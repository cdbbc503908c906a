// The claims a person's account offers: account fields plus the effective assurance, read in one join. The ID
// token, our userinfo and the token endpoint all use this one function; oidc/claims.ts filters it by scope.
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/index.js';
import { effectiveAssurance, type AssuranceRow } from './model.js';
import { assuranceStore } from './store.js';

export interface AccountClaims {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  kyc_status: string;
  kyc_tier: string;
  aml_clear: boolean | null;
}

/** All claims of a person (`sub` = internal id; oidc-provider and userinfo map it to the pairwise value). */
export async function accountClaims(db: Queryable, clock: Clock, personId: string): Promise<AccountClaims | undefined> {
  const person = await assuranceStore.findPersonWithAssurance(db, personId);
  if (!person) return undefined;
  const a = effectiveAssurance(person.status ? ({ ...person, person_id: person.id } as AssuranceRow) : undefined, clock.now());
  return {
    sub: person.id,
    email: person.email,
    email_verified: person.email_verified,
    ...(person.name ? { name: person.name } : {}),
    kyc_status: a.kyc_status,
    kyc_tier: a.kyc_tier,
    aml_clear: a.aml_clear,
  };
}
