// Account pre-hijacking (issue 10 item 4). The attack: a stranger signs up first with the victim's address and
// their own password. On the old code the victim's sign-up then got "already exists", and the victim opening the
// verification mail made the stranger's password a verified way into the victim's account.
// Now sign-up creates nothing until the emailed link is used, and the link's page asks for the password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobs } from '../../src/jobs.js';
import { createPerson } from '../../src/persons/service.js';
import { Browser, csrfOf } from '../support/browser.js';
import { choosePassword, linkIn, mailsTo } from '../support/mail.js';
import { authRequest, discoverRp } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let client: { client_id: string; client_secret?: string; redirect_uri: string };

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client(await server.tenant('Acme Bank'));
});
afterAll(() => server?.close());

const ATTACKER_PW = 'attacker chosen password';
const VICTIM_PW = 'victim own passphrase';

async function openSignIn() {
  const browser = new Browser();
  const req = await authRequest(await discoverRp(server, client), client.redirect_uri, 'openid email');
  const step = await browser.follow(req.url.href, server.url);
  const uid = /\/interaction\/([\w-]+)/.exec(step.url)![1]!;
  return { browser, uid, csrf: csrfOf(await step.res.text()) };
}

/** The old sign-up form had a password field: the attacker still sends one; it must count for nothing. */
async function signUp(email: string, password: string) {
  const s = await openSignIn();
  const res = await s.browser.fetch(`${server.url}/interaction/${s.uid}/signup`, { form: { email, password, csrf: s.csrf } });
  return { status: res.status, html: await res.text() };
}

async function signIn(email: string, password: string): Promise<number> {
  const s = await openSignIn();
  return (await s.browser.fetch(`${server.url}/interaction/${s.uid}/login`, { form: { email, password, csrf: s.csrf } })).status;
}

const links = (email: string) => mailsTo(server, email).map((m) => linkIn(m.text, '/verify-email')).filter((l): l is string => Boolean(l));

describe('a stranger signed up first with the victim’s address', () => {
  it('does not block the victim’s own sign-up, and the stranger’s link and password die', async () => {
    const victim = `victim1.${Date.now()}@example.com`;
    expect((await signUp(victim, ATTACKER_PW)).status).toBe(200);
    const mine = await signUp(victim, VICTIM_PW);
    expect(mine.status).toBe(200); // was 409 "An account with this email already exists"
    expect(mine.html).toContain('Check your mail');
    const [attackerLink, victimLink] = links(victim);
    expect(attackerLink && victimLink).toBeTruthy();
    // The newer sign-up replaced the older one: its link no longer opens.
    expect((await fetch(attackerLink!)).status).toBe(400);
    expect((await choosePassword(victimLink!, VICTIM_PW)).status).toBe(200);
    expect(await signIn(victim, ATTACKER_PW)).toBe(401);
    expect(await signIn(victim, VICTIM_PW)).toBe(303);
  });

  it('opening the stranger’s link never confirms the stranger’s password: the opener chooses the password', async () => {
    const victim = `victim2.${Date.now()}@example.com`;
    expect((await signUp(victim, ATTACKER_PW)).status).toBe(200);
    const [link] = links(victim);
    // The victim, curious, opens the mail's link (a mail scanner may do the same).
    const opened = await fetch(link!);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('Choose your password');
    expect(await signIn(victim, ATTACKER_PW)).toBe(401); // was 303: signed in as the verified owner
    expect((await choosePassword(link!, VICTIM_PW)).status).toBe(200);
    expect(await signIn(victim, ATTACKER_PW)).toBe(401);
    expect(await signIn(victim, VICTIM_PW)).toBe(303);
    const person = await server.deps.db.knex('persons').whereRaw('lower(email) = ?', [victim]).first<{ email_verified: boolean }>();
    expect(person.email_verified).toBe(true);
  });

  it('an unverified account left from before (the stranger’s password) is replaced by the owner’s sign-up', async () => {
    const victim = `victim3.${Date.now()}@example.com`;
    const { id: legacy } = await createPerson(server.deps.db.knex, { email: victim, password: ATTACKER_PW, emailVerified: false });
    expect((await signUp(victim, VICTIM_PW)).status).toBe(200);
    expect((await choosePassword(links(victim).at(-1)!, VICTIM_PW)).status).toBe(200);
    expect(await server.deps.db.knex('persons').where({ id: legacy }).first()).toBeUndefined();
    expect(await signIn(victim, ATTACKER_PW)).toBe(401);
    expect(await signIn(victim, VICTIM_PW)).toBe(303);
  });

  it('unverified accounts and expired links are purged after a sign-up link’s life (48 h) by the account sweep', async () => {
    const db = server.deps.db.knex;
    const old = await createPerson(db, { email: `stale.${Date.now()}@example.com`, password: ATTACKER_PW, emailVerified: false });
    const fresh = await createPerson(db, { email: `fresh.${Date.now()}@example.com`, password: ATTACKER_PW, emailVerified: false });
    const kept = await server.person();
    await db('persons').where({ id: old.id }).update({ created_at: db.raw(`now() - interval '49 hours'`) });
    await db('persons').where({ id: kept.id }).update({ created_at: db.raw(`now() - interval '49 hours'`) });
    await signUp(`pending.${Date.now()}@example.com`, 'x');
    await db('email_tokens').update({ expires_at: db.raw(`now() - interval '1 minute'`) });
    const jobs = await startJobs(server.deps, { webhookSecrets: server.deps.webhookSecrets, persons: server.services.persons, webhooks: { workers: 0 } });
    try {
      // The sweep runs once at start, then hourly.
      for (let i = 0; i < 100 && (await db('persons').where({ id: old.id }).first()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await db('persons').where({ id: old.id }).first()).toBeUndefined();
      expect(await db('persons').where({ id: fresh.id }).first()).toBeDefined();
      expect(await db('persons').where({ id: kept.id }).first()).toBeDefined();
      for (let i = 0; i < 50 && Number((await db('email_tokens').count({ n: '*' }))[0]!.n) > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(Number((await db('email_tokens').count({ n: '*' }))[0]!.n)).toBe(0);
    } finally {
      await jobs.stop();
    }
  });
});
