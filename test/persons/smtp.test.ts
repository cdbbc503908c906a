// Sign-up mail over SMTP (SMTP_URL): the verification link arrives through a real SMTP exchange with
// authentication, and a mail server that refuses leaves no half-created account behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Browser, csrfOf } from '../support/browser.js';
import { choosePassword } from '../support/mail.js';
import { authRequest, discoverRp } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  data: string;
}

let smtp: SMTPServer;
let port: number;
const received: Received[] = [];
let refuse = false;

let server: TestServer;
let client: { client_id: string; client_secret?: string; redirect_uri: string };

beforeAll(async () => {
  smtp = new SMTPServer({
    // Plain SMTP on loopback for the test; production should use smtps:// or a server offering STARTTLS.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'kycport' && auth.password === 's3cret') return cb(null, { user: auth.username });
      return cb(new Error('Invalid username or password'));
    },
    onRcptTo(_address, _session, cb) {
      if (refuse) return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      return cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          data: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
  server = await startTestServer({ env: { SMTP_URL: `smtp://kycport:s3cret@127.0.0.1:${port}`, MAIL_FROM: 'Acme ID <id@acme.test>' } });
  client = await server.client(await server.tenant('Acme Bank'));
});
afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function signUp(email: string) {
  const browser = new Browser();
  const req = await authRequest(await discoverRp(server, client), client.redirect_uri, 'openid email');
  const step = await browser.follow(req.url.href, server.url);
  const uid = /\/interaction\/([\w-]+)/.exec(step.url)![1]!;
  const page = await browser.fetch(`${server.url}/interaction/${uid}/signup`);
  const csrf = csrfOf(await page.text());
  const res = await browser.fetch(`${server.url}/interaction/${uid}/signup`, { form: { email, csrf } });
  return { browser, uid, csrf, res, html: await res.text() };
}

describe('sign-up mail over SMTP', () => {
  it('delivers the verification link through the configured server, authenticated, from MAIL_FROM', async () => {
    const email = `smtp.${Date.now()}@example.com`;
    const s = await signUp(email);
    expect(s.res.status).toBe(200);
    expect(s.html).toContain('Check your mail');
    const mail = received.find((m) => m.to.includes(email))!;
    expect(mail).toMatchObject({ from: 'id@acme.test', user: 'kycport' });
    expect(mail.data).toMatch(/^From: Acme ID <id@acme\.test>/m);
    // Quoted-printable may fold the long link: unfold soft line breaks before reading it.
    const body = mail.data.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const link = /(http:\/\/\S+\/verify-email\?token=[\w.-]+)/.exec(body)![1]!;
    expect((await choosePassword(link, 'a long passphrase')).status).toBe(200);
    const login = await s.browser.fetch(`${server.url}/interaction/${s.uid}/login`, { form: { email, password: 'a long passphrase', csrf: s.csrf } });
    expect(login.status).toBe(303);
  });

  it('says so on the page and keeps no account when the mail server refuses, so the person can retry', async () => {
    const email = `refused.${Date.now()}@example.com`;
    refuse = true;
    const failed = await signUp(email);
    refuse = false;
    expect(failed.res.status).toBe(503);
    expect(failed.html).toContain('could not send the email');
    expect(failed.res.headers.get('retry-after')).toBe('60');
    expect(await server.deps.db.knex('persons').whereRaw('lower(email) = ?', [email]).first()).toBeUndefined();
    const retried = await signUp(email);
    expect(retried.res.status).toBe(200);
    expect(received.some((m) => m.to.includes(email))).toBe(true);
  });
});
