// Optional two-step sign-in (issue 10 item 4): the TOTP arithmetic against the RFCs' own test data, then the
// whole life of it as a person meets it: turn on from /account, sign in with a code (wrong, right, replayed),
// a recovery code once, a password reset that leaves it on, turn off. Time steps move by a manual clock.
import fs from 'node:fs';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { mailerFor } from '../../src/persons/mailer.js';
import { base32Decode, base32Encode, hotp, matchStep, timeStep, totp } from '../../src/persons/totp.js';
import { operatorTurnOff } from '../../src/persons/two-step.js';
import { Browser, csrfOf, formAction } from '../support/browser.js';
import { choosePassword, lastMailTo, linkIn } from '../support/mail.js';
import { authRequest, discoverRp, signInThroughPages } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';

type Algorithm = 'sha1' | 'sha256' | 'sha512';
const rfc = JSON.parse(fs.readFileSync(new URL('../fixtures/otp/rfc-vectors.json', import.meta.url), 'utf8')) as {
  totp: { seeds: Record<Algorithm, string>; digits: number; vectors: ({ time: number; step: number } & Record<Algorithm, string>)[] };
  hotp: { seed: string; codes: string[] };
  base32: [string, string][];
};

describe('TOTP arithmetic (RFC 6238, RFC 4226, RFC 4648)', () => {
  it('matches RFC 6238 appendix B for SHA-1, SHA-256 and SHA-512', () => {
    for (const v of rfc.totp.vectors) {
      const at = new Date(v.time * 1000);
      expect(timeStep(at)).toBe(v.step);
      for (const alg of ['sha1', 'sha256', 'sha512'] as const) {
        expect(totp(Buffer.from(rfc.totp.seeds[alg]), at, rfc.totp.digits, alg), `${alg} at ${v.time}`).toBe(v[alg]);
      }
    }
  });

  it('matches RFC 4226 appendix D (HOTP) and RFC 4648 base32', () => {
    rfc.hotp.codes.forEach((code, counter) => expect(hotp(Buffer.from(rfc.hotp.seed), counter)).toBe(code));
    for (const [plain, encoded] of rfc.base32) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
      expect(base32Decode(encoded.toLowerCase().replace(/=/g, '')).toString()).toBe(plain);
    }
    expect(() => base32Decode('MZ1W')).toThrow();
  });

  it('accepts one step of drift either way, and never a step at or before the last one used', () => {
    const secret = Buffer.from(rfc.totp.seeds.sha1);
    const now = new Date(1_111_111_111_000);
    const step = timeStep(now);
    for (const drift of [-1, 0, 1]) expect(matchStep(secret, hotp(secret, step + drift), now)).toBe(step + drift);
    for (const drift of [-2, 2]) expect(matchStep(secret, hotp(secret, step + drift), now)).toBeUndefined();
    expect(matchStep(secret, hotp(secret, step), now, step)).toBeUndefined();
    expect(matchStep(secret, hotp(secret, step + 1), now, step)).toBe(step + 1);
    for (const bad of ['', '12345', '1234567', 'abcdef']) expect(matchStep(secret, bad, now)).toBeUndefined();
  });
});

const clock = new ManualClock(new Date());
let server: TestServer;
let client: { client_id: string; client_secret?: string; redirect_uri: string };
let rp: oidc.Configuration;

beforeAll(async () => {
  server = await startTestServer({ clock });
  client = await server.client(await server.tenant('Acme Bank'));
  rp = await discoverRp(server, client);
});
afterAll(() => server?.close());

