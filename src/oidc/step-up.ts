// Tier step-up inside sign-in, as oidc-provider policy: the login prompt asks again when a signed-in person holds
// a lower tier than the request's minimum (acr.ts), and every ID token's acr is the tier held at issuance.
import Provider, { errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { AccountClaims } from '../assurance/claims.js';
import { clientTenant, testClientTenant } from './adapters/clients.js';
import { heldTier, requestedTier, tierAcr, tierAtLeast } from './acr.js';

/** The login prompt's reason when the person must step up; the interaction pages send them to /verify/step-up. */
export const STEP_UP_REASON = 'kyc_tier_below_requested';

/** The consent prompt's reason when a client asks for a tier (acr) the person has not agreed to share with it. */
export const TIER_CONSENT_REASON = 'kyc_tier_not_shared';

/** Interaction-result key: the person chose to continue below a voluntary (acr_values) minimum. */
export const STEP_UP_RESULT = 'kycport_step_up';
export const STEP_UP_DECLINED = 'declined';

/** OpenID Connect Unmet Authentication Requirements 1.0: an essential acr the OP could not meet. */
export const UNMET = 'unmet_authentication_requirements';

/** `testTenant`: a test client's tenant, whose test assurance is the tier held (sandbox). */
type Claims = (personId: string, testTenant?: string) => Promise<AccountClaims | undefined>;

/**
 * oidc-provider's default policy, with its exact-match essential-acr checks replaced by one tier check: tiers are
 * ordered, so a person at t3 meets a request for t2, and the tier comes from the assurance, not from the session.
 */
export function stepUpPolicy(claims: Claims): interactionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  const login = policy.get('login')!;
  login.checks.remove('essential_acrs');
  login.checks.remove('essential_acr');
  login.checks.add(
    new interactionPolicy.Check(
      STEP_UP_REASON,
      'the requested verification tier is above the one the person holds',
      'login_required', // what prompt=none answers for an essential acr; login's other checks answer the same
      async (ctx: KoaContextWithOIDC) => {
        const { oidc } = ctx;
        const wanted = requestedTier(oidc.params as { acr_values?: unknown; claims?: unknown });
        if (!wanted) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        // Spec (OIDC Core 5.5.1.1): an essential acr that cannot be met is a failed authentication.
        if (wanted.tier === null) throw new errors.CustomOIDCProviderError(UNMET, 'none of the requested acr values is supported');
        const accountId = oidc.session?.accountId;
        if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // the no_session check signs them in first
        const person = await claims(accountId, testClientTenant(oidc.client));
        if (!person || tierAtLeast(heldTier(person), wanted.tier)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        if (!wanted.essential) {
          // acr_values is voluntary: the person may continue below it, and prompt=none answers at the tier held.
          if (oidc.result?.[STEP_UP_RESULT] === STEP_UP_DECLINED || oidc.promptPending('none')) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        }
        return interactionPolicy.Check.REQUEST_PROMPT;
      },
      (ctx: KoaContextWithOIDC) => ({ kyc_tier_requested: requestedTier(ctx.oidc.params as { acr_values?: unknown; claims?: unknown })?.tier }),
    ),
  );
  // acr is never "rejectable" in oidc-provider, so asking for a tier would reveal it to a client the person only
  // agreed to share an identifier with: the kyc scope, or a consent to the tier itself, must be in the grant.
  policy.get('consent')!.checks.add(
    new interactionPolicy.Check(TIER_CONSENT_REASON, 'the verification tier asked for is not shared with this client', (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      if (!requestedTier(oidc.params as { acr_values?: unknown; claims?: unknown }) || !oidc.grant) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const shared = oidc.grant.getOIDCScope().split(' ').includes('kyc') || oidc.grant.getOIDCClaims().includes('acr');
      return shared ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

interface IdTokenInternals {
  available: Record<string, unknown>;
  payload: (this: IdTokenInternals) => Promise<Record<string, unknown>>;
}

/**
 * oidc-provider puts the session's (or refresh token's) acr from the last login into an ID token; ours is the tier
 * held when the token is issued, from the same claims that give its kyc_tier, so an earlier login's acr never
 * over-states it. Only the value changes: whether acr is included stays oidc-provider's scope masking (openid).
 */
export function acrFromHeldTier(provider: Provider): void {
  // The cast reaches an undocumented internal: oidc-provider has no public hook for the ID token's acr value.
  const proto = provider.IdToken.prototype as unknown as IdTokenInternals;
  const payload = proto.payload;
  proto.payload = function tierPayload(this: IdTokenInternals) {
    const { kyc_status, kyc_tier } = this.available as Partial<AccountClaims>;
    // Before masking: scopes and the request still decide whether acr is in the token at all.
    if (typeof kyc_status === 'string' && typeof kyc_tier === 'string') this.available.acr = tierAcr(heldTier({ kyc_status, kyc_tier }));
    return payload.call(this);
  };
}

/** The signed-in person of a sign-in interaction and its client's tenant (the hosted step-up entry), if both exist. */
export function interactionPerson(provider: Provider) {
  return async (uid: string): Promise<{ accountId: string; tenantId: string; uiLocales?: string; livemode: boolean } | undefined> => {
    const i = await provider.Interaction.find(uid);
    const accountId = i?.result?.login?.accountId ?? i?.session?.accountId;
    const client = i && typeof i.params.client_id === 'string' ? await provider.Client.find(i.params.client_id) : undefined;
    const tenantId = clientTenant(client);
    if (!accountId || !tenantId) return undefined;
    // A test client's step-up is a test-mode session: its outcome moves the tenant's test assurance only.
    return { accountId, tenantId, livemode: testClientTenant(client) === undefined, ...(typeof i?.params.ui_locales === 'string' ? { uiLocales: i.params.ui_locales } : {}) };
  };
}
