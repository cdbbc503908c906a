// The hosted verification flow (issue 11 §2), server-rendered and usable without JavaScript:
//   GET  /verify/l/:token            the session's single-use link: binds the session to this browser (cookie)
//   GET  /verify/s/:id               the next step: sign in, choose the document, a capture, processing, result
//   GET  /verify/s/:id/sign-in       sign in / sign up through the provider's own interaction pages
//   GET  /verify/signed-in           back from there: the provider session's person takes the session
//   POST /verify/s/:id/choose        document type + issuing country
//   POST /verify/s/:id/capture/:kind one capture (multipart, the case API's limits and errors)
//   GET  /verify/s/:id/state.json    {status, done, next} for the processing page's polling
//   GET  /verify/s/:id/continue      to the tenant's redirect_uri with session_id and status only (or return_to)
//   GET  /verify/step-up/:uid?level= step-up from a sign-in interaction: what is checked and what the tenant sees
//   POST /verify/step-up/:uid?level= the person continues: a session for them that ends at /interaction/:uid/stepped-up
//   GET  /verify/t/:tenant/style.css, /logo   the tenant's branding
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { formBody } from '../http/body.js';
import { ApiError, NotFoundError } from '../http/errors.js';
import { toApiError } from '../http/middleware/errors.js';
import type { Branding } from '../tenants/branding.js';
import { lingerThenClose } from '../verification/cases/multipart.js';
import type { CaseService } from '../verification/cases/service.js';
import { nextStep, stageField, type Step } from '../verification/sessions/captures.js';
import type { SessionService } from '../verification/sessions/service.js';
import type { SessionRow } from '../verification/sessions/store.js';
import { pickLocale, translator } from './messages/index.js';
import { capturePage, choosePage, layout, message, processingPage, resultPage, retakeNotice, signInPage, stepUpPage, type CaptureKind, type PageCtx } from './views.js';
import { checkFormToken } from '../http/form-token.js';
import { errorPage, html } from '../http/html.js';
import { packageRoot } from '../paths.js';
import { keyedHash } from '../crypto/hash.js';

export interface HostedDeps {
  sessions: SessionService;
  cases: Pick<CaseService, 'admitUpload' | 'receiveUpload'>;
  currentSession: (ctx: Koa.Context) => Promise<{ accountId: string; sessionId: string } | undefined>;
  branding: (tenantId: string) => Promise<Branding>;
  logo: (tenantId: string) => Promise<{ bytes: Buffer; type: string } | undefined>;
  /** The tenant's first-party sign-in client for this flow (created on first use). */
  signInClient: (tenantId: string, redirectUri: string) => Promise<string>;
  /** The sign-in interaction's person and tenant (step-up), or undefined when it is unknown or has none. */
  interaction: (uid: string) => Promise<{ accountId: string; tenantId: string; uiLocales?: string; livemode: boolean } | undefined>;
  publicUrl: string;
  csrfKey: Buffer;
  secureCookies: boolean;
}

/** The base stylesheet each tenant's accent colour is appended to (read once: it ships with the server). */
const BASE_CSS = fs.readFileSync(path.join(packageRoot, 'public/styles.css'), 'utf8');

const cookieName = (id: string) => `kpvs_${id}`;
const CAPTURE_KINDS = ['document', 'document_back', 'selfie', 'liveness'] as const;
const chooseForm = z.object({ csrf: z.string(), document_type: z.enum(['passport', 'id_card']), country: z.string().trim().regex(/^[A-Za-z]{3}$/) });
const FINAL_PAGES = ['verified', 'rejected', 'manual_review', 'expired', 'canceled'] as const;

