// The console (/console), server-rendered:
//   GET  /console/sign-in              to the provider's authorization endpoint (the console is its client, PKCE)
//   GET  /console/signed-in            back: the provider session's person, how they signed in (amr) → console session
//   POST /console/sign-out
//   GET  /console                      the queue for reviewers and admins, else what the roles have
//   GET  /console/queue                manual_review cases, oldest first, age against the SLA, claims
//   POST /console/cases/:id/claim|release
//   GET  /console/cases/:id            the case as a reviewer sees it, and the decision form
//   POST /console/cases/:id/decision   approve / reject / request resubmission, reason code + note
//   GET  /console/cases/:id/files/:fid one image, decrypted, Cache-Control: no-store
//   /console/t/:tenant/…               the tenant teams' self-service (tenant-routes.ts)
// Every route checks the session and the role on the server; reviewers and admins must have signed in with a
// second factor (amr otp). Errors are pages.
import crypto from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { formBody } from '../http/body.js';
import { ApiError } from '../http/errors.js';
import { checkFormToken } from '../http/form-token.js';
import { pageErrors, toApiError } from '../http/middleware/errors.js';
import type { PersonService } from '../persons/service.js';
import type { ReviewService } from '../review/service.js';
import { REVIEW_OUTCOMES } from '../verification/cases/model.js';
import { holds, needsMfa, REVIEW_ROLES, type RoleGrant } from './roles.js';
import { consoleSessions, signedValue, type ConsoleSession } from './session.js';
import type { Staff } from './staff.js';
import { casePage, homePage, mfaNotUsedPage, mfaSetupPage, notStaffPage, queuePage, signedOutPage, signInFailedPage, type Me } from './views.js';
import type { AuditRecorder } from '../audit/service.js';
import { mountTenantPages, type TenantPageDeps } from './tenant-routes.js';
import { mountOperatorRoutes, type OperatorDeps } from './operator-routes.js';

export interface ConsoleDeps {
  review: ReviewService;
  staff: Pick<Staff, 'grantsOf'>;
  persons: Pick<PersonService, 'findById' | 'twoStep'>;
  /** The provider session in this browser: who signed in, with which methods (amr), when (seconds). */
  currentLogin: (ctx: Koa.Context) => Promise<{ accountId: string; amr: string[]; loginTs: number } | undefined>;
  /** The console's client id at the provider (made on first use). */
  signInClient: (redirectUri: string) => Promise<string>;
  publicUrl: string;
  /** The instance secret's 'console-session' subkey: signs the session and sign-in cookies. */
  sessionKey: Buffer;
  /** The instance secret's 'csrf' subkey: the forms' tokens, bound to the console session. */
  csrfKey: Buffer;
  idleMinutes: number;
  secureCookies: boolean;
  now: () => Date;
  /** Staff sign-ins, and sign-ins refused for a missing second factor, go on the operator's audit chain. */
  audit: Pick<AuditRecorder, 'record'>;
  /** The tenant teams' self-service pages (tenant-routes.ts). */
  tenantPages: TenantPageDeps;
  /** The admin's and auditor's pages (operator-routes.ts). */
  operator: OperatorDeps;
}

const SIGN_IN_COOKIE = 'kpconsole_signin';
const SIGN_IN_TTL_MS = 15 * 60_000;
const signInState = z.object({ state: z.string(), verifier: z.string(), started: z.number() });
const decisionForm = z.object({
  csrf: z.string(),
  outcome: z.enum(REVIEW_OUTCOMES),
  reason_code: z.string().trim().min(1),
  note: z.string().trim().min(1),
});
const ID = /^[\w-]{1,64}$/;

/** RFC 8176: a one-time password was part of the sign-in (the two-step code step sets pwd + otp + mfa). */
const usedSecondFactor = (amr: string[]) => amr.includes('otp') || amr.includes('mfa');

type Signed = { session: ConsoleSession; grants: RoleGrant[]; me: Me };

