// Hosted sign-in, sign-up and consent: the pages oidc-provider sends the browser to during authorization.
import Router from '@koa/router';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { ApiError, RateLimitedError } from '../../http/errors.js';
import { formBody } from '../../http/body.js';
import { toApiError } from '../../http/middleware/errors.js';
import { addressKey } from '../../http/client-ip.js';
import { waitText } from '../../http/html.js';
import type { RateLimiter } from '../../http/rate-limit.js';
import { MIN_PASSWORD_LENGTH, type PersonService } from '../../persons/service.js';
import type { SignInLimits } from '../../persons/sign-in-limits.js';
import type { TenantService } from '../../tenants/service.js';
import { clientTenant } from '../adapters/clients.js';
import { csrf as makeCsrf } from './csrf.js';
import { consentPage, loginPage, messagePage, signupPage } from './views.js';

const loginForm = z.object({ email: z.string().trim().email().max(254), password: z.string().min(1).max(1024), csrf: z.string() });
const signupForm = z.object({
  email: z.string().trim().email('Enter a valid email address.').max(254),
  password: z.string().min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`).max(1024),
  csrf: z.string(),
});

export interface InteractionDeps {
  provider: Provider;
  persons: PersonService;
  tenants: Pick<TenantService, 'findTenant'>;
  /** Exact limiter: sign-up attempts per IP. */
  limiter: RateLimiter;
  /** Failed sign-ins per address and per account. */
  signInLimits: SignInLimits;
  loginPerHour: number;
  /** The instance secret's 'csrf' subkey. */
  csrfKey: Buffer;
  secureCookies: boolean;
}

export function interactionRoutes({ provider, persons, tenants, limiter, signInLimits, loginPerHour, csrfKey, secureCookies }: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction' });
  const csrf = makeCsrf(csrfKey, secureCookies);

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
      ctx.body = errorPage(e.status, e.message, Number(e.headers?.['Retry-After']));
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
    const token = csrf.issue(ctx, details.uid);
    ctx.type = 'html';
    if (details.prompt.name === 'login') {
      ctx.body = loginPage({ uid: details.uid, csrf: token, clientName, email: details.params.login_hint as string | undefined });
      return;
    }
    const person = await persons.findById(String(details.session?.accountId));
    if (!person) throw new ApiError(400, 'unknown_account', 'Your account could not be found. Start again.');
    const scopes = (typeof details.params.scope === 'string' ? details.params.scope : 'openid').split(' ').filter(Boolean);
    ctx.body = consentPage({ uid: details.uid, csrf: token, clientName, tenantName: tenant.name, scopes, email: person.email });
  });

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
      const messages = {
        unknown_email: 'No account uses this email address. Check it, or create an account.',
        wrong_password: 'That password is not right. Try again.',
        email_unverified: 'Your email address is not verified yet. Open the link we emailed you, then sign in.',
      } as const;
      return show(result.reason === 'email_unverified' ? 403 : 401, messages[result.reason], email);
    }
    await attempt.succeeded();
    await finish(ctx, { login: { accountId: result.person.id, amr: ['pwd'] } });
  });

  router.get('/:uid/signup', async (ctx) => {
    const { details, clientName } = await load(ctx);
    ctx.type = 'html';
    ctx.body = signupPage({ uid: details.uid, csrf: csrf.issue(ctx, details.uid), clientName, minLength: MIN_PASSWORD_LENGTH });
  });

  router.post('/:uid/signup', formBody(), async (ctx) => {
    const { details, clientName } = await load(ctx);
    const body = ctx.request.body as Record<string, unknown>;
    csrf.verify(ctx, details.uid, body.csrf);
    const rl = await limiter.hit([{ key: `signup:ip:${addressKey(ctx.ip)}`, limit: loginPerHour, windowSeconds: 3600 }]);
    if (!rl.allowed) throw new RateLimitedError(rl.retryAfter);
    const form = signupForm.safeParse(body);
    const show = (status: number, error: string) => {
      ctx.status = status;
      ctx.type = 'html';
      ctx.body = signupPage({
        uid: details.uid,
        csrf: csrf.issue(ctx, details.uid),
        clientName,
        email: typeof body.email === 'string' ? body.email : undefined,
        error,
        minLength: MIN_PASSWORD_LENGTH,
      });
    };
    if (!form.success) return show(400, form.error.issues.map((i) => i.message).join(' '));
    let id: string;
    try {
      ({ id } = await persons.create({ email: form.data.email, password: form.data.password, emailVerified: false }));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'email_taken') return show(409, 'An account with this email already exists. Sign in instead.');
      throw err;
    }
    try {
      await persons.sendVerificationEmail({ id, email: form.data.email });
    } catch {
      // Without the link the account could never be verified: undo it so the person can simply try again.
      await persons.deleteUnverified(id);
      return show(503, 'We could not send the verification email just now. Please try again in a few minutes.');
    }
    ctx.type = 'html';
    ctx.body = loginPage({
      uid: details.uid,
      csrf: csrf.issue(ctx, details.uid),
      clientName,
      email: form.data.email,
      info: `Account created. We sent a verification link to ${form.data.email}; open it, then sign in here.`,
    });
  });

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
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    // From now on this tenant knows the person under its pairwise subject.
    await persons.recordSubject(tenant.id, accountId);
    await finish(ctx, { consent: { grantId } });
  });

  router.get('/:uid/abort', async (ctx) => {
    await load(ctx);
    await finish(ctx, { error: 'access_denied', error_description: 'The person declined or cancelled sign-in.' });
  });

  return router;
}

/** A person reads how long to wait ("try again in 57 minutes"); the Retry-After header keeps the seconds. */
function errorPage(status: number, message: string, retryAfter: number): string {
  if (status === 429) return messagePage('Too many attempts', `Too many attempts. Please try again in ${waitText(retryAfter)}.`);
  if (status === 503) return messagePage('Busy right now', message);
  return messagePage('Something went wrong', message);
}
