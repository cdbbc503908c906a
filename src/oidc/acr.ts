// Verification tiers as OpenID Connect acr values (issue 11 §3). A relying party asks for a minimum tier with
// `acr_values` (voluntary) or an essential `acr` in the `claims` parameter; the ID token's acr always names the
// tier the person holds at issuance, never a tier asked for or reached in an earlier sign-in.
import type { AccountClaims } from '../assurance/claims.js';
import { KYC_TIERS, type KycTier } from '../assurance/model.js';

export const ACR_PREFIX = 'urn:kycport:tier:';
export const ACR_VALUES: readonly string[] = KYC_TIERS.map((t) => `${ACR_PREFIX}${t}`);

export const tierAcr = (tier: KycTier): string => `${ACR_PREFIX}${tier}`;

export function acrTier(acr: unknown): KycTier | undefined {
  if (typeof acr !== 'string' || !acr.startsWith(ACR_PREFIX)) return undefined;
  const tier = acr.slice(ACR_PREFIX.length);
  return (KYC_TIERS as readonly string[]).includes(tier) ? (tier as KycTier) : undefined;
}

const rank = (tier: KycTier): number => KYC_TIERS.indexOf(tier);
export const tierAtLeast = (held: KycTier, wanted: KycTier): boolean => rank(held) >= rank(wanted);

/** The tier a person holds now: only a verified assurance counts (expired, pending, rejected, unverified are t0). */
export function heldTier(claims: Pick<AccountClaims, 'kyc_status' | 'kyc_tier'>): KycTier {
  return claims.kyc_status === 'verified' ? (acrTier(`${ACR_PREFIX}${claims.kyc_tier}`) ?? 't0') : 't0';
}

export interface TierRequest {
  /** The lowest tier the relying party accepts; null when an essential request names none of ours. */
  tier: KycTier | null;
  /** From an essential `acr` claim: not reaching it fails the sign-in (unmet_authentication_requirements). */
  essential: boolean;
}

/** Tiers are nested (t3 includes t2), so the lowest listed tier is the minimum; values not ours are ignored. */
function lowest(values: unknown[]): KycTier | undefined {
  const tiers = values.map(acrTier).filter((t): t is KycTier => t !== undefined);
  return tiers.length ? tiers.reduce((a, b) => (rank(a) <= rank(b) ? a : b)) : undefined;
}

function essentialAcr(claims: unknown): { values: unknown[] } | undefined {
  let parsed: unknown = claims;
  if (typeof claims === 'string') {
    try {
      parsed = JSON.parse(claims);
    } catch {
      return undefined; // oidc-provider has already refused a malformed claims parameter
    }
  }
  const acr = (parsed as { id_token?: { acr?: { essential?: unknown; value?: unknown; values?: unknown } } } | null)?.id_token?.acr;
  if (!acr || acr.essential !== true) return undefined;
  const values = Array.isArray(acr.values) ? acr.values : acr.value !== undefined ? [acr.value] : [];
  // `{"essential": true}` alone asks that acr be returned, which it always is: no tier to reach.
  return values.length ? { values } : undefined;
}

/** The minimum tier an authorization request asks for (its stored params: `acr_values`, `claims`), if any. */
export function requestedTier(params: { acr_values?: unknown; claims?: unknown }): TierRequest | undefined {
  const voluntary = typeof params.acr_values === 'string' ? lowest(params.acr_values.split(' ')) : undefined;
  const essential = essentialAcr(params.claims);
  if (essential) {
    const tier = lowest(essential.values) ?? null;
    return { tier: tier && voluntary && !tierAtLeast(tier, voluntary) ? voluntary : tier, essential: true };
  }
  return voluntary ? { tier: voluntary, essential: false } : undefined;
}
