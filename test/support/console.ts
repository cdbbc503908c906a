// Staff for the console tests: a person account with a role (the staff service, as `kycport staff create` runs
// it), two-step sign-in turned on through the persons' own service, and the console sign-in driven over HTTP
// through the provider's pages (password, then the authenticator code).
import type { Role } from '../../src/console/roles.js';
import { base32Decode, totp } from '../../src/persons/totp.js';
import { Browser, csrfOf } from './browser.js';
import type { TestServer } from './server.js';

export interface StaffMember {
  personId: string;
  email: string;
  password: string;
  /** The TOTP secret when two-step sign-in is on. */
  secret?: Buffer;
}

export async function staffMember(server: TestServer, role: Role, o: { twoStep?: boolean; tenantId?: string; email?: string } = {}): Promise<StaffMember> {
  const person = await server.person(o.email);
  await server.services.staff.create({ email: person.email, role, ...(o.tenantId ? { tenantId: o.tenantId } : {}) });
  if (!o.twoStep) return { personId: person.id, email: person.email, password: person.password };
  const twoStep = server.services.persons.twoStep;
  const begun = await twoStep.begin(person.id, person.password);
  if (!begun.ok) throw new Error('two-step enrolment refused');
  const secret = base32Decode(begun.enrolment.secret);
  const done = await twoStep.confirm(person.id, totp(secret, server.deps.clock.now()), { sessionId: 'none' });
  if (!done.ok) throw new Error('two-step confirmation refused');
  return { personId: person.id, email: person.email, password: person.password, secret };
}

/** A code one time step on from the last one used (a code is accepted once per step). */
export function nextCode(m: StaffMember, at: Date): string {
  return totp(m.secret!, new Date(at.getTime() + 30_000));
}

/**
 * Signs in to the console over HTTP: /console/sign-in → the provider's sign-in page → password (→ code) → back
 * at /console/signed-in. Returns the answer of /console/signed-in (a 302 into the console, or a refusal page).
 */
export async function consoleSignIn(server: TestServer, m: StaffMember, browser = new Browser(), code?: string): Promise<{ browser: Browser; res: Response }> {
  const start = await browser.follow(`${server.url}/console/sign-in`, server.url);
  const uid = /\/interaction\/([\w-]+)/.exec(start.url)?.[1];
  if (!uid) throw new Error(`console sign-in did not reach the provider's page: ${start.url}`);
  let res = await browser.fetch(`${server.url}/interaction/${uid}/login`, { form: { email: m.email, password: m.password, csrf: csrfOf(await start.res.text()) } });
  if (res.status === 200) {
    const page = await res.text();
    const note = /name="note" value="([^"]+)"/.exec(page)?.[1];
    if (!note) throw new Error('expected the code step');
    res = await browser.fetch(`${server.url}/interaction/${uid}/code`, { form: { code: code ?? nextCode(m, server.deps.clock.now()), note, csrf: csrfOf(page) } });
  }
  if (res.status !== 303) throw new Error(`sign-in step answered ${res.status}`);
  // Through the provider's resume to the console's redirect_uri, which is on this origin.
  let url = new URL(res.headers.get('location')!, server.url).href;
  for (let i = 0; i < 10; i++) {
    res = await browser.fetch(url);
    if (new URL(url).pathname === '/console/signed-in' || res.status < 300 || res.status >= 400) break;
    url = new URL(res.headers.get('location')!, url).href;
  }
  return { browser, res };
}
