// Server-rendered hosted pages: sign-in, sign-up, forgotten password, consent, errors, logout.
import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { Html, html, invalidIf, messagePage, notice, page, unavailablePage } from '../../http/html.js';

export const SCOPE_TEXT: Record<string, string> = {
  openid: 'Confirm who you are (a private identifier for this service only)',
  email: 'Your email address',
  profile: 'Your name',
  kyc: 'Your identity-verification status and level (never your documents or photos)',
  offline_access: 'Stay connected when you are not using it (refresh access)',
};

export function loginPage(v: { uid: string; csrf: string; clientName: string; email?: string; error?: string; info?: string }): string {
  return page(
    'Sign in',
    html`${notice(v.error)}${notice(v.info, 'info')}
<form method="post" action="/interaction/${v.uid}/login" class="form" autocomplete="on">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <label>Email<input type="email" name="email" value="${v.email ?? ''}"${invalidIf(v.error)} required autofocus autocomplete="username"></label>
  <label>Password<input type="password" name="password"${invalidIf(v.error)} required autocomplete="current-password"></label>
  <button type="submit" class="primary">Sign in</button>
</form>
<p class="alt"><a href="/interaction/${v.uid}/forgot">Forgot your password?</a></p>
<p class="alt">New to KYCPort? <a href="/interaction/${v.uid}/signup">Create an account</a></p>
<p class="alt"><a href="/interaction/${v.uid}/abort">Cancel and return to ${v.clientName}</a></p>`,
    { subtitle: `to continue to ${v.clientName}` },
  );
}

/** The second step of a sign-in with two-step on; `note` carries the passed password step (second-step.ts). */
export function codePage(v: { uid: string; csrf: string; note: string; clientName: string; error?: string }): string {
  return page(
    'Enter your code',
    html`${notice(v.error)}
<form method="post" action="/interaction/${v.uid}/code" class="form">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <input type="hidden" name="note" value="${v.note}">
  <label>Enter the 6-digit code from your authenticator app<input type="text" name="code"${invalidIf(v.error)} required autofocus autocomplete="one-time-code" maxlength="64"></label>
  <button type="submit" class="primary">Continue</button>
</form>
<p class="muted">Lost your device? Enter one of your recovery codes instead; each works once.</p>
<p class="alt"><a href="/interaction/${v.uid}/abort">Cancel and return to ${v.clientName}</a></p>`,
    { subtitle: `to continue to ${v.clientName}` },
  );
}

/** Sign-up asks only for the address: the password is chosen on the page the emailed link opens. */
export function signupPage(v: { uid: string; csrf: string; clientName: string; email?: string; error?: string }): string {
  return page(
    'Create your account',
    html`${notice(v.error)}
<p>Enter your email address. We will send you a link to choose your password.</p>
<form method="post" action="/interaction/${v.uid}/signup" class="form">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <label>Email<input type="email" name="email" value="${v.email ?? ''}"${invalidIf(v.error)} required autofocus autocomplete="email"></label>
  <button type="submit" class="primary">Send me the link</button>
</form>
<p class="alt">Already have an account? <a href="/interaction/${v.uid}">Sign in</a></p>`,
    { subtitle: `to continue to ${v.clientName}` },
  );
}

/**
 * What every sign-up (new address or not) and every reset request answers: the same page whatever the address,
 * so it tells nothing about who has an account. `again` re-posts the same form (resend, rate-limited); `info`
 * confirms a resend.
 */
export function checkMailPage(v: { uid: string; csrf: string; clientName: string; email: string; again: 'signup' | 'forgot'; info?: string }): string {
  const what = v.again === 'signup' ? 'to finish creating your account' : 'to choose a new password';
  return page(
    'Check your mail',
    html`${notice(v.info, 'info')}
<p role="status">We sent a message to <strong>${v.email}</strong>. Open the link in it ${what}, then come back here to sign in.</p>
<p class="muted">Nothing there after a few minutes? Check your spam folder, or send it again.</p>
<form method="post" action="/interaction/${v.uid}/${v.again}" class="actions">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <input type="hidden" name="email" value="${v.email}">
  <input type="hidden" name="resend" value="1">
  <button type="submit">Send the link again</button>
</form>
<p class="alt"><a href="/interaction/${v.uid}">Back to sign in</a></p>`,
    { subtitle: `to continue to ${v.clientName}` },
  );
}

export function forgotPage(v: { uid: string; csrf: string; clientName: string; email?: string; error?: string }): string {
  return page(
    'Forgot your password?',
    html`${notice(v.error)}
<p>Enter the email address of your account. We will send you a link to choose a new password.</p>
<form method="post" action="/interaction/${v.uid}/forgot" class="form">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <label>Email<input type="email" name="email" value="${v.email ?? ''}"${invalidIf(v.error)} required autofocus autocomplete="email"></label>
  <button type="submit" class="primary">Send me the link</button>
</form>
<p class="alt"><a href="/interaction/${v.uid}">Back to sign in</a></p>`,
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
