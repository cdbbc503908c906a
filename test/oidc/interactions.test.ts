// The hosted pages as a person meets them: messages, sign-up with email verification, consent, CSRF, rate limit.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson } from '../../src/persons/service.js';
import { Browser, csrfOf } from '../support/browser.js';
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

  it('says clearly when the email is unknown, the password wrong, or the account unverified', async () => {
    const person = await server.person();
    const unverified = 'not-yet@example.com';
    await createPerson(server.deps.db.knex, { email: unverified, password: 'correct horse battery', emailVerified: false });
    const s = await openSignIn();
    const unknown = await login(s, 'nobody@example.com', 'whatever password');
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('No account uses this email address');
    const wrong = await login(s, person.email, 'wrong password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That password is not right');
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
  it('names the tenant and lists the scopes asked for', async () => {
    const person = await server.person();
    const s = await openSignIn('openid email kyc');
    const res = await login(s, person.email, person.password);
    expect(res.status).toBe(303);
    const step = await s.browser.follow(new URL(res.headers.get('location')!, server.url).href, server.url);
    const html = await step.res.text();
    expect(html).toContain('Share with Acme Bank?');
    for (const scope of ['openid', 'email', 'kyc']) expect(html).toContain(`<code>${scope}</code>`);
    expect(html).not.toContain('<code>offline_access</code>');
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
    expect(html).toContain('<strong>Zephyr Exchange</strong> asks to access');
    expect(html).not.toContain(unnamed.client_id);
  });
});

describe('sign-up', () => {
  it('creates an account, sends a verification link, and signs in once verified', async () => {
    const s = await openSignIn();
    const page = await s.browser.fetch(`${server.url}/interaction/${s.uid}/signup`);
    const html = await page.text();
    const email = `new.${Date.now()}@example.com`;
    const short = await s.browser.fetch(`${server.url}/interaction/${s.uid}/signup`, { form: { email, password: 'short', csrf: csrfOf(html) } });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('at least 10 characters');
    const created = await s.browser.fetch(`${server.url}/interaction/${s.uid}/signup`, { form: { email, password: 'a long passphrase', csrf: csrfOf(html) } });
    expect(created.status).toBe(200);
    expect(await created.text()).toContain('We sent a verification link');
    // Before verification, sign-in is refused with a clear message.
    expect((await login(s, email, 'a long passphrase', csrfOf(html))).status).toBe(403);
    // The link from the spooled email verifies the address.
    const dir = path.join(server.deps.config.dataDir, 'mail');
    const mail = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).find((m) => m.includes(`To: ${email}`))!;
    const link = /(http:\/\/\S+\/verify-email\?token=\S+)/.exec(mail)![1]!;
    expect((await fetch(link.replace('token=', 'token=x'))).status).toBe(400);
    expect((await fetch(link)).status).toBe(200);
    expect((await login(s, email, 'a long passphrase', csrfOf(html))).status).toBe(303);
    // Same email again → a clear conflict message.
    const s2 = await openSignIn();
    const dup = await s2.browser.fetch(`${server.url}/interaction/${s2.uid}/signup`, { form: { email, password: 'a long passphrase', csrf: csrfOf(s2.html) } });
    expect(dup.status).toBe(409);
    expect(await dup.text()).toContain('already exists');
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
