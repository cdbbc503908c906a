// Server-rendered hosted pages: sign-in, sign-up, consent, errors, logout.
import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { Html, html, messagePage, page, unavailablePage } from '../../http/html.js';

export { messagePage, unavailablePage };

export const SCOPE_TEXT: Record<string, string> = {
  openid: 'Confirm who you are (a private identifier for this service only)',
  email: 'Your email address',
  profile: 'Your name',
  kyc: 'Your identity-verification status and level (never your documents or photos)',
  offline_access: 'Stay connected when you are not using it (refresh access)',
};

function notice(message: string | undefined, kind: 'error' | 'info' = 'error'): Html | string {
  return message ? html`<div class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</div>` : '';
}

export function loginPage(v: { uid: string; csrf: string; clientName: string; email?: string; error?: string; info?: string }): string {
  return page(
    'Sign in',
    html`${notice(v.error)}${notice(v.info, 'info')}
<form method="post" action="/interaction/${v.uid}/login" class="form" autocomplete="on">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <label>Email<input type="email" name="email" value="${v.email ?? ''}" required autofocus autocomplete="username"></label>
  <label>Password<input type="password" name="password" required autocomplete="current-password"></label>
  <button type="submit" class="primary">Sign in</button>
</form>
<p class="alt">New to KYCPort? <a href="/interaction/${v.uid}/signup">Create an account</a></p>
<p class="alt"><a href="/interaction/${v.uid}/abort">Cancel and return to ${v.clientName}</a></p>`,
    { subtitle: `to continue to ${v.clientName}` },
  );
}

export function signupPage(v: { uid: string; csrf: string; clientName: string; email?: string; error?: string; minLength: number }): string {
  return page(
    'Create your account',
    html`${notice(v.error)}
<form method="post" action="/interaction/${v.uid}/signup" class="form">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <label>Email<input type="email" name="email" value="${v.email ?? ''}" required autofocus autocomplete="email"></label>
  <label>Password <small>(at least ${v.minLength} characters)</small>
    <input type="password" name="password" required minlength="${v.minLength}" autocomplete="new-password"></label>
  <button type="submit" class="primary">Create account</button>
</form>
<p class="alt">Already have an account? <a href="/interaction/${v.uid}">Sign in</a></p>`,
    { subtitle: `to continue to ${v.clientName}` },
  );
}

export function consentPage(v: { uid: string; csrf: string; clientName: string; tenantName: string; scopes: string[]; email: string }): string {
  return page(
    `Share with ${v.tenantName}?`,
    html`<p><strong>${v.tenantName}</strong>${v.clientName === v.tenantName ? '' : html` (${v.clientName})`} asks to access:</p>
<ul class="scopes">${v.scopes.map((s) => html`<li><code>${s}</code> ${SCOPE_TEXT[s] ?? s}</li>`)}</ul>
<p class="muted">Signed in as ${v.email}. You can withdraw this access at any time.</p>
<form method="post" action="/interaction/${v.uid}/confirm" class="actions">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <button type="submit" class="primary">Allow</button>
  <a class="button" href="/interaction/${v.uid}/abort">Deny</a>
</form>`,
  );
}

export function renderError(ctx: KoaContextWithOIDC, out: ErrorOut): void {
  ctx.type = 'html';
  if (out.error === 'temporarily_unavailable') {
    ctx.body = unavailablePage();
    return;
  }
  ctx.body = page(
    'Something went wrong',
    html`<p>The sign-in request could not be completed.</p>
<div class="notice error"><code>${out.error}</code> ${out.error_description ?? ''}</div>
<p class="muted">Return to the application and try again.</p>`,
  );
}

export function renderLogout(ctx: KoaContextWithOIDC, form: string): void {
  ctx.type = 'html';
  // `form` is oidc-provider's own hidden form (with its CSRF token); the buttons submit it.
  ctx.body = page(
    'Sign out?',
    html`${new Html(form)}<p>Do you want to sign out of KYCPort?</p>
<div class="actions">
  <button type="submit" form="op.logoutForm" name="logout" value="yes" class="primary">Sign out</button>
  <button type="submit" form="op.logoutForm">Stay signed in</button>
</div>`,
  );
}

export function renderLogoutSuccess(ctx: KoaContextWithOIDC): void {
  ctx.type = 'html';
  ctx.body = messagePage('Signed out', 'You have been signed out of KYCPort.');
}