export function consoleRoutes(d: ConsoleDeps): Router {
  const router = new Router({ prefix: '/console' });
  const sessions = consoleSessions({ key: d.sessionKey, idleMs: d.idleMinutes * 60_000, secureCookies: d.secureCookies, now: d.now });
  const signed = signedValue(d.sessionKey);
  const redirectUri = `${d.publicUrl}/console/signed-in`;
  const csrfFor = (s: ConsoleSession) => crypto.createHmac('sha256', d.csrfKey).update(`console:${s.sid}`).digest('base64url');

  // Pages, never cached; errors are pages too.
  router.use(pageErrors(() => ({ href: '/console', text: 'Back to the console' })));

  const send = (ctx: Koa.Context, body: string, status = 200) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = body;
  };

  /** The signed-in staff member with roles, or a redirect to sign-in / a refusal page (and undefined). */
  async function staffOf(ctx: Koa.Context): Promise<Signed | undefined> {
    const session = sessions.read(ctx);
    if (!session) {
      ctx.redirect('/console/sign-in');
      return undefined;
    }
    const person = await d.persons.findById(session.pid);
    const grants = person ? await d.staff.grantsOf(person.id) : [];
    if (!person || !grants.length) {
      send(ctx, notStaffPage(), 403);
      return undefined;
    }
    // Checked on every request: a role needing MFA granted after a password-only sign-in needs a new sign-in.
    if (needsMfa(grants) && !session.mfa) {
      send(ctx, d.persons.twoStep.isOn(person) ? mfaNotUsedPage() : mfaSetupPage(), 403);
      return undefined;
    }
    const me: Me = { email: person.email, grants, csrf: csrfFor(session), reviewer: holds(grants, REVIEW_ROLES), admin: holds(grants, ['admin']), auditor: holds(grants, ['admin', 'auditor']) };
    return { session, grants, me };
  }

  async function reviewer(ctx: Koa.Context): Promise<Signed | undefined> {
    const s = await staffOf(ctx);
    if (s && !s.me.reviewer) throw new ApiError(403, 'forbidden', 'The review queue is for the operator\'s reviewers and admins.');
    return s;
  }

  const checkCsrf = (s: Signed, body: Record<string, unknown>) => checkFormToken(csrfFor(s.session), body.csrf);
  const caseId = (ctx: Koa.Context & { params: Record<string, string> }) => {
    const id = ctx.params.id ?? '';
    if (!ID.test(id)) throw new ApiError(404, 'not_found', 'Verification case not found.');
    return id;
  };

  router.get('/sign-in', async (ctx) => {
    const clientId = await d.signInClient(redirectUri);
    const state = crypto.randomBytes(16).toString('base64url');
    const verifier = crypto.randomBytes(32).toString('base64url');
    ctx.cookies.set(SIGN_IN_COOKIE, signed.seal({ state, verifier, started: d.now().getTime() }), {
      httpOnly: true,
      sameSite: 'lax',
      path: '/console',
      secure: d.secureCookies,
      maxAge: SIGN_IN_TTL_MS,
      overwrite: true,
    });
    const q = new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
      state,
      code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      // A fresh sign-in every time: its amr (the second factor) is what the console trusts, not an older one.
      prompt: 'login',
    });
    ctx.redirect(`/api/oidc/auth?${q.toString()}`);
  });

  router.get('/signed-in', async (ctx) => {
    const started = signed.open(ctx.cookies.get(SIGN_IN_COOKIE), signInState);
    ctx.cookies.set(SIGN_IN_COOKIE, '', { path: '/console', maxAge: 0, overwrite: true });
    const now = d.now().getTime();
    const login = await d.currentLogin(ctx);
    // The provider's session must come from a sign-in made after this console sign-in began (prompt=login).
    const fresh = started && login && login.loginTs * 1000 >= started.started - 1000 && now - started.started < SIGN_IN_TTL_MS;
    if (!started || ctx.query.state !== started.state || ctx.query.error || typeof ctx.query.code !== 'string' || !fresh) return send(ctx, signInFailedPage(), 400);
    const person = await d.persons.findById(login.accountId);
    const grants = person ? await d.staff.grantsOf(person.id) : [];
    if (!person || !grants.length) return send(ctx, notStaffPage(), 403);
    const mfa = usedSecondFactor(login.amr);
    const signIn = (action: string, details: Record<string, unknown>) =>
      d.audit.record({ tenantId: null, actor: { type: 'staff', id: person.id }, action, object: { type: 'person', id: person.id }, details: { amr: login.amr, ...details } });
    if (needsMfa(grants) && !mfa) {
      const setUp = d.persons.twoStep.isOn(person);
      await signIn('staff.sign_in_refused', { reason: setUp ? 'second_factor_not_used' : 'second_factor_not_set_up' });
      return send(ctx, setUp ? mfaNotUsedPage() : mfaSetupPage(), 403);
    }
    await signIn('staff.signed_in', { mfa });
    sessions.start(ctx, { personId: person.id, mfa });
    ctx.redirect('/console');
  });

  router.post('/sign-out', formBody(), async (ctx) => {
    const s = await staffOf(ctx);
    if (!s) return;
    checkCsrf(s, ctx.request.body as Record<string, unknown>);
    sessions.end(ctx);
    send(ctx, signedOutPage());
  });

  router.get('/', async (ctx) => {
    const s = await staffOf(ctx);
    if (!s) return;
    if (s.me.reviewer) return ctx.redirect('/console/queue');
    if (s.me.auditor) return ctx.redirect('/console/audit');
    send(ctx, homePage(s.me));
  });

  router.get('/queue', async (ctx) => {
    const s = await reviewer(ctx);
    if (!s) return;
    const items = await d.review.queue({ personId: s.session.pid });
    const flash = typeof ctx.query.done === 'string' ? FLASH[ctx.query.done] : undefined;
    send(ctx, queuePage(s.me, items, d.review.slaHours, flash));
  });

  for (const action of ['claim', 'release'] as const) {
    router.post(`/cases/:id/${action}`, formBody(), async (ctx) => {
      const s = await reviewer(ctx);
      if (!s) return;
      checkCsrf(s, ctx.request.body as Record<string, unknown>);
      const id = caseId(ctx);
      await d.review[action]({ personId: s.session.pid }, id);
      ctx.status = 303;
      ctx.redirect(action === 'claim' ? `/console/cases/${id}` : '/console/queue');
    });
  }

  async function showCase(ctx: Koa.Context & { params: Record<string, string> }, s: Signed, error?: string, status = 200) {
    const id = caseId(ctx);
    const v = await d.review.view({ personId: s.session.pid }, id);
    const since = v.row.decided_at ?? v.row.created_at;
    const ageHours = (d.now().getTime() - since.getTime()) / 3_600_000;
    send(ctx, casePage(s.me, { ...v, claimedByMe: v.claim?.reviewer_id === s.session.pid }, { slaHours: d.review.slaHours, ageHours, ...(error ? { error } : {}) }), status);
  }

  router.get('/cases/:id', async (ctx) => {
    const s = await reviewer(ctx);
    if (s) await showCase(ctx, s);
  });

  router.post('/cases/:id/decision', formBody(), async (ctx) => {
    const s = await reviewer(ctx);
    if (!s) return;
    const body = ctx.request.body as Record<string, unknown>;
    checkCsrf(s, body);
    const form = decisionForm.safeParse(body);
    if (!form.success) return showCase(ctx, s, 'Choose a decision and a reason code, and write a note.', 400);
    try {
      const r = await d.review.decide({ personId: s.session.pid }, caseId(ctx), { outcome: form.data.outcome, reasonCode: form.data.reason_code, note: form.data.note });
      ctx.status = 303;
      ctx.redirect(`/console/queue?done=${r.awaitingSecondReviewer ? 'held' : form.data.outcome}`);
    } catch (err) {
      const e = toApiError(err);
      // The reviewer's refusals (screening missing, four eyes, claim, bad reason) are shown on the case page.
      if (e.status !== 400 && e.status !== 409) throw err;
      await showCase(ctx, s, e.message, e.status);
    }
  });

  router.get('/cases/:id/files/:fid', async (ctx) => {
    const s = await reviewer(ctx);
    if (!s) return;
    const fid = ctx.params.fid ?? '';
    if (!ID.test(fid)) throw new ApiError(404, 'not_found', 'Image not found.');
    const img = await d.review.image({ personId: s.session.pid }, caseId(ctx), fid);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = img.type;
    ctx.body = img.bytes;
  });

  mountTenantPages(router, { staffOf, send }, d.tenantPages);
  mountOperatorRoutes(router, { staffOf, send, checkCsrf }, d.operator);

  return router;
}

const FLASH: Record<string, string> = {
  approved: 'The case was approved.',
  rejected: 'The case was rejected.',
  resubmission_requested: 'A resubmission was requested: the case waits for new captures (rejected instead when it was its last attempt).',
  held: 'Your approval is recorded; the case now waits for a second reviewer.',
};
