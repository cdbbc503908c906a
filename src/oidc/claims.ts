// Which claims each scope releases. The claims themselves come from assurance/claims.ts.
import type { AccountClaims } from '../assurance/claims.js';

export const SCOPES = ['openid', 'email', 'profile', 'kyc', 'verified_claims', 'offline_access'] as const;

export const CLAIMS_BY_SCOPE = {
  // amr: how the person signed in (["pwd"], or ["pwd","otp","mfa"] with two-step sign-in), from the login result.
  // oidc-provider releases a claim only if some scope names it; the userinfo below has no amr to release.
  openid: ['sub', 'amr'],
  email: ['email', 'email_verified'],
  profile: ['name'],
  // acr: the tier held when the ID token is issued (oidc/acr.ts), released with the kyc scope or when asked for.
  kyc: ['kyc_status', 'kyc_tier', 'aml_clear', 'acr'],
  // OpenID Connect for Identity Assurance: the default verified_claims set; the claims parameter asks for less
  // or with constraints (oidc/verified-claims.ts builds and filters it; filterByScope leaves it to that).
  verified_claims: ['verified_claims'],
} as const;

/** oidc-provider's claims configuration: acr (null: under no scope) is also released when the request asks for it. */
export const CLAIMS_CONFIG = { ...CLAIMS_BY_SCOPE, acr: null };

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
