// Tier step-up inside an interaction (issue 11 §3, CONTRACTS.md): a signed-in person below the requested tier is
// sent to the hosted flow at /verify/step-up/:uid, which returns to /interaction/:uid/stepped-up; there the tier is
// read again, and without it the person may try again or continue without verifying.
import type Router from '@koa/router';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { AccountClaims } from '../../assurance/claims.js';
import { ApiError } from '../../http/errors.js';
import { formBody } from '../../http/body.js';
import { heldTier, requestedTier, tierAtLeast } from '../acr.js';
import type { KycTier } from '../../assurance/model.js';
import { STEP_UP_DECLINED, STEP_UP_REASON, STEP_UP_RESULT, UNMET } from '../step-up.js';
import type { csrf as makeCsrf } from './csrf.js';
import { stepUpPage } from './views.js';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;
type Ctx = Koa.Context & { params: Record<string, string> };

export interface StepUpDeps {
  claims: (personId: string) => Promise<AccountClaims | undefined>;
  csrf: ReturnType<typeof makeCsrf>;
  /** routes.ts's interaction loader (checks the uid against the interaction cookie) and result step. */
  load: (ctx: Ctx) => Promise<{ details: Details; clientName: string }>;
  finish: (ctx: Koa.Context, result: Record<string, unknown>) => Promise<void>;
}

/** The tier this interaction waits for the signed-in person to reach (the login prompt's only reason), if any. */
export function stepUpOf(details: Details): { tier: KycTier; essential: boolean } | undefined {
  const wanted = requestedTier(details.params);
  const onlyStepUp = details.prompt.name === 'login' && details.prompt.reasons.length === 1 && details.prompt.reasons[0] === STEP_UP_REASON;
  return onlyStepUp && details.session?.accountId && wanted?.tier ? { tier: wanted.tier, essential: wanted.essential } : undefined;
}

export const stepUpUrl = (uid: string, tier: KycTier): string => `/verify/step-up/${encodeURIComponent(uid)}?level=${tier}`;

export function stepUpRoutes(router: Router, { claims, csrf, load, finish }: StepUpDeps): void {
  // The hosted flow's return_to: reached → on to consent and the relying party, else the choice page.
  router.get('/:uid/stepped-up', async (ctx) => {
    const { details, clientName } = await load(ctx);
    const stepUp = stepUpOf(details);
    if (!stepUp) {
      // Already past the step-up (a second return): the interaction goes on where it is.
      ctx.status = 303;
      ctx.redirect(`/interaction/${details.uid}`);
      return;
    }
    const person = await claims(String(details.session?.accountId));
    if (!person) throw new ApiError(400, 'unknown_account', 'Your account could not be found. Start again.');
    if (tierAtLeast(heldTier(person), stepUp.tier)) {
      // The session is left as it is (auth_time stays the sign-in's); the ID token's acr is read at issuance.
      await finish(ctx, { [STEP_UP_RESULT]: 'reached' });
      return;
    }
    ctx.type = 'html';
    ctx.body = stepUpPage({ uid: details.uid, csrf: csrf.issue(ctx, details.uid), clientName, level: stepUp.tier, status: person.kyc_status, essential: stepUp.essential });
  });

  // "Continue without verifying": acr_values is voluntary, so the relying party gets a code with the tier held;
  // an essential acr that was not met is a failed authentication (OIDC Core 5.5.1.1), told with UNMET.
  router.post('/:uid/without-verifying', formBody(), async (ctx) => {
    const { details } = await load(ctx);
    csrf.verify(ctx, details.uid, (ctx.request.body as Record<string, unknown>).csrf);
    const stepUp = stepUpOf(details);
    if (!stepUp) throw new ApiError(400, 'not_step_up', 'This sign-in is not waiting for a verification.');
    if (stepUp.essential) {
      await finish(ctx, { error: UNMET, error_description: `The person did not reach the required verification tier (${stepUp.tier}).` });
      return;
    }
    await finish(ctx, { [STEP_UP_RESULT]: STEP_UP_DECLINED });
  });
}
