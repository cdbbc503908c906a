// Server-rendered hosted pages: sign-in, sign-up, forgotten password, consent, errors, logout.
import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { Html, html, invalidIf, messagePage, notice, page, unavailablePage } from '../../http/html.js';

/**
 * What a tenant will see, in plain words, from the claims a sign-in releases (scopes plus claims asked for by
 * name). Never a scope code: the person decides on what is shared, not on protocol names.
 */
export function sharedItems(claims: ReadonlySet<string>, scopes: ReadonlySet<string>): string[] {
  const items = ['A private identifier for you that only this service gets (not your email or your name)'];
  if (claims.has('kyc_status')) items.push('Whether your identity is verified (your verification status)');
  if (claims.has('kyc_tier') || claims.has('acr')) items.push('Your verification level (tier t0 to t3)');
  if (claims.has('aml_clear')) items.push('Your anti-money-laundering screening result: clear or not');
  if (claims.has('kyc_status')) items.push('When your verification expires');
  if (claims.has('email')) items.push('Your email address');
  if (claims.has('name')) items.push('Your name');
  if (claims.has('verified_claims')) items.push('Your names, date of birth and nationality as your verified identity document shows them, with how and when they were verified');
  if (scopes.has('offline_access')) items.push('Staying connected while you are not using it');
  return items;
}

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

export function consentPage(v: { uid: string; csrf: string; clientName: string; tenantName: string; items: string[]; identity: boolean; email: string }): string {
  return page(
    `Share with ${v.tenantName}?`,
    html`<p><strong>${v.tenantName}</strong>${v.clientName === v.tenantName ? '' : html` (${v.clientName})`} will see:</p>
<ul class="scopes">${v.items.map((s) => html`<li>${s}</li>`)}</ul>
${v.identity ? html`<p class="muted">Never your documents, photos or face data: those stay with KYCPort.</p>` : ''}
<p class="muted">Signed in as ${v.email}. You can withdraw this access at any time.</p>
<form method="post" action="/interaction/${v.uid}/confirm" class="actions">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <button type="submit" class="primary">Allow</button>
  <a class="button" href="/interaction/${v.uid}/abort">Deny</a>
</form>`,
  );
}

const STATUS_TEXT: Record<string, string> = {
  unverified: 'Your identity is not verified yet.',
  pending: 'Your verification is still being checked.',
  rejected: 'Your verification was not successful.',
  expired: 'Your verification has expired.',
  verified: 'Your identity is verified, at a lower level than this service asks for.',
};

/**
 * Back from /verify/step-up without the tier the service asked for: try again, or go on without it. With a
 * voluntary request (acr_values) the service gets the tier held and may refuse; an essential one cannot go on.
 */
export function stepUpPage(v: { uid: string; csrf: string; clientName: string; level: string; status: string; essential: boolean }): string {
  const onward = v.essential
    ? html`<p>${v.clientName} requires this level: without it, you cannot sign in there now.</p>`
    : html`<p>You can continue without verifying. ${v.clientName} will be told your current level and may refuse to let you in, or ask you to verify later.</p>`;
  return page(
    'Verify your identity',
    html`<p role="status">${v.clientName} asks for a verified identity at level ${v.level}. ${STATUS_TEXT[v.status] ?? ''}</p>
${onward}
<form method="post" action="/interaction/${v.uid}/without-verifying" class="actions">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <a class="button primary" href="/verify/step-up/${v.uid}?level=${v.level}">Verify now</a>
  <button type="submit">${v.essential ? `Return to ${v.clientName}` : 'Continue without verifying'}</button>
</form>
<p class="alt"><a href="/interaction/${v.uid}/abort">Cancel and return to ${v.clientName}</a></p>`,
    { subtitle: `to continue to ${v.clientName}` },
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
