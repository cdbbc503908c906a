// The claims a person's account offers, by scope. ID token and our userinfo both use this one function.
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/index.js';
import { effectiveAssurance, type AssuranceRow } from '../assurance/model.js';
import { personStore } from '../persons/store.js';

export const SCOPES = ['openid', 'email', 'profile', 'kyc', 'offline_access'] as const;

export const CLAIMS_BY_SCOPE = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name'],
  kyc: ['kyc_status', 'kyc_tier', 'aml_clear'],
} as const;

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
  // One round trip: the token endpoint calls this on every code exchange.
  const person = await personStore.findWithAssurance(db, personId);
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

/** Keeps only the claims the granted scopes allow. */
export function filterByScope(claims: AccountClaims, scopes: Iterable<string>, sub: string): Record<string, unknown> {
  const out: Record<string, unknown> = { sub };
  for (const scope of scopes) {
    const names = (CLAIMS_BY_SCOPE as Record<string, readonly string[]>)[scope];
    for (const name of names ?? []) {
      if (name !== 'sub' && name in claims) out[name] = claims[name as keyof AccountClaims];
    }
  }
  return out;
}
