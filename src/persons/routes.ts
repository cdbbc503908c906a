// The pages the emailed links open, and the signed-in account page:
//   GET/POST /verify-email?token=…    finish sign-up: choose the password (creates the verified account)
//   GET/POST /password/reset?token=…  choose a new password (signs the person out everywhere)
//   GET /account, POST /account/password  change password (signed in; needs the current one)
//   POST /account/two-step[/confirm|/off]  turn two-step sign-in on (password, then a code) or off (password + code)
//   POST /account/two-step/recovery-codes  new recovery codes in place of the old ones (password + code)
//   POST /account/access/withdraw  end one tenant's access;  POST /account/export  the person's data as JSON
//   POST /account/delete  erase the account (password + confirmation)
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { formBody } from '../http/body.js';
import { checkFormToken } from '../http/form-token.js';
import { ApiError, RateLimitedError } from '../http/errors.js';
import { messagePage } from '../http/html.js';
import { pageErrors } from '../http/middleware/errors.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { AccountData } from './account-data.js';
import { dataSections } from './account-views.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, type PersonService } from './service.js';
import type { PersonRow } from './store.js';
import { accountPage, choosePasswordPage, enrolPage, recoveryCodesPage, type AccountMessages } from './views.js';
import { keyedHash } from '../crypto/hash.js';

