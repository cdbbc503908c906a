// Pages the emailed links open (finish sign-up, reset password) and the signed-in account page with its two-step
// sign-in forms.
import { Html, html, invalidIf, notice, page } from '../http/html.js';
import { qrSvg } from './qr.js';
import { MIN_PASSWORD_LENGTH } from './service.js';
import type { Enrolment } from './two-step.js';

const newPassword = (label: string, error?: string) => html`<label>${label} <small>(at least ${MIN_PASSWORD_LENGTH} characters)</small>
    <input type="password" name="password"${invalidIf(error)} required minlength="${MIN_PASSWORD_LENGTH}" maxlength="1024" autocomplete="new-password"></label>`;

/**
 * "Choose your password", behind a sign-up or reset link. The token travels in the form, not a cookie, so the
 * link works in any browser; the hidden username lets password managers save the right account.
 */
export function choosePasswordPage(v: { action: '/verify-email' | '/password/reset'; token: string; email: string; error?: string }): string {
  const signup = v.action === '/verify-email';
  return page(
    signup ? 'Choose your password' : 'Choose a new password',
    html`${notice(v.error)}
<form method="post" action="${v.action}" class="form">
  <input type="hidden" name="token" value="${v.token}">
  <input type="text" name="username" value="${v.email}" autocomplete="username" hidden readonly>
  ${newPassword(signup ? 'Password' : 'New password', v.error)}
  <button type="submit" class="primary">${signup ? 'Create my account' : 'Change my password'}</button>
</form>`,
    { subtitle: signup ? `for your new account, ${v.email}` : `for ${v.email}. This signs you out everywhere.` },
  );
}

/** Where the account page's two-step section stands: off, or on with this many unused recovery codes. */
export type TwoStepState = { on: false } | { on: true; recoveryCodesLeft: number };

const currentPassword = (label = 'Current password', error?: string) =>
  html`<label>${label}<input type="password" name="current"${invalidIf(error)} required maxlength="1024" autocomplete="current-password"></label>`;

/** A message on /account; `form` names the form (its action under /account/) whose fields the error is about. */
export interface AccountMessages {
  error?: string;
  form?: 'password' | 'two-step' | 'two-step/off' | 'two-step/recovery-codes' | 'delete' | 'access';
  info?: string;
}

function twoStepSection(v: { email: string; csrf: string; twoStep: TwoStepState } & AccountMessages): Html {
  const errorIn = (form: AccountMessages['form']) => (v.form === form ? v.error : undefined);
  const hidden = html`<input type="hidden" name="csrf" value="${v.csrf}">
  <input type="text" name="username" value="${v.email}" autocomplete="username" hidden readonly>`;
  if (!v.twoStep.on) {
    return html`<h2>Two-step sign-in is off</h2>
<p>With it on, signing in also needs a code from an authenticator app on your phone.</p>
<form method="post" action="/account/two-step" class="form">
  ${hidden}
  ${currentPassword('Your password', errorIn('two-step'))}
  <button type="submit" class="primary">Turn on two-step sign-in</button>
</form>`;
  }
  const passwordAndCode = (form: AccountMessages['form']) => html`${hidden}
  ${currentPassword('Your password', errorIn(form))}
  <label>Code from your authenticator app (or a recovery code)<input type="text" name="code"${invalidIf(errorIn(form))} required maxlength="64" autocomplete="one-time-code"></label>`;
  return html`<h2>Two-step sign-in is on</h2>
<p>Signing in needs a code from your authenticator app. You have ${v.twoStep.recoveryCodesLeft} unused recovery code${v.twoStep.recoveryCodesLeft === 1 ? '' : 's'}.</p>
<form method="post" action="/account/two-step/off" class="form" aria-label="Turn off two-step sign-in">
  ${passwordAndCode('two-step/off')}
  <button type="submit">Turn off two-step sign-in</button>
</form>
<h3>Recovery codes</h3>
<p>New codes replace all your old ones, used or not.</p>
<form method="post" action="/account/two-step/recovery-codes" class="form" aria-label="Make new recovery codes">
  ${passwordAndCode('two-step/recovery-codes')}
  <button type="submit">Make new recovery codes</button>
</form>`;
}

/** Step 1 of turning it on: the secret (QR code and text) and the first code that proves the app has it. */
export function enrolPage(v: { csrf: string; enrolment: Enrolment; error?: string }): string {
  return page(
    'Turn on two-step sign-in',
    html`${notice(v.error)}
<p>Scan this QR code with your authenticator app, or type the key into it.</p>
<figure class="qr">${new Html(qrSvg(v.enrolment.uri, 'QR code of your two-step sign-in key'))}</figure>
<p>Key: <code>${v.enrolment.secret}</code></p>
<p class="muted"><code>${v.enrolment.uri}</code></p>
<form method="post" action="/account/two-step/confirm" class="form">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <label>Enter the 6-digit code the app shows now<input type="text" name="code" required autofocus maxlength="64" autocomplete="one-time-code"></label>
  <button type="submit" class="primary">Turn on</button>
</form>
<p class="alt"><a href="/account">Cancel</a></p>`,
  );
}

/**
 * Step 2: it is on (or, `replaced`, new codes were made from /account). The recovery codes are shown this once;
 * only their hashes are kept.
 */
export function recoveryCodesPage(v: { codes: string[]; replaced?: boolean }): string {
  return page(
    v.replaced ? 'Your new recovery codes' : 'Two-step sign-in is on',
    html`<p>Save these recovery codes somewhere safe, away from your phone. If you lose your phone, each code signs you in once instead of a code from the app. This is the only time they are shown.</p>
<ul class="codes">${v.codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p class="muted">${v.replaced ? 'Your old recovery codes no longer work.' : 'Your other sessions were signed out. Resetting your password by email does not turn two-step sign-in off.'}</p>
<p class="alt"><a href="/account">Back to your account</a></p>`,
  );
}

/** A long address breaks before its '@' rather than anywhere inside it. */
const emailText = (email: string) => {
  const at = email.lastIndexOf('@');
  return at > 0 ? html`${email.slice(0, at)}<wbr>${email.slice(at)}` : email;
};

/** `data`: the sections about the person's verification and data (account-views.ts), after the sign-in ones. */
export function accountPage(v: { email: string; csrf: string; twoStep: TwoStepState; data?: Html } & AccountMessages): string {
  const passwordError = v.form === 'password' ? v.error : undefined;
  return page(
    'Your account',
    html`${notice(v.error)}${notice(v.info, 'info')}
<p>Signed in as <strong>${emailText(v.email)}</strong>.</p>
<h2>Change your password</h2>
<form method="post" action="/account/password" class="form">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <input type="text" name="username" value="${v.email}" autocomplete="username" hidden readonly>
  ${currentPassword('Current password', passwordError)}
  ${newPassword('New password', passwordError)}
  <button type="submit" class="primary">Change password</button>
</form>
<p class="muted">Changing your password signs you out of your other browsers and ends the access of applications you approved there.</p>
${twoStepSection(v)}
${v.data ?? ''}`,
  );
}
