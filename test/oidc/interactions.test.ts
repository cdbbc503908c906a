// The hosted pages as a person meets them: messages, sign-up by emailed link, consent, CSRF, rate limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson } from '../../src/persons/service.js';
import { Browser, csrfOf } from '../support/browser.js';
import { choosePassword, lastMailTo, linkIn } from '../support/mail.js';
import { authRequest, discoverRp } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let client: { client_id: string; client_secret?: string; redirect_uri: string };

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client(await server.tenant('Acme Bank'));
});
afterAll(() => server?.close());

/** Opens the sign-in page of a fresh authorization request. */
async function openSignIn(scope = 'openid email kyc', rp = client) {
  const browser = new Browser();
  const req = await authRequest(await discoverRp(server, rp), rp.redirect_uri, scope);
  const step = await browser.follow(req.url.href, server.url);
  const uid = /\/interaction\/([\w-]+)/.exec(step.url)![1]!;
  return { browser, uid, html: await step.res.text(), res: step.res };
}

async function login(s: Awaited<ReturnType<typeof openSignIn>>, email: string, password: string, csrf = csrfOf(s.html)) {
  return s.browser.fetch(`${server.url}/interaction/${s.uid}/login`, { form: { email, password, csrf } });
}

describe('sign-in page', () => {
  it('is a real, secured HTML page', async () => {
    const s = await openSignIn();
    expect(s.res.headers.get('content-type')).toMatch(/text\/html/);
    expect(s.html).toContain('Sign in');
    expect(s.html).toContain('to continue to App');
    expect(s.res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(s.res.headers.get('x-frame-options')).toBe('DENY');
    expect(s.res.headers.get('cache-control')).toBe('no-store');
    const css = await fetch(`${server.url}/static/styles.css`);
    expect(css.status).toBe(200);
  });

  it('gives one message for an unknown email and a wrong password, and says when an account is unverified', async () => {
    const person = await server.person();
    const unverified = 'not-yet@example.com';
    await createPerson(server.deps.db.knex, { email: unverified, password: 'correct horse battery', emailVerified: false });
    const s = await openSignIn();
    const unknown = await login(s, 'nobody@example.com', 'whatever password');
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('The email address or password is not right');
    const wrong = await login(s, person.email, 'wrong password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('The email address or password is not right');
    const unv = await login(s, unverified, 'correct horse battery');
    expect(unv.status).toBe(403);
    expect(await unv.text()).toContain('not verified yet');
  });

  it('refuses a form posted without the CSRF token', async () => {
    const person = await server.person();
    const s = await openSignIn();
    const res = await login(s, person.email, person.password, 'forged');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('not sent from this site');
  });
});

describe('consent page', () => {
  it('names the tenant and says in plain words what it will see, never a scope code', async () => {
    const person = await server.person();
    const s = await openSignIn('openid email kyc');
    const res = await login(s, person.email, person.password);
    expect(res.status).toBe(303);
    const step = await s.browser.follow(new URL(res.headers.get('location')!, server.url).href, server.url);
    const html = await step.res.text();
    expect(html).toContain('Share with Acme Bank?');
    for (const words of ['A private identifier', 'verification status', 'verification level', 'screening result', 'verification expires', 'Your email address']) {
      expect(html).toContain(words);
    }
    expect(html).not.toContain('Staying connected');
    expect(html).not.toContain('<code>');
  });

  it('names the tenant, never a client id, when the client has no name of its own', async () => {
    const unnamed = await server.client(await server.tenant('Zephyr Exchange'), { name: null });
    const person = await server.person();
    const s = await openSignIn('openid kyc', unnamed);
    expect(s.html).toContain('to continue to Zephyr Exchange');
    expect(s.html).not.toContain(unnamed.client_id);
    const res = await login(s, person.email, person.password);
    const step = await s.browser.follow(new URL(res.headers.get('location')!, server.url).href, server.url);
    const html = await step.res.text();
    expect(html).toContain('<strong>Zephyr Exchange</strong> will see');
    expect(html).not.toContain(unnamed.client_id);
  });
});

describe('sign-up', () => {
  it('mails a link, creates the account with the password chosen on its page, and signs in', async () => {
    const s = await openSignIn();
    expect(s.html).toContain('Forgot your password?');
    const page = await s.browser.fetch(`${server.url}/interaction/${s.uid}/signup`);
    const html = await page.text();
    expect(html).not.toContain('type="password"');
    const email = `new.${Date.now()}@example.com`;
    const bad = await s.browser.fetch(`${server.url}/interaction/${s.uid}/signup`, { form: { email: 'not an address', csrf: csrfOf(html) } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Enter a valid email address');
    const sent = await s.browser.fetch(`${server.url}/interaction/${s.uid}/signup`, { form: { email, csrf: csrfOf(html) } });
    expect(sent.status).toBe(200);
    const sentPage = await sent.text();
    expect(sentPage).toContain('Check your mail');
    expect(sentPage).toContain('Send the link again');
    // No account exists before the link is used.
    expect(await server.deps.db.knex('persons').whereRaw('lower(email) = ?', [email]).first()).toBeUndefined();
    const link = linkIn(lastMailTo(server, email).text, '/verify-email')!;
    expect((await fetch(link.replace('token=', 'token=x'))).status).toBe(400);
    const opened = await fetch(link);
    expect(opened.status).toBe(200);
    const form = await opened.text();
    expect(form).toContain('Choose your password');
    expect(form).toContain('autocomplete="new-password"');
    const short = await choosePassword(link, 'short');
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('at least 10 characters');
    const done = await choosePassword(link, 'a long passphrase');
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your account is ready');
    // Single use.
    expect((await fetch(link)).status).toBe(400);
    expect((await login(s, email, 'a long passphrase', csrfOf(html))).status).toBe(303);
  });
});

describe('login rate limit (the real default: 10 attempts per hour)', () => {
  let limited: TestServer;
  let saved: TestServer;
  beforeAll(async () => {
    saved = server;
    limited = await startTestServer({ env: { RATE_LIMIT_LOGIN_PER_HOUR: '10' } });
    server = limited;
    client = await server.client(await server.tenant('Limited Bank'));
  });
  afterAll(async () => {
    server = saved;
    await limited?.close();
  });

  it('answers the 11th attempt on one account with 429 + Retry-After, even with the right password', async () => {
    const person = await server.person();
    const s = await openSignIn();
    for (let i = 0; i < 10; i++) expect((await login(s, person.email, `wrong ${i}`)).status).toBe(401);
    const res = await login(s, person.email, person.password);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(await res.text()).toContain('Too many');
  });

  it('limits per IP across accounts too', async () => {
    // The previous test used 11 attempts from this IP already.
    const other = await server.person();
    const s = await openSignIn();
    const res = await login(s, other.email, other.password);
    expect(res.status).toBe(429);
  });
});
