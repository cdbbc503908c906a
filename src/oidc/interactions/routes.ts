// Hosted sign-in, sign-up and consent: the pages oidc-provider sends the browser to during authorization.
// A person with two-step sign-in on passes the password step to a code step (POST /:uid/code); only the right
// code finishes the login (amr pwd + otp + mfa).
import Router from '@koa/router';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import type { AccountClaims } from '../../assurance/claims.js';
import type { Clock } from '../../clock.js';
import { ApiError, RateLimitedError } from '../../http/errors.js';
import { formBody } from '../../http/body.js';
import { toApiError } from '../../http/middleware/errors.js';
import { addressKey } from '../../http/client-ip.js';
import { errorPage } from '../../http/html.js';
import type { RateLimiter } from '../../http/rate-limit.js';
import { MAIL_UNAVAILABLE, type PersonService } from '../../persons/service.js';
import type { SignInLimits } from '../../persons/sign-in-limits.js';
import type { TenantService } from '../../tenants/service.js';
import { requestedTier } from '../acr.js';
import { clientTenant } from '../adapters/clients.js';
import { CLAIMS_BY_SCOPE } from '../claims.js';
import { STEP_UP_DECLINED, STEP_UP_RESULT, TIER_CONSENT_REASON } from '../step-up.js';
import { csrf as makeCsrf } from './csrf.js';
import { secondStepNotes } from './second-step.js';
import { stepUpOf, stepUpRoutes, stepUpUrl } from './step-up-routes.js';
import { checkMailPage, codePage, consentPage, forgotPage, loginPage, sharedItems, signupPage } from './views.js';

const loginForm = z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(1024), csrf: z.string() });
// Sign-up and "forgot your password" ask only for the address; the password is set on the emailed link's page.
const emailForm = z.object({ email: z.string().trim().email('Enter a valid email address.').max(254), csrf: z.string() });
const codeForm = z.object({ code: z.string().trim().min(1).max(64), csrf: z.string() });

/** The password step's amr, and the login after a right second-step code (RFC 8176 values). */
const AMR_PASSWORD = ['pwd'];
const AMR_TWO_STEP = ['pwd', 'otp', 'mfa'];

export interface InteractionDeps {
  provider: Provider;
  persons: PersonService;
  tenants: Pick<TenantService, 'findTenant'>;
  /** The person's claims now (assurance service): the tier a step-up re-reads. */
  claims: (personId: string) => Promise<AccountClaims | undefined>;
  /** Exact limiter: sign-up attempts per IP. */
  limiter: RateLimiter;
  /** Failed sign-ins per address and per account. */
  signInLimits: SignInLimits;
  loginPerHour: number;
  /** Account mails (sign-up, resend, reset) one address may get per hour. */
  mailPerAddressPerHour: number;
  /** The instance secret's 'csrf' subkey. */
  csrfKey: Buffer;
  /** The instance secret's 'sign-in-step' subkey: signs the note that carries a sign-in to its code step. */
  stepKey: Buffer;
  clock: Clock;
  secureCookies: boolean;
}

