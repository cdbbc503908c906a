// Account enumeration (issue 10 item 6). The attack: the sign-in page said "No account uses this email address"
// for one and "That password is not right" for the other, and sign-up said "already exists". Now the pages are
// the same whoever owns the address; the difference only reaches the address's own mailbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, csrfOf } from '../support/browser.js';
import { choosePassword, lastMailTo, linkIn, mailsTo } from '../support/mail.js';
import { authRequest, discoverRp } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let client: { client_id: string; client_secret?: string; redirect_uri: string };

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client(await server.tenant('Acme Bank'));
});
afterAll(() => server?.close());

async function post(form: 'login' | 'signup' | 'forgot', fields: Record<string, string>) {
  const browser = new Browser();
  const req = await authRequest(await discoverRp(server, client), client.redirect_uri, 'openid email');
  const step = await browser.follow(req.url.href, server.url);
  const uid = /\/interaction\/([\w-]+)/.exec(step.url)![1]!;
  const res = await browser.fetch(`${server.url}/interaction/${uid}/${form}`, { form: { ...fields, csrf: csrfOf(await step.res.text()) } });
  return { status: res.status, page: res.status === 303 ? '' : normalise(await res.text(), uid, fields.email ?? '') };
}

/** What differs between two requests but says nothing about an account: the interaction, the CSRF token, the address typed. */
const normalise = (html: string, uid: string, email: string) =>
  html.replaceAll(uid, 'UID').replace(/name="csrf" value="[^"]+"/g, 'CSRF').replaceAll(email, 'EMAIL');

describe('the pages say the same thing whether or not an account uses the address', () => {
  it('sign-in: an unknown address and a wrong password get the same answer', async () => {
    const person = await server.person();
    const unknown = await post('login', { email: `nobody.${Date.now()}@example.com`, password: 'some password' });
    const wrong = await post('login', { email: person.email, password: 'some password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(unknown.status);
    expect(wrong.page).toBe(unknown.page); // were "No account uses this email address" / "That password is not right"
    expect(wrong.page).toContain('The email address or password is not right');
  });

  it('sign-up: an address in use gets the fresh sign-up’s page, and its owner a mail instead', async () => {
    const person = await server.person();
    const freshEmail = `fresh.${Date.now()}@example.com`;
    const fresh = await post('signup', { email: freshEmail });
    const taken = await post('signup', { email: person.email });
    expect(fresh.status).toBe(200);
    expect(taken.status).toBe(fresh.status); // was 409
    expect(taken.page).toBe(fresh.page); // was "An account with this email already exists. Sign in instead."
    expect(taken.page).toContain('Check your mail');
    // Each address's mailbox learns what is true for it.
    expect(linkIn(lastMailTo(server, freshEmail).text, '/verify-email')).toBeTruthy();
    const note = lastMailTo(server, person.email);
    expect(note.subject).toContain('Someone tried to create a KYCPort account with your address');
    // The note carries a working reset link for the owner; the account is otherwise untouched.
    const reset = linkIn(note.text, '/password/reset')!;
    expect((await fetch(reset)).status).toBe(200);
    expect((await post('login', { email: person.email, password: person.password })).status).toBe(303);
    expect((await choosePassword(reset, 'my brand new passphrase')).status).toBe(200);
    expect((await post('login', { email: person.email, password: 'my brand new passphrase' })).status).toBe(303);
  });

  it('forgotten password: an address with and without an account get the same page, and both a mail', async () => {
    const person = await server.person();
    const nobody = `nobody.${Date.now()}@example.com`;
    const a = await post('forgot', { email: person.email });
    const b = await post('forgot', { email: nobody });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.page).toBe(b.page);
    expect(linkIn(lastMailTo(server, person.email).text, '/password/reset')).toBeTruthy();
    expect(mailsTo(server, nobody)).toHaveLength(1);
    expect(linkIn(lastMailTo(server, nobody).text, '/password/reset')).toBeUndefined();
  });
});
