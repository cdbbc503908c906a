// The hosted verification pages: one layout (tenant branding, one stylesheet, one nonce'd module script, the
// client script's strings as JSON) and one small function per step. Every visible string comes from the catalogue.
import { html, Html } from '../http/html.js';
import type { Branding } from '../tenants/branding.js';
import { clientMessages, type Locale, type MessageKey, type Translate } from './messages/index.js';

export interface PageCtx {
  t: Translate;
  locale: Locale;
  nonce: string;
  brand: Branding & { tenantId: string };
  /** A test-mode session (made with a kp_test_ key): every page says so. */
  testMode?: boolean;
}

const json = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/** `refreshS`: without JavaScript the page reloads itself this often (the script polls instead). */
export function layout(p: PageCtx, title: string, body: Html, refreshS?: number): string {
  const b = p.brand;
  return html`<!doctype html>
<html lang="${p.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · ${b.name}</title>
<link rel="stylesheet" href="/verify/t/${b.tenantId}/style.css">
<script type="application/json" id="kp-messages">${new Html(json(clientMessages(p.locale)))}</script>
<script type="module" src="/assets/hosted/verify.js" nonce="${p.nonce}"></script>
${refreshS ? html`<noscript><meta http-equiv="refresh" content="${String(refreshS)}"></noscript>` : ''}
</head>
<body>
<main class="shell">
  <header class="brand">${b.hasLogo ? html`<img src="/verify/t/${b.tenantId}/logo" alt="" height="32">` : ''}<span>${b.name}</span></header>
  ${p.testMode ? html`<p class="test-banner" role="note"><strong>${p.t('page.test_mode')}</strong> ${p.t('page.test_mode_body')}</p>` : ''}
  <section class="card">
    <p class="subtitle">${p.t('page.title')}</p>
    <h1>${title}</h1>
    ${body}
  </section>
  <footer class="foot">${p.t('page.footer')}</footer>
</main>
</body>
</html>`.value;
}

export const message = (p: PageCtx, titleKey: MessageKey, bodyKey: MessageKey, onward?: { href: string; text: string }) =>
  layout(p, p.t(titleKey), html`<p>${p.t(bodyKey, { tenant: p.brand.name })}</p>${onward ? html`<p class="actions"><a class="button" href="${onward.href}">${onward.text}</a></p>` : ''}`);

export function signInPage(p: PageCtx, id: string): string {
  return layout(
    p,
    p.t('sign_in.title'),
    html`<p>${p.t('sign_in.body', { tenant: p.brand.name })}</p><p class="actions"><a class="button primary" href="/verify/s/${id}/sign-in">${p.t('sign_in.button')}</a></p>`,
  );
}

/** Step-up inside a sign-in: what the verification is and what the tenant will see, before anything starts. */
export function stepUpPage(p: PageCtx, v: { uid: string; level: string; csrf: string }): string {
  const tenant = p.brand.name;
  return layout(
    p,
    p.t('step_up.title', { tenant }),
    html`<p>${p.t('step_up.body', { tenant, level: v.level.toUpperCase(), face: v.level === 't1' ? '' : p.t('step_up.face') })}</p>
<p>${p.t('step_up.shares', { tenant })}</p>
<form method="post" action="/verify/step-up/${v.uid}?level=${v.level}" class="actions">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <button type="submit" class="primary">${p.t('step_up.continue')}</button>
  <a class="button" href="/interaction/${v.uid}/stepped-up">${p.t('step_up.not_now')}</a>
</form>`,
  );
}

const ERROR_ID = 'field-error';
const errorBox = (error?: string) => (error ? html`<div class="notice error" id="${ERROR_ID}" role="alert">${error}</div>` : '');
/** The capture input is described by the step's hint, and by the error box when there is one. */
const described = (error?: string) => new Html(error ? ` aria-invalid="true" aria-describedby="${ERROR_ID} hint"` : ' aria-describedby="hint"');