/** Opens a sign-in and posts the password: the answer (a code page when two-step is on) and how to go on. */
async function passwordStep(person: { email: string; password: string }) {
  const browser = new Browser();
  const req = await authRequest(rp, client.redirect_uri);
  const step = await browser.follow(req.url.href, server.url);
  const uid = /\/interaction\/([\w-]+)/.exec(step.url)![1]!;
  const res = await browser.fetch(`${server.url}/interaction/${uid}/login`, { form: { email: person.email, password: person.password, csrf: csrfOf(await step.res.text()) } });
  const page = res.status === 200 ? await res.text() : '';
  const note = /name="note" value="([^"]+)"/.exec(page)?.[1];
  return {
    browser,
    res,
    page,
    /** Posts a code; on success follows consent to the RP and exchanges the code for tokens. */
    async code(code: string) {
      const posted = await browser.fetch(`${server.url}/interaction/${uid}/code`, { form: { code, note: note!, csrf: csrfOf(page) } });
      if (posted.status !== 303) return { status: posted.status, text: await posted.text() };
      let next = await browser.follow(new URL(posted.headers.get('location')!, server.url).href, server.url);
      while (next.url.startsWith(server.url)) {
        const html = await next.res.text();
        next = await browser.follow(new URL(formAction(html), server.url).href, server.url, { form: { csrf: csrfOf(html) } });
      }
      const tokens = await oidc.authorizationCodeGrant(rp, new URL(next.url), { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
      return { status: 303, tokens };
    },
  };
}

async function signedIn(person: { email: string; password: string }) {
  const browser = new Browser();
  const req = await authRequest(rp, client.redirect_uri);
  await signInThroughPages(server, req.url, person, browser);
  return browser;
}

const codesOn = (html: string) => [...html.matchAll(/<li><code>([a-z2-7]{5}-[a-z2-7]{5})<\/code><\/li>/g)].map((m) => m[1]!);

describe('two-step sign-in for a person', () => {
  it('turns on from /account, then sign-in needs a code (once each), a recovery code works once, a reset keeps it, and it turns off', async () => {
    const person = await server.person();
    const mine = await signedIn(person);
    const other = await signedIn(person);
    const account = await mine.fetch(`${server.url}/account`);
    const accountHtml = await account.text();
    expect(accountHtml).toContain('Two-step sign-in is off');
    const csrf = csrfOf(accountHtml);
    const post = (path: string, form: Record<string, string>, browser = mine) => browser.fetch(`${server.url}/account${path}`, { form: { csrf, ...form } });

    // Turning on needs the form token and the password.
    expect((await post('/two-step', { current: person.password, csrf: 'forged' })).status).toBe(403);
    expect((await post('/two-step', { current: 'not my password' })).status).toBe(401);
    const enrol = await post('/two-step', { current: person.password });
    expect(enrol.status).toBe(200);
    const enrolHtml = await enrol.text();
    expect(enrolHtml).toMatch(/<svg [^>]*viewBox="0 0 \d+ \d+"[^>]*>.*<path fill="#000" d="M/s);
    const uri = new URL(/<code>(otpauth:\/\/[^<]+)<\/code>/.exec(enrolHtml)![1]!.replace(/&amp;/g, '&'));
    expect(uri.protocol + uri.host).toBe('otpauth:totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/KYCPort:${person.email}`);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ issuer: 'KYCPort', algorithm: 'SHA1', digits: '6', period: '30' });
    const grouped = /Key: <code>([A-Z2-7 ]+)<\/code>/.exec(enrolHtml)![1]!;
    expect(grouped).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    expect(grouped.replace(/ /g, '')).toBe(uri.searchParams.get('secret'));
    const secret = base32Decode(grouped);
    expect(secret).toHaveLength(20);
    const code = () => totp(secret, clock.now());

    // Sealed at rest, and not on until a code from it confirms it.
    const row = await server.deps.db.knex('persons').where({ id: person.id }).first();
    expect(row.totp_secret).toBeTruthy();
    expect(JSON.stringify(row)).not.toContain(uri.searchParams.get('secret'));
    expect(row.totp_enabled_at).toBeNull();
    expect((await passwordStep(person)).res.status).toBe(303);

    expect((await post('/two-step/confirm', { code: '000000' })).status).toBe(401);
    const on = await post('/two-step/confirm', { code: code() });
    expect(on.status).toBe(200);
    const recovery = codesOn(await on.text());
    expect(new Set(recovery).size).toBe(10);
    const stored = await server.deps.db.knex('recovery_codes').where({ person_id: person.id });
    expect(stored).toHaveLength(10);
    expect(JSON.stringify(stored)).not.toContain(recovery[0]!.replace('-', ''));
    expect(lastMailTo(server, person.email).subject).toBe('Two-step sign-in is on for your KYCPort account');
    // The session that turned it on stays; the one signed in with the password alone is gone.
    expect(await (await mine.fetch(`${server.url}/account`)).text()).toContain('Two-step sign-in is on');
    expect((await other.fetch(`${server.url}/account`)).status).toBe(401);

    // The right password alone no longer finishes a sign-in.
    const first = await passwordStep(person);
    expect(first.res.status).toBe(200);
    expect(first.page).toContain('Enter the 6-digit code from your authenticator app');
    const wrong = await first.code(hotp(secret, timeStep(clock.now()) + 5));
    expect(wrong.status).toBe(401);
    // The step used to confirm was spent: a new step's code signs in, and its ID token says how.
    clock.advance(30_000);
    const now = code();
    const ok = await first.code(now);
    expect(ok.status).toBe(303);
    expect(ok.tokens!.claims()!.amr).toEqual(['pwd', 'otp', 'mfa']);

    // The same code again, in another sign-in, is refused; the next step's code is not.
    const replay = await passwordStep(person);
    expect((await replay.code(now)).status).toBe(401);
    clock.advance(30_000);
    expect((await replay.code(code())).status).toBe(303);

    // A recovery code works once, whatever its case and spacing.
    const withRecovery = await passwordStep(person);
    expect((await withRecovery.code(` ${recovery[0]!.toUpperCase()} `)).status).toBe(303);
    expect((await (await passwordStep(person)).code(recovery[0]!)).status).toBe(401);
    expect(await (await mine.fetch(`${server.url}/account`)).text()).toContain('9 unused recovery codes');

    // A password reset by email sets the password; the second step still applies.
    const forgot = await passwordStep({ email: person.email, password: 'not it at all' });
    expect(forgot.res.status).toBe(401);
    await server.services.persons.requestPasswordReset(person.email);
    const done = await choosePassword(linkIn(lastMailTo(server, person.email).text, '/password/reset')!, 'a fresh new passphrase');
    expect(await done.text()).toContain('Two-step sign-in is still on');
    const after = { email: person.email, password: 'a fresh new passphrase' };
    const again = await passwordStep(after);
    expect(again.res.status).toBe(200);
    clock.advance(30_000);
    expect((await again.code(code())).status).toBe(303);

    // Turning off needs the password and a code.
    const browser = again.browser;
    const csrf2 = csrfOf(await (await browser.fetch(`${server.url}/account`)).text());
    const off = (form: Record<string, string>) => browser.fetch(`${server.url}/account/two-step/off`, { form: { csrf: csrf2, ...form } });
    expect((await off({ current: 'wrong password', code: code() })).status).toBe(401);
    clock.advance(30_000);
    expect((await off({ current: after.password, code: '123456' })).status).toBe(401);
    const offOk = await off({ current: after.password, code: code() });
    expect(offOk.status).toBe(200);
    expect(await offOk.text()).toContain('Two-step sign-in is off');
    expect(await server.deps.db.knex('recovery_codes').where({ person_id: person.id })).toHaveLength(0);
    expect((await server.deps.db.knex('persons').where({ id: person.id }).first()).totp_secret).toBeNull();
    expect((await passwordStep(after)).res.status).toBe(303);
  });

  it('makes new recovery codes from /account (password + code) in place of the old ones; the operator can turn it off', async () => {
    const person = await server.person();
    const mine = await signedIn(person);
    const csrf = csrfOf(await (await mine.fetch(`${server.url}/account`)).text());
    const post = (path: string, form: Record<string, string>) => mine.fetch(`${server.url}/account${path}`, { form: { csrf, ...form } });
    const enrolHtml = await (await post('/two-step', { current: person.password })).text();
    const secret = base32Decode(/Key: <code>([A-Z2-7 ]+)<\/code>/.exec(enrolHtml)![1]!);
    const code = () => totp(secret, clock.now());
    const old = codesOn(await (await post('/two-step/confirm', { code: code() })).text());
    expect(old).toHaveLength(10);
    expect((await (await passwordStep(person)).code(old[0]!)).status).toBe(303);

    const remake = (form: Record<string, string>) => post('/two-step/recovery-codes', form);
    expect((await mine.fetch(`${server.url}/account/two-step/recovery-codes`, { form: { csrf: 'forged', current: person.password, code: old[1]! } })).status).toBe(403);
    expect((await remake({ current: 'not my password', code: old[1]! })).status).toBe(401);
    expect((await remake({ current: person.password, code: '000000' })).status).toBe(401);
    expect((await remake({ current: person.password })).status).toBe(400);
    clock.advance(30_000);
    const made = await remake({ current: person.password, code: code() });
    expect(made.status).toBe(200);
    const html = await made.text();
    expect(html).toContain('Your new recovery codes');
    const fresh = codesOn(html);
    expect(new Set(fresh).size).toBe(10);
    expect(fresh.filter((c) => old.includes(c))).toEqual([]);
    expect(await (await mine.fetch(`${server.url}/account`)).text()).toContain('10 unused recovery codes');
    // Every old code is dead (used or not); a new one signs in.
    for (const c of old.slice(1, 3)) expect((await (await passwordStep(person)).code(c)).status).toBe(401);
    expect((await (await passwordStep(person)).code(fresh[0]!)).status).toBe(303);

    // Lost the phone and the codes: the operator turns it off (kycport person two-step-off), and the person is told.
    const mailer = mailerFor(server.deps.config);
    const ops = { db: server.deps.db.knex, mailer, audit: server.services.audit };
    const cli = { type: 'cli' as const, id: 'ops' };
    expect(await operatorTurnOff(ops, { email: person.email.toUpperCase() }, cli)).toEqual({ person_id: person.id, email: person.email, was_on: true });
    expect(lastMailTo(server, person.email).subject).toBe('Two-step sign-in was turned off for your KYCPort account');
    const row = await server.deps.db.knex('persons').where({ id: person.id }).first();
    expect({ secret: row.totp_secret, on: row.totp_enabled_at, step: row.totp_last_step }).toEqual({ secret: null, on: null, step: null });
    expect(await server.deps.db.knex('recovery_codes').where({ person_id: person.id })).toHaveLength(0);
    expect((await passwordStep(person)).res.status).toBe(303);
    expect(await (await mine.fetch(`${server.url}/account`)).text()).toContain('Two-step sign-in is off');
    expect(await operatorTurnOff(ops, { personId: person.id }, cli)).toMatchObject({ was_on: false });
    await expect(operatorTurnOff(ops, { personId: 'per_nobody' }, cli)).rejects.toThrow('Person not found.');
    // Each change is on the operator's audit chain, by whom it was made, with no code or secret in it.
    const trail = await server.deps.db.knex('audit_entries').where({ chain: 'operator', object_id: person.id }).orderBy('seq');
    expect(trail.map((e: { action: string; actor_type: string; details: object }) => [e.action, e.actor_type, e.details])).toEqual([
      ['person.two_step_enabled', 'person', {}],
      ['person.recovery_codes_replaced', 'person', {}],
      ['person.two_step_disabled', 'cli', {}],
    ]);
    expect(await server.services.audit.verify(null)).toMatchObject({ ok: true });
  });

  it('puts amr ["pwd"] in the ID token of a password-only sign-in', async () => {
    const person = await server.person();
    const req = await authRequest(rp, client.redirect_uri);
    const callback = await signInThroughPages(server, req.url, person);
    const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    expect(tokens.claims()!.amr).toEqual(['pwd']);
  });
});
