// Pages the emailed links open (finish sign-up, reset password) and the signed-in account page.
import { html, invalidIf, notice, page } from '../http/html.js';
import { MIN_PASSWORD_LENGTH } from './service.js';

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

export function accountPage(v: { email: string; csrf: string; error?: string; info?: string }): string {
  return page(
    'Your account',
    html`${notice(v.error)}${notice(v.info, 'info')}
<p>Signed in as <strong>${v.email}</strong>.</p>
<h2>Change your password</h2>
<form method="post" action="/account/password" class="form">
  <input type="hidden" name="csrf" value="${v.csrf}">
  <input type="text" name="username" value="${v.email}" autocomplete="username" hidden readonly>
  <label>Current password<input type="password" name="current"${invalidIf(v.error)} required maxlength="1024" autocomplete="current-password"></label>
  ${newPassword('New password', v.error)}
  <button type="submit" class="primary">Change password</button>
</form>
<p class="muted">Changing your password signs you out of your other browsers and ends the access of applications you approved there.</p>`,
  );
}