export function choosePage(p: PageCtx, id: string, csrf: string, v: { type?: string; country?: string; error?: string; retake?: Html }): string {
  const radio = (value: 'passport' | 'id_card') =>
    html`<label class="choice"><input type="radio" name="document_type" value="${value}" required${v.type === value ? new Html(' checked') : ''}> ${p.t(`choose.${value}`)}</label>`;
  return layout(
    p,
    p.t('choose.title'),
    html`${v.retake ?? ''}<form method="post" action="/verify/s/${id}/choose" class="form">
<input type="hidden" name="csrf" value="${csrf}">
<fieldset><legend>${p.t('choose.type')}</legend>${radio('passport')}${radio('id_card')}</fieldset>
<label for="country">${p.t('choose.country')} <small id="country-hint">${p.t('choose.country_hint')}</small></label>
${errorBox(v.error)}
<input type="text" id="country" name="country" value="${v.country ?? ''}" required maxlength="3" autocomplete="country" aria-describedby="country-hint${v.error ? ` ${ERROR_ID}` : ''}"${new Html(v.error ? ' aria-invalid="true"' : '')}>
<button type="submit" class="primary">${p.t('choose.continue')}</button>
</form>`,
  );
}

export type CaptureKind = 'document' | 'document_back' | 'selfie' | 'liveness';

export function capturePage(p: PageCtx, id: string, csrf: string, v: { kind: CaptureKind; idCard: boolean; challenge?: string[]; error?: string; retake?: Html }): string {
  const titleKey = `capture.${v.kind}.title` as MessageKey;
  const hint = v.kind === 'document' && v.idCard ? p.t('capture.document.hint_id') : v.kind === 'liveness'
    ? p.t('capture.liveness.hint', { steps: (v.challenge ?? []).map((s) => p.t(`client.liveness.${s}` as MessageKey)).join(' ') })
    : p.t(`capture.${v.kind}.hint` as MessageKey);
  const field = v.kind === 'liveness' ? 'frames' : v.kind;
  const challenge = v.challenge ? new Html(` data-challenge="${html`${json(v.challenge)}`.value}"`) : '';
  const body = html`${v.retake ?? ''}<p id="hint">${hint}</p>
<form method="post" action="/verify/s/${id}/capture/${v.kind}" enctype="multipart/form-data" class="form" data-capture="${v.kind}"${challenge}>
<input type="hidden" name="csrf" value="${csrf}">
<label for="file">${p.t(v.kind === 'liveness' ? 'capture.frames_label' : 'capture.file_label')}</label>
${errorBox(v.error)}
<input type="file" id="file" name="${field}" accept="image/jpeg,image/png" required${new Html(v.kind === 'liveness' ? ' multiple' : '')}${v.kind === 'selfie' ? new Html(' capture="user"') : v.kind === 'liveness' ? '' : new Html(' capture="environment"')}${described(v.error)}>
<button type="submit" class="primary">${p.t('capture.upload')}</button>
</form>`;
  return layout(p, p.t(titleKey), body);
}

/** What to fix, in plain words, when a resubmission was requested. */
export function retakeNotice(p: PageCtx, codes: readonly string[]): Html {
  const items = codes.map((c) => html`<li>${p.t(`retake.${c}` as MessageKey)}</li>`);
  return html`<div class="notice error" role="alert"><p>${p.t('capture.retake_intro')}</p><ul>${items}</ul></div>`;
}

export function processingPage(p: PageCtx, id: string): string {
  return layout(
    p,
    p.t('processing.title'),
    html`<div id="progress" aria-live="polite" data-poll="/verify/s/${id}/state.json"><p>${p.t('processing.body')}</p></div>
<p class="actions"><a class="button" href="/verify/s/${id}">${p.t('processing.refresh')}</a></p>`,
    5,
  );
}

export function resultPage(p: PageCtx, status: 'verified' | 'rejected' | 'manual_review' | 'expired' | 'canceled', continueHref: string): string {
  return layout(
    p,
    p.t(`result.${status}.title`),
    html`<p>${p.t(`result.${status}.body`, { tenant: p.brand.name })}</p>
<p class="actions"><a class="button primary" href="${continueHref}">${p.t('result.continue', { tenant: p.brand.name })}</a></p>`,
  );
}