const password = z.string().min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`).max(MAX_PASSWORD_LENGTH, 'That password is too long.');
const linkForm = z.object({ token: z.string().max(100), password });
const current = z.string().min(1, 'Enter your current password.').max(MAX_PASSWORD_LENGTH);
const code = z.string().trim().min(1, 'Enter the code.').max(64);
const changeForm = z.object({ current, password });
const turnOnForm = z.object({ current });
const confirmForm = z.object({ code });
/** Turning it off and making new recovery codes. */
const passwordAndCodeForm = z.object({ current, code });
const withdrawForm = z.object({ tenant_id: z.string().min(1).max(100) });
const deleteForm = z.object({ current, confirm: z.literal('delete', 'Tick the box to confirm that your account is deleted for good.') });
const issues = (e: z.ZodError) => e.issues.map((i) => i.message).join(' ');

const TWO_STEP_ERRORS = {
  wrong_password: 'Your current password is not right.',
  wrong_code: 'That code is not right, or was already used.',
  not_on: 'Two-step sign-in is not on.',
} as const;

const BAD_LINK = 'This link is invalid, has expired or was already used. Ask for a new one from the sign-in page.';

export interface PersonRouteDeps {
  persons: PersonService;
  /** Their verification, the tenants with access, withdrawal, export and erasure (privacy/). */
  account: AccountData;
  /** The person signed in to this browser (oidc-provider's session), or undefined. */
  currentSession: (ctx: Koa.Context) => Promise<{ accountId: string; sessionId: string } | undefined>;
  limiter: RateLimiter;
  /** Password and code checks per account per hour on the account page (a borrowed session can't guess them). */
  attemptsPerHour: number;
  /** The instance secret's 'csrf' subkey: the account form's token is bound to the session. */
  csrfKey: Buffer;
}

export function personRoutes({ persons, account, currentSession, limiter, attemptsPerHour, csrfKey }: PersonRouteDeps): Router {
  const router = new Router();
  const csrfFor = (sessionId: string) => keyedHash(csrfKey, `account:${sessionId}`);

  // A person is looking at these: errors are pages, and nothing here may be cached.
  router.use(pageErrors((ctx, e) => (ctx.path === '/account/password' && e.status !== 401 ? { href: '/account', text: 'Back to your account' } : undefined)));

  const tokenOf = (ctx: Koa.Context) => (typeof ctx.query.token === 'string' ? ctx.query.token : '');
  const badLink = (ctx: Koa.Context) => {
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = messagePage('Link not valid', BAD_LINK);
  };

  for (const action of ['/verify-email', '/password/reset'] as const) {
    const lookup = (token: string) => (action === '/verify-email' ? persons.signupLink(token) : persons.resetLink(token));
    router.get(action, async (ctx) => {
      const token = tokenOf(ctx);
      const link = await lookup(token);
      if (!link) return badLink(ctx);
      ctx.type = 'html';
      ctx.body = choosePasswordPage({ action, token, email: link.email });
    });

    router.post(action, formBody(), async (ctx) => {
      const body = ctx.request.body as Record<string, unknown>;
      const form = linkForm.safeParse(body);
      if (!form.success) {
        const token = typeof body.token === 'string' ? body.token : '';
        const link = await lookup(token);
        if (!link) return badLink(ctx);
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = choosePasswordPage({ action, token, email: link.email, error: form.error.issues.map((i) => i.message).join(' ') });
        return;
      }
      ctx.type = 'html';
      if (action === '/password/reset') {
        const done = await persons.resetPassword(form.data.token, form.data.password);
        if (!done) return badLink(ctx);
        const second = done.twoStep ? ' Two-step sign-in is still on: you also need a code from your authenticator app, or one of your recovery codes.' : '';
        ctx.body = messagePage('Password changed', `Your password is changed and you are signed out everywhere. Return to the application and sign in with your new password.${second}`);
        return;
      }
      const done = await persons.finishSignup(form.data.token, form.data.password);
      if (!done.ok && done.reason === 'invalid_link') return badLink(ctx);
      if (!done.ok) {
        ctx.status = 409;
        ctx.body = messagePage('You already have an account', 'An account already uses this address. Sign in, or use "Forgot your password?" on the sign-in page.');
        return;
      }
      ctx.body = messagePage('Account created', 'Your account is ready and your email address is verified. Return to the sign-in page to continue.');
    });
  }

  async function signedIn(ctx: Koa.Context) {
    const session = await currentSession(ctx);
    const person = session && (await persons.findById(session.accountId));
    if (!session || !person) throw new ApiError(401, 'not_signed_in', 'You are not signed in. Sign in through the application you use, then come back.');
    return { session, person };
  }

  /** The signed-in person, after the form's CSRF token (bound to the session) was checked. */
  async function signedInForm(ctx: Koa.Context) {
    const signed = await signedIn(ctx);
    const body = ctx.request.body as Record<string, unknown>;
    checkFormToken(csrfFor(signed.session.sessionId), body.csrf);
    return { ...signed, body };
  }

  /** Every password or code check on these pages counts against the account's hourly budget. */
  async function limitChecks(personId: string) {
    const rl = await limiter.hit([{ key: `pwchange:acct:${personId}`, limit: attemptsPerHour, windowSeconds: 3600 }]);
    if (!rl.allowed) throw new RateLimitedError(rl.retryAfter);
  }

  /**
   * A signed-in /account form whose fields parse, counted against the account's checks; otherwise the account page
   * again with the error on that form (and undefined).
   */
  async function accountForm<T>(ctx: Koa.Context, schema: z.ZodType<T>, form: AccountMessages['form']) {
    const s = await signedInForm(ctx);
    const parsed = schema.safeParse(s.body);
    if (!parsed.success) return void (await showAccount(ctx, s, 400, { form, error: issues(parsed.error) }));
    await limitChecks(s.person.id);
    return { s, data: parsed.data };
  }

  async function showAccount(ctx: Koa.Context, s: { session: { sessionId: string }; person: PersonRow }, status = 200, v: AccountMessages = {}) {
    const twoStep = persons.twoStep.isOn(s.person) ? { on: true as const, recoveryCodesLeft: await persons.twoStep.unusedRecoveryCodes(s.person.id) } : { on: false as const };
    const csrf = csrfFor(s.session.sessionId);
    const data = dataSections({ overview: await account.overview(s.person.id), csrf, email: s.person.email, eraseError: v.form === 'delete' ? v.error : undefined });
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = accountPage({ email: s.person.email, csrf, twoStep, data, ...v });
  }

  router.get('/account', async (ctx) => showAccount(ctx, await signedIn(ctx)));

  router.post('/account/password', formBody(), async (ctx) => {
    const f = await accountForm(ctx, changeForm, 'password');
    if (!f) return;
    const { s, data } = f;
    const result = await persons.changePassword(s.person.id, data.current, data.password, { sessionId: s.session.sessionId });
    if (!result.ok) return showAccount(ctx, s, result.reason === 'wrong_password' ? 401 : 400, { form: 'password', error: 'Your current password is not right.' });
    await showAccount(ctx, s, 200, { info: 'Your password is changed. Your other sessions are signed out.' });
  });

  router.post('/account/two-step', formBody(), async (ctx) => {
    const f = await accountForm(ctx, turnOnForm, 'two-step');
    if (!f) return;
    const { s, data } = f;
    const begun = await persons.twoStep.begin(s.person.id, data.current);
    if (!begun.ok) return showAccount(ctx, s, 401, { form: 'two-step', error: 'Your current password is not right.' });
    ctx.type = 'html';
    ctx.body = enrolPage({ csrf: csrfFor(s.session.sessionId), enrolment: begun.enrolment });
  });

  router.post('/account/two-step/confirm', formBody(), async (ctx) => {
    const s = await signedInForm(ctx);
    const pending = await persons.twoStep.pending(s.person.id);
    if (!pending) return showAccount(ctx, s, 409, { error: persons.twoStep.isOn(s.person) ? 'Two-step sign-in is already on.' : 'Start again: turn on two-step sign-in below.' });
    const again = (status: number, error: string) => {
      ctx.status = status;
      ctx.type = 'html';
      ctx.body = enrolPage({ csrf: csrfFor(s.session.sessionId), enrolment: pending, error });
    };
    const form = confirmForm.safeParse(s.body);
    if (!form.success) return again(400, issues(form.error));
    await limitChecks(s.person.id);
    const done = await persons.twoStep.confirm(s.person.id, form.data.code, { sessionId: s.session.sessionId });
    if (!done.ok) return again(401, 'That code is not right. Check that the app added the key, and enter the code it shows now.');
    ctx.type = 'html';
    ctx.body = recoveryCodesPage({ codes: done.recoveryCodes });
  });

  router.post('/account/two-step/off', formBody(), async (ctx) => {
    const f = await accountForm(ctx, passwordAndCodeForm, 'two-step/off');
    if (!f) return;
    const { s, data } = f;
    const off = await persons.twoStep.turnOff(s.person.id, data.current, data.code);
    if (!off.ok) return showAccount(ctx, s, off.reason === 'not_on' ? 409 : 401, { form: 'two-step/off', error: TWO_STEP_ERRORS[off.reason] });
    const person = (await persons.findById(s.person.id)) ?? s.person;
    await showAccount(ctx, { ...s, person }, 200, { info: 'Two-step sign-in is off.' });
  });

  router.post('/account/two-step/recovery-codes', formBody(), async (ctx) => {
    const f = await accountForm(ctx, passwordAndCodeForm, 'two-step/recovery-codes');
    if (!f) return;
    const { s, data } = f;
    const made = await persons.twoStep.newRecoveryCodes(s.person.id, data.current, data.code);
    if (!made.ok) return showAccount(ctx, s, made.reason === 'not_on' ? 409 : 401, { form: 'two-step/recovery-codes', error: TWO_STEP_ERRORS[made.reason] });
    ctx.type = 'html';
    ctx.body = recoveryCodesPage({ codes: made.recoveryCodes, replaced: true });
  });

  router.post('/account/access/withdraw', formBody(), async (ctx) => {
    const s = await signedInForm(ctx);
    const form = withdrawForm.safeParse(s.body);
    if (!form.success) return showAccount(ctx, s, 400, { form: 'access', error: 'Choose the application whose access to withdraw.' });
    const done = await account.withdraw(s.person.id, form.data.tenant_id);
    if (!done.withdrawn) return showAccount(ctx, s, 404, { form: 'access', error: 'That application has no access to withdraw.' });
    await showAccount(ctx, s, 200, { info: `${done.tenantName ?? 'The application'} no longer has access to your verification.` });
  });

  router.post('/account/export', formBody(), async (ctx) => {
    const s = await signedInForm(ctx);
    const data = await account.exportData(s.person.id);
    ctx.set('Content-Disposition', `attachment; filename="kycport-data-${String(data.exported_at).slice(0, 10)}.json"`);
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(data, null, 2);
  });

  router.post('/account/delete', formBody(), async (ctx) => {
    const f = await accountForm(ctx, deleteForm, 'delete');
    if (!f) return;
    const { s, data } = f;
    const erased = await account.erase(s.person.id, data.current);
    if (!erased.ok) return showAccount(ctx, s, 401, { form: 'delete', error: 'Your password is not right.' });
    ctx.type = 'html';
    ctx.body = messagePage('Your account is deleted', 'Your account, your document images and your face data are deleted, and the applications that had access were told. The records of verification decisions are kept without images or face data for the period the law requires, then deleted.');
  });

  return router;
}
