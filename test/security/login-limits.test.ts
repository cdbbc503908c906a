// Issue 10 item 5, the attack: successful sign-ins counted against the per-address limit (an office or a carrier
// NAT locked real people out), and 10 wrong passwords from 10 addresses locked the owner out everywhere. Now only
// failures count; a success clears the account's; an account over its limit only slows down (never refuses) the
// right password from an address that signed in to it before. The refusal page says how long in words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { openSignInForm } from '../support/sign-in-form.js';

// The default is 10; a smaller limit shows the same mechanism with fewer argon2 checks (a slow, shared CI box).
const LIMIT = 4;
let server: TestServer;
let client: { client_id: string; client_secret?: string; redirect_uri: string };

beforeAll(async () => {
  // One proxy in front: the last X-Forwarded-For entry is the person's address.
  server = await startTestServer({ env: { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_HOUR: String(LIMIT) } });
  client = await server.client(await server.tenant());
});
afterAll(() => server?.close());

describe('sign-in limits count failures, not successes', () => {
  it('lets more people than the limit sign in from one shared address (an office NAT)', async () => {
    const person = await server.person();
    const statuses = [];
    for (let i = 0; i < LIMIT + 1; i++) {
      // A new sign-in each time, as each colleague (here: one person, again and again) would start one.
      const form = await openSignInForm(server, client);
      statuses.push((await form.post(person.email, person.password, '198.51.100.77')).status);
    }
    expect(statuses).toEqual(Array(LIMIT + 1).fill(303));
  });

  it('keeps the owner signing in from a known address after a limit\'s worth of wrong passwords from as many addresses', async () => {
    const owner = await server.person();
    const home = '203.0.113.20';
    expect((await (await openSignInForm(server, client)).post(owner.email, owner.password, home)).status).toBe(303);

    const attacker = await openSignInForm(server, client);
    for (let i = 0; i < LIMIT; i++) expect((await attacker.post(owner.email, `guess ${i}`, `192.0.2.${i + 1}`)).status).toBe(401);
    // The account is over its limit: an address it never signed in from is refused, even with the right password…
    const refused = await attacker.post(owner.email, owner.password, '192.0.2.200');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
    const page = await refused.text();
    expect(page).toMatch(/try again in (5\d minutes|1 hour)\./);
    expect(page).not.toMatch(/Retry after|\d{3,} s\b/);

    // …but the owner at home is only slowed down, and gets in.
    const started = Date.now();
    const back = await (await openSignInForm(server, client)).post(owner.email, owner.password, home);
    expect(back.status).toBe(303);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    // That success cleared the account's failures: a wrong password from a new address is a plain 401 again.
    expect((await attacker.post(owner.email, 'one more guess', '192.0.2.201')).status).toBe(401);
  });
});
