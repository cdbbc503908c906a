// Two-step sign-in against someone who knows the password: the password step alone never finishes a login, the
// code step is bound to the interaction and browser that passed the password, and every wrong code counts as a
// failed sign-in of the account and of the address (persons/sign-in-limits.ts), so a million codes can't be tried.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { base32Decode, totp } from '../../src/persons/totp.js';
import { csrfOf } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { openSignInForm } from '../support/sign-in-form.js';

const LIMIT = 3;
const clock = new ManualClock(new Date());
let server: TestServer;
let client: { client_id: string; client_secret?: string; redirect_uri: string };

beforeAll(async () => {
  server = await startTestServer({ clock, env: { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_HOUR: String(LIMIT) } });
  client = await server.client(await server.tenant());
});
afterAll(() => server?.close());

/** A person with two-step sign-in on (turned on through the service, as the /account pages do). */
async function personWithTwoStep() {
  const person = await server.person();
  const begun = await server.services.persons.twoStep.begin(person.id, person.password);
  if (!begun.ok) throw new Error('enrolment refused');
  const secret = base32Decode(begun.enrolment.secret);
  const on = await server.services.persons.twoStep.confirm(person.id, totp(secret, clock.now()), { sessionId: 'none' });
  if (!on.ok) throw new Error('confirmation refused');
  clock.advance(30_000);
  return { ...person, code: () => totp(secret, clock.now()) };
}

/** The password step from `address`; returns a poster of codes for that interaction. */
async function pastPassword(person: { email: string; password: string }, address: string) {
  const form = await openSignInForm(server, client);
  const res = await form.post(person.email, person.password, address);
  expect(res.status).toBe(200);
  const page = await res.text();
  const note = /name="note" value="([^"]+)"/.exec(page)![1]!;
  return {
    form,
    note,
    csrf: csrfOf(page),
    code: (code: string, from = address, over: { uid?: string; csrf?: string; note?: string } = {}) =>
      form.browser.fetch(`${server.url}/interaction/${over.uid ?? form.uid}/code`, {
        form: { code, note: over.note ?? note, csrf: over.csrf ?? csrfOf(page) },
        headers: { 'x-forwarded-for': from },
      }),
  };
}

describe('two-step sign-in resists a known password', () => {
  it('never finishes on the password alone, and binds the code step to its interaction and browser', async () => {
    const person = await personWithTwoStep();
    const a = await pastPassword(person, '203.0.113.1');
    // The interaction still asks to sign in: nothing was finished by the password.
    expect(await (await a.form.browser.fetch(`${server.url}/interaction/${a.form.uid}`)).text()).toContain('name="password"');
    // A forged note, or this note in another interaction (another browser), is refused before any code check.
    expect((await a.code(person.code(), '203.0.113.1', { note: a.note.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) })).status).toBe(400);
    const b = await openSignInForm(server, client);
    const stolen = await b.browser.fetch(`${server.url}/interaction/${b.uid}/code`, { form: { code: person.code(), note: a.note, csrf: b.csrf }, headers: { 'x-forwarded-for': '203.0.113.1' } });
    expect(stolen.status).toBe(400);
    // The note lives 10 minutes.
    clock.advance(11 * 60_000);
    expect((await a.code(person.code())).status).toBe(400);
  });

  it('counts wrong codes against the account: after the limit, even the right code from a new address is refused', async () => {
    const person = await personWithTwoStep();
    const attacker = await pastPassword(person, '192.0.2.10');
    for (let i = 0; i < LIMIT; i++) expect((await attacker.code(String(100000 + i), `192.0.2.${20 + i}`)).status).toBe(401);
    const refused = await attacker.code(person.code(), '192.0.2.99');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The password step is refused too from an address the account never signed in from.
    expect((await (await openSignInForm(server, client)).post(person.email, person.password, '192.0.2.98')).status).toBe(429);
  });

  it('counts wrong codes against the address, whichever account they were for', async () => {
    const victim = await personWithTwoStep();
    const other = await server.person();
    const address = '198.51.100.50';
    const attacker = await pastPassword(victim, address);
    for (let i = 0; i < LIMIT; i++) expect((await attacker.code(String(200000 + i))).status).toBe(401);
    expect((await (await openSignInForm(server, client)).post(other.email, other.password, address)).status).toBe(429);
  });

  it('lets the owner in with the right code after a wrong one', async () => {
    const person = await personWithTwoStep();
    const step = await pastPassword(person, '203.0.113.7');
    expect((await step.code('999999')).status).toBe(401);
    expect((await step.code(person.code())).status).toBe(303);
  });
});