export function interactionRoutes(deps: InteractionDeps): Router {
  const { provider, persons, tenants, claims, limiter, signInLimits, loginPerHour, mailPerAddressPerHour, csrfKey, secureCookies, clock } = deps;
  const router = new Router({ prefix: '/interaction' });
  const csrf = makeCsrf(csrfKey, secureCookies);
  const notes = secondStepNotes(deps.stepKey);

  // Errors on these routes are shown as pages, not JSON: a person is looking at them.
  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = (err as { name?: string }).name === 'SessionNotFound'
        ? new ApiError(400, 'interaction_expired', 'This sign-in attempt has expired. Return to the application and start again.')
        : toApiError(err);
      ctx.status = e.status;
      for (const [k, v] of Object.entries(e.headers ?? {})) ctx.set(k, v);
      ctx.type = 'html';
      // Back to this sign-in's form (its uid is in the path), so an error page is never a dead end.
      const uid = /^\/interaction\/([\w-]+)/.exec(ctx.path)?.[1];
      ctx.body = errorPage(e, uid && e.code !== 'interaction_expired' ? { href: `/interaction/${uid}`, text: 'Back to sign in' } : undefined);
    }
    ctx.set('Cache-Control', 'no-store');
  });

  async function load(ctx: Koa.Context & { params: Record<string, string> }) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== ctx.params.uid) throw new ApiError(400, 'interaction_mismatch', 'This sign-in page does not match your session.');
    const client = await provider.Client.find(String(details.params.client_id));
    const tenantId = clientTenant(client);
    const tenant = tenantId ? await tenants.findTenant(tenantId) : undefined;
    if (!client || !tenant) throw new ApiError(400, 'unknown_client', 'The application is not registered.');
    // People see the relying party's name, never a client id: the client's own name, else its tenant's.
    const clientName = client.clientName ?? tenant.name;
    return { details, client, tenant, clientName };
  }

  const finish = async (ctx: Koa.Context, result: Record<string, unknown>) => {
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  };

  router.get('/:uid', async (ctx) => {
    const { details, tenant, clientName } = await load(ctx);
    const stepUp = stepUpOf(details);
    if (stepUp) {
      // Signed in below the tier asked for: through the hosted verification flow, back at /stepped-up.
      ctx.status = 303;
      ctx.redirect(stepUpUrl(details.uid, stepUp.tier));
      return;
    }
    const token = csrf.issue(ctx, details.uid);
    ctx.type = 'html';
    if (details.prompt.name === 'login') {
      ctx.body = loginPage({ uid: details.uid, csrf: token, clientName, email: details.params.login_hint as string | undefined });
      return;
    }
    const person = await persons.findById(String(details.session?.accountId));
    if (!person) throw new ApiError(400, 'unknown_account', 'Your account could not be found. Start again.');
    const scopes = new Set((typeof details.params.scope === 'string' ? details.params.scope : 'openid').split(' ').filter(Boolean));
    const claims = new Set<string>((details.prompt.details.missingOIDCClaims as string[] | undefined) ?? []);
    for (const scope of scopes) for (const claim of (CLAIMS_BY_SCOPE as Record<string, readonly string[]>)[scope] ?? []) claims.add(claim);
    if (requestedTier(details.params)) claims.add('acr');
    const items = sharedItems(claims, scopes);
    ctx.body = consentPage({ uid: details.uid, csrf: token, clientName, tenantName: tenant.name, items, identity: claims.has('kyc_status'), email: person.email });
  });

  stepUpRoutes(router, { claims, csrf, load, finish });

  router.post('/:uid/login', formBody(), async (ctx) => {
    const { details, clientName } = await load(ctx);
    const body = ctx.request.body as Record<string, unknown>;
    csrf.verify(ctx, details.uid, body.csrf);
    const token = csrf.issue(ctx, details.uid);
    const form = loginForm.safeParse(body);
    const show = (status: number, error: string, email?: string) => {
      ctx.status = status;
      ctx.type = 'html';
      ctx.body = loginPage({ uid: details.uid, csrf: token, clientName, email, error });
    };
    if (!form.success) return show(400, 'Enter your email address and password.', typeof body.email === 'string' ? body.email : undefined);
    const { email, password } = form.data;
    const attempt = await signInLimits.begin(ctx.ip, email);
    const result = await attempt.check(() => persons.checkCredentials(email, password));
    if (!result.ok) {
      // One message for an unknown address and a wrong password: the page must not tell who has an account.
      const messages = {
        unknown_email: 'The email address or password is not right. Try again, or reset your password.',
        wrong_password: 'The email address or password is not right. Try again, or reset your password.',
        email_unverified: 'Your email address is not verified yet. Create your account again with it to get a new link.',
      } as const;
      return show(result.reason === 'email_unverified' ? 403 : 401, messages[result.reason], email);
    }
    if (persons.twoStep.isOn(result.person)) {
      // The password alone never completes this login: the code step does.
      await attempt.secondStepNeeded();
      ctx.type = 'html';
      ctx.body = codePage({ uid: details.uid, csrf: token, note: notes.issue(token, result.person.id, clock.now()), clientName });
      return;
    }
    await attempt.succeeded();
    await finish(ctx, { login: { accountId: result.person.id, amr: AMR_PASSWORD } });
  });

  router.post('/:uid/code', formBody(), async (ctx) => {
    const { details, clientName } = await load(ctx);
    const body = ctx.request.body as Record<string, unknown>;
    csrf.verify(ctx, details.uid, body.csrf);
    const token = csrf.issue(ctx, details.uid);
    const accountId = notes.open(token, body.note, clock.now());
    const person = accountId && details.prompt.name === 'login' ? await persons.findById(accountId) : undefined;
    if (!person || !persons.twoStep.isOn(person)) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = loginPage({ uid: details.uid, csrf: token, clientName, error: 'This sign-in step has expired. Sign in again.' });
      return;
    }
    const show = (status: number, error: string) => {
      ctx.status = status;
      ctx.type = 'html';
      ctx.body = codePage({ uid: details.uid, csrf: token, note: body.note as string, clientName, error });
    };
    const form = codeForm.safeParse(body);
    if (!form.success) return show(400, 'Enter the 6-digit code from your authenticator app, or a recovery code.');
    // A wrong code is a failed sign-in of this address and account, like a wrong password.
    const attempt = await signInLimits.begin(ctx.ip, person.email);
    const passed = await attempt.check(() => persons.twoStep.verify(person.id, form.data.code));
    if (!passed) return show(401, 'That code is not right, or was already used. Try the current code.');
    await attempt.succeeded();
    await finish(ctx, { login: { accountId: person.id, amr: AMR_TWO_STEP } });
  });

  /** Per IP (form abuse) and per address (no mail-bombing an inbox through our forms); throws 429. */
  async function limitMail(ctx: Koa.Context, form: 'signup' | 'forgot', email?: string) {
    const limits = [{ key: `${form}:ip:${addressKey(ctx.ip)}`, limit: loginPerHour, windowSeconds: 3600 }];
    if (email) limits.push({ key: `mail:addr:${email.toLowerCase()}`, limit: mailPerAddressPerHour, windowSeconds: 3600 });
    const rl = await limiter.hit(limits);
    if (!rl.allowed) throw new RateLimitedError(rl.retryAfter);
  }

  // Sign-up and "forgot your password": the same shape. Whether or not an account uses the address, a mail goes
  // to it and the answer is the same "check your mail" page (account enumeration, issue 10 item 6).
  for (const form of ['signup', 'forgot'] as const) {
    const formPage = form === 'signup' ? signupPage : forgotPage;
    router.get(`/:uid/${form}`, async (ctx) => {
      const { details, clientName } = await load(ctx);
      ctx.type = 'html';
      ctx.body = formPage({ uid: details.uid, csrf: csrf.issue(ctx, details.uid), clientName });
    });

    router.post(`/:uid/${form}`, formBody(), async (ctx) => {
      const { details, clientName } = await load(ctx);
      const body = ctx.request.body as Record<string, unknown>;
      csrf.verify(ctx, details.uid, body.csrf);
      const parsed = emailForm.safeParse(body);
      await limitMail(ctx, form, parsed.data?.email);
      const token = csrf.issue(ctx, details.uid);
      ctx.type = 'html';
      const show = (status: number, error: string) => {
        ctx.status = status;
        ctx.body = formPage({ uid: details.uid, csrf: token, clientName, email: typeof body.email === 'string' ? body.email : undefined, error });
      };
      if (!parsed.success) return show(400, parsed.error.issues.map((i) => i.message).join(' '));
      const { email } = parsed.data;
      try {
        await (form === 'signup' ? persons.startSignup(email) : persons.requestPasswordReset(email));
      } catch (err) {
        // Both branches send a mail, so a mail outage looks the same whoever owns the address.
        if (!(err instanceof ApiError && err.code === MAIL_UNAVAILABLE)) throw err;
        for (const [k, v] of Object.entries(err.headers ?? {})) ctx.set(k, v);
        return show(err.status, err.message);
      }
      const info = body.resend ? 'We sent the link again.' : undefined;
      ctx.body = checkMailPage({ uid: details.uid, csrf: token, clientName, email, again: form, info });
    });
  }

  router.post('/:uid/confirm', formBody(), async (ctx) => {
    const { details, client, tenant } = await load(ctx);
    csrf.verify(ctx, details.uid, (ctx.request.body as Record<string, unknown>).csrf);
    if (details.prompt.name !== 'consent') throw new ApiError(400, 'not_consent', 'Nothing to confirm here.');
    const accountId = String(details.session?.accountId);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: client.clientId });
    if (!grant) throw new ApiError(400, 'grant_missing', 'This sign-in attempt has expired. Start again.');
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    // The tier asked for (acr) without the kyc scope: the page listed it, so the grant now shares it.
    if (details.prompt.reasons.includes(TIER_CONSENT_REASON)) grant.addOIDCClaims(['acr']);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    // From now on this tenant knows the person under its pairwise subject.
    await persons.recordSubject(tenant.id, accountId);
    // A "continue without verifying" earlier in this authorization still holds when the prompts are checked again.
    const declined = details.lastSubmission?.[STEP_UP_RESULT] === STEP_UP_DECLINED;
    await finish(ctx, { consent: { grantId }, ...(declined ? { [STEP_UP_RESULT]: STEP_UP_DECLINED } : {}) });
  });

  router.get('/:uid/abort', async (ctx) => {
    await load(ctx);
    await finish(ctx, { error: 'access_denied', error_description: 'The person declined or cancelled sign-in.' });
  });

  return router;
}
