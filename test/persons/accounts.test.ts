// Password reset, change password and resending the sign-up link, as a person meets them, and what they do to
// the sessions and tokens a relying party holds.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, csrfOf } from '../support/browser.js';
import { choosePassword, lastMailTo, linkIn, mailsTo } from '../support/mail.js';
import { authRequest, discoverRp, signInThroughPages } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let client: { client_id: string; client_secret?: string; redirect_uri: string };
let rp: oidc.Configuration;

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client(await server.tenant('Acme Bank'));
  rp = await discoverRp(server, client);
});
afterAll(() => server?.close());

/** Signs in through the pages in `browser` and exchanges the code: a session cookie and a refresh token. */
async function signedIn(person: { email: string; password: string }, browser = new Browser()) {
  const req = await authRequest(rp, client.redirect_uri);
  const callback = await signInThroughPages(server, req.url, person, browser);
  const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
  return { browser, tokens };
}

async function openForm(form: 'signup' | 'forgot') {
  const browser = new Browser();
  const req = await authRequest(rp, client.redirect_uri, 'openid email');
  const step = await browser.follow(req.url.href, server.url);
  const uid = /\/interaction\/([\w-]+)/.exec(step.url)![1]!;
  const page = await browser.fetch(`${server.url}/interaction/${uid}/${form}`);
  return { browser, uid, csrf: csrfOf(await page.text()) };
}

async function submit(form: 'signup' | 'forgot', email: string) {
  const s = await openForm(form);
  return s.browser.fetch(`${server.url}/interaction/${s.uid}/${form}`, { form: { email, csrf: s.csrf } });
}

async function signInStatus(email: string, password: string) {
  const s = await openForm('signup');
  return (await s.browser.fetch(`${server.url}/interaction/${s.uid}/login`, { form: { email, password, csrf: s.csrf } })).status;
}

describe('password reset by email', () => {
  it('is single-use, lives 1 h, is stored hashed, and signs the person out everywhere', async () => {
    const person = await server.person();
    const a = await signedIn(person);
    const b = await signedIn(person);
    expect((await a.browser.fetch(`${server.url}/account`)).status).toBe(200);

    expect((await submit('forgot', person.email)).status).toBe(200);
    const first = linkIn(lastMailTo(server, person.email).text, '/password/reset')!;
    expect((await submit('forgot', person.email)).status).toBe(200);
    const second = linkIn(lastMailTo(server, person.email).text, '/password/reset')!;
    expect(second).not.toBe(first);

    // Stored as a keyed hash, never the token; expires one hour after it was issued.
    const token = new URL(second).searchParams.get('token')!;
    const rows = await server.deps.db.knex('email_tokens').where({ purpose: 'reset' });
    expect(JSON.stringify(rows)).not.toContain(token);
    for (const r of rows as { expires_at: Date; created_at: Date }[]) {
      expect(Math.abs(r.expires_at.getTime() - r.created_at.getTime() - 3600_000)).toBeLessThan(60_000);
    }

    const done = await choosePassword(second, 'a fresh new passphrase');
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('signed out everywhere');
    // Single use; and the other link of this person died with the reset.
    expect((await choosePassword(second, 'another passphrase!')).status).toBe(400);
    expect((await fetch(first)).status).toBe(400);

    // Both browsers' sessions and both refresh tokens are gone; the access token's grant too.
    expect((await a.browser.fetch(`${server.url}/account`)).status).toBe(401);
    expect((await b.browser.fetch(`${server.url}/account`)).status).toBe(401);
    await expect(oidc.refreshTokenGrant(rp, a.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(rp, b.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const userinfo = await fetch(`${server.url}/api/oidc/me`, { headers: { authorization: `Bearer ${a.tokens.access_token}` } });
    expect(userinfo.status).toBe(401);

    expect(await signInStatus(person.email, person.password)).toBe(401);
    expect(await signInStatus(person.email, 'a fresh new passphrase')).toBe(303);
  });

  it('refuses a forged or malformed link with a clear page', async () => {
    for (const token of ['', 'x', 'A'.repeat(43), `${'A'.repeat(43)}<script>`]) {
      const res = await fetch(`${server.url}/password/reset?token=${encodeURIComponent(token)}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('This link is invalid, has expired or was already used');
    }
    const post = await fetch(`${server.url}/password/reset`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=nope&password=long+enough+pass' });
    expect(post.status).toBe(400);
  });
});

describe('change password on /account', () => {
  it('needs the signed-in session, the current password and the form token; ends the other sessions only', async () => {
    const person = await server.person();
    const mine = await signedIn(person);
    const other = await signedIn(person);
    expect((await new Browser().fetch(`${server.url}/account`)).status).toBe(401);

    const page = await mine.browser.fetch(`${server.url}/account`);
    const html = await page.text();
    expect(html).toContain(person.email);
    expect(html).toContain('autocomplete="current-password"');
    const csrf = csrfOf(html);
    const change = (form: Record<string, string>) => mine.browser.fetch(`${server.url}/account/password`, { form });

    expect((await change({ current: person.password, password: 'new passphrase 123', csrf: 'forged' })).status).toBe(403);
    const wrong = await change({ current: 'not my password', password: 'new passphrase 123', csrf });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('current password is not right');
    expect((await change({ current: person.password, password: 'short', csrf })).status).toBe(400);

    const ok = await change({ current: person.password, password: 'new passphrase 123', csrf });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Your password is changed');

    // This browser stays signed in with its refresh token; the other session and its token are gone.
    expect((await mine.browser.fetch(`${server.url}/account`)).status).toBe(200);
    await expect(oidc.refreshTokenGrant(rp, mine.tokens.refresh_token!)).resolves.toHaveProperty('access_token');
    expect((await other.browser.fetch(`${server.url}/account`)).status).toBe(401);
    await expect(oidc.refreshTokenGrant(rp, other.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(lastMailTo(server, person.email).subject).toBe('Your KYCPort password was changed');
    expect(await signInStatus(person.email, 'new passphrase 123')).toBe(303);
  });
});

describe('resending the sign-up link', () => {
  it('works from the check-your-mail page, and one address gets at most MAIL_PER_ADDRESS_PER_HOUR (5) mails', async () => {
    const email = `resend.${Date.now()}@example.com`;
    const s = await openForm('signup');
    let res = await s.browser.fetch(`${server.url}/interaction/${s.uid}/signup`, { form: { email, csrf: s.csrf } });
    for (let i = 1; i < 5; i++) {
      expect(res.status).toBe(200);
      const page = await res.text();
      // The page's own "Send the link again" form.
      expect(page).toContain('Send the link again');
      res = await s.browser.fetch(`${server.url}/interaction/${s.uid}/signup`, { form: { email, csrf: csrfOf(page) } });
    }
    expect(res.status).toBe(200);
    const sixth = await submit('signup', email.toUpperCase());
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await submit('forgot', email)).status).toBe(429);
    expect(mailsTo(server, email)).toHaveLength(5);
    // Only the newest link works.
    const all = mailsTo(server, email).map((m) => linkIn(m.text, '/verify-email')!);
    for (const l of all.slice(0, -1)) expect((await fetch(l)).status).toBe(400);
    expect((await choosePassword(all.at(-1)!, 'my own passphrase')).status).toBe(200);
  });
});
