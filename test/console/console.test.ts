// The console over HTTP (no browser): sign-in through KYCPort's own OIDC provider, the MFA requirement for
// reviewers and admins, role checks on every route, CSRF, the image route's no-store, and a decision that the
// tenant's status API then shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { Browser, csrfOf } from '../support/browser.js';
import { consoleSignIn, staffMember } from '../support/console.js';
import { choosePassword, lastMailTo, linkIn } from '../support/mail.js';
import { seedReviewCase } from '../support/review.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
// Held at the real time (the provider's own times are real); the last test moves it past the idle timeout.
const clock = new ManualClock(new Date());
let tenantId: string;
let apiKey: string;

beforeAll(async () => {
  server = await startTestServer({ clock, env: { CONSOLE_IDLE_MINUTES: '15' } });
  tenantId = await server.tenant('Console Bank');
  apiKey = (await server.apiKey(tenantId)).api_key;
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const status = async (sub: string) => (await fetch(`${server.url}/api/v1/kyc/${sub}/status`, { headers: { authorization: `Bearer ${apiKey}` } })).json();

describe('console sign-in and roles', () => {
  it('a reviewer without two-step sign-in set up cannot open the queue: a page sends them to /account', async () => {
    const m = await staffMember(server, 'reviewer');
    const { browser, res } = await consoleSignIn(server, m);
    expect(res.status).toBe(403);
    const page = await res.text();
    expect(page).toContain('Two-step sign-in required');
    const refused = await server.deps.db.knex('audit_entries').where({ actor_id: m.personId, action: 'staff.sign_in_refused' });
    expect(refused).toHaveLength(1);
    expect(refused[0].details).toMatchObject({ reason: 'second_factor_not_set_up' });
    expect(page).toContain('href="/account"');
    const queue = await browser.fetch(`${server.url}/console/queue`);
    expect(queue.status).toBe(302);
    expect(queue.headers.get('location')).toBe('/console/sign-in');
  });

  it('a person without a staff role gets 403; a forged session cookie is a sign-in redirect', async () => {
    const person = await server.person();
    const { res } = await consoleSignIn(server, { personId: person.id, email: person.email, password: person.password });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('No console access');
    const forged = Buffer.from(JSON.stringify({ sid: 'x', pid: person.id, mfa: true, at: Date.now(), seen: Date.now() })).toString('base64url');
    const r = await fetch(`${server.url}/console/queue`, { headers: { cookie: `kpconsole=${forged}.AAAA` }, redirect: 'manual' });
    expect(r.status).toBe(302);
  });

  it('a tenant viewer (no MFA needed) opens the console but not the review queue, its cases or images', async () => {
    const m = await staffMember(server, 'viewer', { tenantId });
    const { browser, res } = await consoleSignIn(server, m);
    expect(res.status).toBe(302);
    const home = await browser.fetch(`${server.url}/console`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('viewer');
    const c = await seedReviewCase(server, { tenantId, level: 't1', amlClear: true });
    for (const path of ['/console/queue', `/console/cases/${c.caseId}`]) expect((await browser.fetch(`${server.url}${path}`)).status).toBe(403);
  });

  it('staff invite: the mailed link sets the password of the new account', async () => {
    const email = 'invited.reviewer@example.test';
    const out = await server.services.staff.invite({ email, role: 'reviewer' });
    expect(out).toMatchObject({ account_created: true, mailed: true, role: 'reviewer' });
    const link = linkIn(lastMailTo(server, email).text, '/password/reset')!;
    expect(link).toBeTruthy();
    expect((await choosePassword(link, 'a brand new password')).status).toBeLessThan(400);
    expect((await server.services.persons.checkCredentials(email, 'a brand new password')).ok).toBe(true);
  });
});

describe('the reviewer decides over HTTP', () => {
  it('password + TOTP opens the queue; the case page, its images (no-store) and a decision (CSRF-checked) make the person verified', async () => {
    const m = await staffMember(server, 'reviewer', { twoStep: true });
    const c = await seedReviewCase(server, { tenantId, level: 't2', amlClear: true });
    const { browser, res } = await consoleSignIn(server, m);
    expect(res.status).toBe(302);
    const set = res.headers.getSetCookie().find((l) => l.startsWith('kpconsole='))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    expect(set).toMatch(/Path=\/console/i);

    const queue = await browser.fetch(`${server.url}/console/queue`);
    expect(queue.status).toBe(200);
    const queueHtml = await queue.text();
    expect(queueHtml).toContain(c.caseId);

    const view = await browser.fetch(`${server.url}/console/cases/${c.caseId}`);
    expect(view.status).toBe(200);
    const html = await view.text();
    const img = /src="(\/console\/cases\/[^"]+\/files\/[^"]+)"/.exec(html)![1]!;
    const image = await browser.fetch(`${server.url}${img}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('cache-control')).toBe('no-store');
    expect(image.headers.get('content-type')).toMatch(/^image\//);
    expect((await fetch(`${server.url}${img}`, { redirect: 'manual' })).status).toBe(302); // no session, no image

    const form = { outcome: 'approved', reason_code: 'documents_verified', note: 'Checked.' };
    expect((await browser.fetch(`${server.url}/console/cases/${c.caseId}/decision`, { form: { ...form, csrf: 'forged' } })).status).toBe(403);
    const missing = await browser.fetch(`${server.url}/console/cases/${c.caseId}/decision`, { form: { ...form, note: '', csrf: csrfOf(html) } });
    expect(missing.status).toBe(400);
    const done = await browser.fetch(`${server.url}/console/cases/${c.caseId}/decision`, { form: { ...form, csrf: csrfOf(html) } });
    expect(done.status).toBe(303);
    expect(await status(c.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2' });

    // The sign-in, the image view and the decision are on the operator's audit chain, by this reviewer, and the
    // chain still verifies.
    const trail = (await server.deps.db.knex('audit_entries').where({ chain: 'operator', actor_type: 'staff', actor_id: m.personId }).orderBy('seq')) as { action: string; object_id: string }[];
    expect(trail.map((e) => e.action)).toEqual(['staff.signed_in', 'case.image_viewed', 'review.decided']);
    expect(trail[2]!.object_id).toBe(c.caseId);
    expect(await server.services.audit.verify(null)).toMatchObject({ ok: true });

    const unscreened = await seedReviewCase(server, { tenantId, level: 't2', amlClear: null });
    const refused = await browser.fetch(`${server.url}/console/cases/${unscreened.caseId}/decision`, { form: { ...form, csrf: csrfOf(html) } });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('needs a screening that ran');
  });

  it('a signed-out browser has no session left', async () => {
    const m = await staffMember(server, 'admin', { twoStep: true });
    const { browser } = await consoleSignIn(server, m, new Browser());
    const q = await browser.fetch(`${server.url}/console/queue`);
    expect(q.status).toBe(200);
    const out = await browser.fetch(`${server.url}/console/sign-out`, { form: { csrf: csrfOf(await q.text()) } });
    expect(out.status).toBe(200);
    expect((await browser.fetch(`${server.url}/console/queue`)).status).toBe(302);
  });

  it('the console session ends after CONSOLE_IDLE_MINUTES without a request', async () => {
    const m = await staffMember(server, 'reviewer', { twoStep: true });
    const { browser } = await consoleSignIn(server, m);
    clock.advance(14 * 60_000);
    expect((await browser.fetch(`${server.url}/console/queue`)).status).toBe(200); // activity moves the idle time on
    clock.advance(14 * 60_000);
    expect((await browser.fetch(`${server.url}/console/queue`)).status).toBe(200);
    clock.advance(16 * 60_000);
    const idle = await browser.fetch(`${server.url}/console/queue`);
    expect(idle.status).toBe(302);
    expect(idle.headers.get('location')).toBe('/console/sign-in');
  });
});