export function hostedRoutes(d: HostedDeps): Router {
  const router = new Router({ prefix: '/verify' });
  const csrfFor = (row: SessionRow, secret: string) => keyedHash(d.csrfKey, `verify:${row.id}:${secret}`);

  /** `livemode` false: a test-mode session, whose every page carries the test mode banner. */
  async function pageCtx(ctx: Koa.Context, tenantId: string, sessionLocale?: string | null, livemode = true): Promise<PageCtx> {
    const locale = pickLocale(typeof ctx.query.ui_locales === 'string' ? ctx.query.ui_locales : undefined, sessionLocale, ctx.get('Accept-Language'));
    const nonce = ctx.state.nonce as string;
    return { t: translator(locale), locale, nonce, brand: { ...(await d.branding(tenantId)), tenantId }, testMode: !livemode };
  }

  function headers(ctx: Koa.Context, formTargets: string[] = []) {
    const nonce = ctx.state.nonce as string;
    ctx.set(
      'Content-Security-Policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; form-action 'self'${formTargets.map((o) => ` ${o}`).join('')}; frame-ancestors 'none'; base-uri 'none'`,
    );
    ctx.set('Permissions-Policy', 'camera=(self), microphone=(), geolocation=()');
    ctx.set('Cache-Control', 'no-store');
  }

  const send = (ctx: Koa.Context, body: string, status = 200, row?: SessionRow) => {
    headers(ctx, row ? [new URL(row.redirect_uri).origin] : []);
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = body;
  };

  // Every response gets a fresh nonce; errors are pages (in the person's language when the session is known).
  router.use(async (ctx, next) => {
    ctx.state.nonce = crypto.randomBytes(16).toString('base64');
    try {
      await next();
    } catch (err) {
      const e = toApiError(err);
      const tenantId = (ctx.state.row as SessionRow | undefined)?.tenant_id;
      if (!tenantId) {
        if (e.status >= 500) throw err;
        headers(ctx);
        ctx.status = e.status;
        ctx.type = 'html';
        ctx.body = errorPage(e);
        return;
      }
      const p = await pageCtx(ctx, tenantId, (ctx.state.row as SessionRow).locale, (ctx.state.row as SessionRow).livemode);
      send(ctx, layout(p, p.t('error.title'), html`<div class="notice error" role="alert">${e.message}</div><p class="actions"><a class="button" href="/verify/s/${(ctx.state.row as SessionRow).id}">${p.t('error.try_again')}</a></p>`), e.status);
    }
  });

  /** The session this browser opened, or a page saying to use the browser that opened the link. */
  async function bound(ctx: Koa.Context, id: string): Promise<{ row: SessionRow; secret: string } | undefined> {
    const secret = ctx.cookies.get(cookieName(id));
    const row = await d.sessions.forBrowser(id, secret);
    if (!row) {
      const any = /^vs_[\w-]+$/.test(id) ? await d.sessions.byId(id) : undefined;
      if (!any) throw new NotFoundError('Verification');
      send(ctx, message(await pageCtx(ctx, any.tenant_id, any.locale, any.livemode), 'browser.other.title', 'browser.other.body'), 403);
      return undefined;
    }
    ctx.state.row = row;
    return { row, secret: secret! };
  }

  router.get('/l/:token', async (ctx) => {
    const r = await d.sessions.openLink(ctx.params.token ?? '');
    if ('browserSecret' in r) {
      ctx.cookies.set(cookieName(r.row.id), r.browserSecret, { httpOnly: true, sameSite: 'lax', path: '/verify', secure: d.secureCookies, expires: r.row.expires_at, overwrite: true });
      ctx.redirect(`/verify/s/${r.row.id}`);
      return;
    }
    // The same browser opening its link again (a closed tab) resumes where it stopped.
    if (r.row && r.problem === 'used' && (await d.sessions.forBrowser(r.row.id, ctx.cookies.get(cookieName(r.row.id))))) {
      ctx.redirect(`/verify/s/${r.row.id}`);
      return;
    }
    if (!r.row) {
      const locale = pickLocale(undefined, undefined, ctx.get('Accept-Language'));
      const t = translator(locale);
      headers(ctx);
      ctx.status = 404;
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${t('link.unknown.title')}</title><link rel="stylesheet" href="/static/styles.css"></head><body><main class="shell"><section class="card"><h1>${t('link.unknown.title')}</h1><p>${t('link.unknown.body')}</p></section></main></body></html>`;
      return;
    }
    const p = await pageCtx(ctx, r.row.tenant_id, r.row.locale, r.row.livemode);
    const key = r.problem === 'finished' ? 'used' : r.problem === 'unknown' ? 'expired' : r.problem;
    send(ctx, message(p, `link.${key}.title`, `link.${key}.body`), 410);
  });

  router.get('/s/:id', async (ctx) => {
    const b = await bound(ctx, ctx.params.id ?? '');
    if (!b) return;
    await showStep(ctx, b.row, b.secret);
  });

  async function showStep(ctx: Koa.Context, row: SessionRow, secret: string, error?: { step: Step; message: string; status: number; country?: string }) {
    const p = await pageCtx(ctx, row.tenant_id, row.locale, row.livemode);
    const step = error?.step ?? nextStep(row);
    const csrf = csrfFor(row, secret);
    const retake = row.status === 'resubmission_requested' && row.reasons?.length ? retakeNotice(p, row.reasons) : undefined;
    const status = error?.status ?? 200;
    if (step === 'sign_in') return send(ctx, signInPage(p, row.id), status, row);
    if (step === 'choose') return send(ctx, choosePage(p, row.id, csrf, { type: row.document_type ?? undefined, country: error?.country ?? row.issuing_country ?? undefined, error: error?.message, retake }), status, row);
    if (step === 'processing') return send(ctx, processingPage(p, row.id), status, row);
    if (step === 'result') return send(ctx, resultPage(p, (FINAL_PAGES as readonly string[]).includes(row.status) ? (row.status as (typeof FINAL_PAGES)[number]) : 'rejected', `/verify/s/${row.id}/continue`), status, row);
    if (step === 'submit') {
      await submit(row.id);
      ctx.redirect(`/verify/s/${row.id}`);
      return;
    }
    const kind = step;
    const challenge = kind === 'liveness' ? (await d.sessions.challenge(row)).challenge : undefined;
    send(ctx, capturePage(p, row.id, csrf, { kind, idCard: row.document_type === 'id_card', challenge, error: error?.message, retake }), status, row);
  }

  /** Every capture is in: the attempt goes to the case; deciding runs on while the processing page polls. */
  async function submit(id: string) {
    await d.sessions.submitStaged(id).catch(async (err: unknown) => {
      // The case refused the photos (e.g. the document could not be read at all): they are taken again.
      await d.sessions.clearStaged(id);
      throw err;
    });
    // The outcome lands in the session (onCaseOutcome); a failure puts it back to capture and is logged there.
    void d.sessions.processSubmitted(id).catch(() => undefined);
  }

  router.get('/s/:id/sign-in', async (ctx) => {
    const b = await bound(ctx, ctx.params.id ?? '');
    if (!b) return;
    const redirectUri = new URL('/verify/signed-in', d.publicUrl).toString();
    const clientId = await d.signInClient(b.row.tenant_id, redirectUri);
    const verifier = crypto.randomBytes(32).toString('base64url');
    const q = new URLSearchParams({
      client_id: clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid kyc',
      state: b.row.id,
      code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...(b.row.locale ? { ui_locales: b.row.locale } : {}),
    });
    ctx.redirect(`/api/oidc/auth?${q.toString()}`);
  });

  router.get('/signed-in', async (ctx) => {
    const b = await bound(ctx, typeof ctx.query.state === 'string' ? ctx.query.state : '');
    if (!b) return;
    const who = await d.currentSession(ctx);
    if (!who || ctx.query.error) {
      const p = await pageCtx(ctx, b.row.tenant_id, b.row.locale, b.row.livemode);
      return send(ctx, layout(p, p.t('error.title'), html`<p>${p.t('error.sign_in_failed')}</p><p class="actions"><a class="button primary" href="/verify/s/${b.row.id}/sign-in">${p.t('error.try_again')}</a></p>`), 400, b.row);
    }
    try {
      await d.sessions.start(b.row.id, who.accountId);
    } catch (err) {
      if (toApiError(err).status !== 403) throw err;
      const p = await pageCtx(ctx, b.row.tenant_id, b.row.locale, b.row.livemode);
      return send(ctx, message(p, 'error.title', 'error.wrong_person'), 403, b.row);
    }
    ctx.redirect(`/verify/s/${b.row.id}`);
  });

  const checkCsrf = (row: SessionRow, secret: string, given: unknown) =>
    checkFormToken(csrfFor(row, secret), given, 'This form has expired or was not sent from this page. Go back and try again.');

  router.post('/s/:id/choose', formBody(), async (ctx) => {
    const b = await bound(ctx, ctx.params.id ?? '');
    if (!b) return;
    const body = ctx.request.body as Record<string, unknown>;
    checkCsrf(b.row, b.secret, body.csrf);
    const f = chooseForm.safeParse(body);
    if (!f.success) {
      const p = await pageCtx(ctx, b.row.tenant_id, b.row.locale, b.row.livemode);
      return showStep(ctx, b.row, b.secret, { step: 'choose', message: p.t('choose.country_invalid'), status: 400, country: typeof body.country === 'string' ? body.country : undefined });
    }
    await d.sessions.choose(b.row.id, { documentType: f.data.document_type, country: f.data.country.toUpperCase() });
    ctx.redirect(`/verify/s/${b.row.id}`);
  });

  router.post('/s/:id/capture/:kind', async (ctx) => {
    const b = await bound(ctx, ctx.params.id ?? '');
    if (!b) return;
    const kind = ctx.params.kind as CaptureKind;
    const field = CAPTURE_KINDS.includes(kind) ? stageField(kind) : undefined;
    if (!field) throw new ApiError(404, 'not_found', 'No such step.');
    const admission = d.cases.admitUpload(b.row.tenant_id, ctx.req);
    try {
      const body = await d.cases.receiveUpload(ctx.req, { fileFields: [field], textFields: ['csrf'] });
      checkCsrf(b.row, b.secret, body.fields.get('csrf'));
      await d.sessions.stage(b.row.id, field, body.files.get(field) ?? []);
      const row = await d.sessions.byId(b.row.id);
      if (row && nextStep(row) === 'submit') await submit(row.id);
    } catch (err) {
      // Refused before the whole body arrived: don't let Node drain an arbitrarily large rest of it.
      lingerThenClose(ctx.req);
      const e = toApiError(err);
      if (e.status === 403 || e.status >= 500) throw err;
      // The API's own message (too big, wrong type, unreadable), on the step's page, tied to its field.
      return showStep(ctx, b.row, b.secret, { step: kind, message: e.message, status: e.status });
    } finally {
      admission.release();
    }
    ctx.redirect(`/verify/s/${b.row.id}`);
  });

  // Step-up from a sign-in. The GET only explains (what is checked, what the tenant will see); the session starts
  // on the POST, so the tenant learns of the person only once they chose to verify for it.
  async function stepUp(ctx: Koa.Context, uid: string) {
    const level = z.enum(['t1', 't2', 't3']).safeParse(ctx.query.level);
    const found = /^[\w-]{1,100}$/.test(uid) ? await d.interaction(uid) : undefined;
    const who = await d.currentSession(ctx);
    // The browser must be signed in as the interaction's person (the interaction's own cookie is path-bound).
    if (!level.success || !found || !who || who.accountId !== found.accountId) {
      throw new ApiError(400, 'invalid_step_up', 'This sign-in step is no longer valid. Go back to the application and sign in again.');
    }
    const csrf = keyedHash(d.csrfKey, `verify-step-up:${uid}:${who.sessionId}`);
    return { uid, level: level.data, found, csrf };
  }

  router.get('/step-up/:uid', async (ctx) => {
    const s = await stepUp(ctx, ctx.params.uid ?? '');
    headers(ctx);
    ctx.type = 'html';
    ctx.body = stepUpPage(await pageCtx(ctx, s.found.tenantId, s.found.uiLocales, s.found.livemode), { uid: s.uid, level: s.level, csrf: s.csrf });
  });

  router.post('/step-up/:uid', formBody(), async (ctx) => {
    const s = await stepUp(ctx, ctx.params.uid ?? '');
    checkFormToken(s.csrf, (ctx.request.body as Record<string, unknown>).csrf);
    const locale = pickLocale(s.found.uiLocales, undefined, ctx.get('Accept-Language'));
    const { row, browserSecret } = await d.sessions.openForPerson({
      tenantId: s.found.tenantId,
      personId: s.found.accountId,
      level: s.level,
      returnTo: new URL(`/interaction/${s.uid}/stepped-up`, d.publicUrl).toString(),
      locale,
      livemode: s.found.livemode,
    });
    ctx.cookies.set(cookieName(row.id), browserSecret, { httpOnly: true, sameSite: 'lax', path: '/verify', secure: d.secureCookies, expires: row.expires_at, overwrite: true });
    ctx.status = 303;
    ctx.redirect(`/verify/s/${row.id}`);
  });

  router.get('/s/:id/state.json', async (ctx) => {
    const b = await bound(ctx, ctx.params.id ?? '');
    if (!b) return;
    const step = nextStep(b.row);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: b.row.status, done: step !== 'processing', next: `/verify/s/${b.row.id}` };
  });

  router.get('/s/:id/continue', async (ctx) => {
    const b = await bound(ctx, ctx.params.id ?? '');
    if (!b) return;
    if (b.row.return_to) return ctx.redirect(b.row.return_to);
    const target = new URL(b.row.redirect_uri);
    target.searchParams.set('session_id', b.row.id);
    target.searchParams.set('status', b.row.status);
    ctx.redirect(target.toString());
  });

  router.get('/t/:tenant/style.css', async (ctx) => {
    const brand = await d.branding(ctx.params.tenant ?? '').catch(() => undefined);
    if (!brand) return;
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = `${BASE_CSS}\n${brand.accentColor ? `:root { --brand:${brand.accentColor}; }\n` : ''}`;
  });

  router.get('/t/:tenant/logo', async (ctx) => {
    const logo = await d.logo(ctx.params.tenant ?? '');
    if (!logo) return;
    ctx.type = logo.type;
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = logo.bytes;
  });

  return router;
}
