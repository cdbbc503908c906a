// The hosted verification pages over HTTP (no browser: a cookie jar, forms posted with fetch, real generated ID
// cards through the real engines): the single-use link bound to one browser, sign-in through the provider's
// pages, document choice, captures with the API's errors as pages, a retake, processing, the result and the
// redirect with session_id and status only; CSP with a per-response nonce; English and German; expired links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { Browser, csrfOf } from '../support/browser.js';
import { generateIdCard, generatePassport } from '../support/documents/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { setupTenant, type TenantCtx } from '../verification/cases/support.js';
import { setBranding } from '../../src/tenants/branding.js';
import { personA } from '../verification/engine/face/samples.js';
import { importListFile } from '../../src/screening/index.js';
import { FTM_FIXTURE } from '../fixtures/screening/index.js';

const clock = new ManualClock(new Date());
let server: TestServer;
let t: TenantCtx;
let card: Awaited<ReturnType<typeof generateIdCard>>;

beforeAll(async () => {
  server = await startTestServer({ clock });
  t = await setupTenant(server, 'Acme Bank');
  await setBranding(server.deps.db.knex, t.tenantId, { displayName: 'Acme', accentColor: '#0a5cff' });
  card = await generateIdCard({ portrait: 'personA_webcam', fields: { documentNumber: 'HOS123456' } });
}, 120_000);
afterAll(async () => {
  await server?.services.close();
  await server?.close();
});

async function newSession(body: Record<string, unknown> = {}): Promise<{ id: string; url: string }> {
  const res = await fetch(`${server.url}/api/v1/verification/sessions/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ level: 't1', redirect_uri: t.client.redirect_uri, ...body }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string };
}

const path = (res: Response) => new URL(res.headers.get('location')!, server.url).pathname;

/** Sign-in and consent through the provider's pages until the browser is back on the session's page. */
async function signIn(b: Browser, id: string, person: { email: string; password: string }): Promise<string> {
  let step = await b.follow(`${server.url}/verify/s/${id}/sign-in`, server.url);
  for (let i = 0; i < 5 && !step.url.includes(`/verify/s/${id}`); i++) {
    const page = await step.res.text();
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(page)![1]!, server.url).href;
    const form: Record<string, string> = { csrf: csrfOf(page) };
    if (action.endsWith('/login')) Object.assign(form, { email: person.email, password: person.password });
    step = await b.follow(action, server.url, { form });
  }
  expect(step.url).toBe(`${server.url}/verify/s/${id}`);
  return step.res.text();
}

function photo(field: string, bytes: Buffer, csrf: string, type = 'image/jpeg'): FormData {
  const f = new FormData();
  f.append('csrf', csrf);
  f.append(field, new Blob([new Uint8Array(bytes)], { type }), 'photo.jpg');
  return f;
}

async function capture(b: Browser, id: string, kind: string, field: string, bytes: Buffer, page: string): Promise<Response> {
  return b.fetch(`${server.url}/verify/s/${id}/capture/${kind}`, { method: 'POST', multipart: photo(field, bytes, csrfOf(page)) });
}

async function untilDone(b: Browser, id: string): Promise<{ status: string; done: boolean; next: string }> {
  for (let i = 0; i < 240; i++) {
    const s = (await (await b.fetch(`${server.url}/verify/s/${id}/state.json`)).json()) as { status: string; done: boolean; next: string };
    if (s.done) return s;
    await new Promise((r) => setTimeout(r, 250)); // polling a background decision, as the page does
  }
  throw new Error('never done');
}

describe('hosted verification pages', () => {
  it('link → sign-in → choose → captures (bad file as a page) → processing → verified → redirect with session_id and status only', async () => {
    const s = await newSession({ external_user_id: 'web-1' });
    const b = new Browser();
    const open = await b.fetch(s.url);
    expect(open.status).toBe(302);
    expect(path(open)).toBe(`/verify/s/${s.id}`);

    // The link works once: another browser gets a clear page; this browser resumes (a closed tab).
    const other = new Browser();
    const used = await other.fetch(s.url);
    expect(used.status).toBe(410);
    expect(await used.text()).toContain('This link was already used');
    expect(path(await b.fetch(s.url))).toBe(`/verify/s/${s.id}`);
    const foreign = await other.fetch(`${server.url}/verify/s/${s.id}`);
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain('Open the link in the same browser');

    const first = await b.fetch(`${server.url}/verify/s/${s.id}`);
    const html = await first.text();
    expect(html).toContain('Sign in or create an account');
    expect(html).toContain('<span>Acme</span>');
    const csp = first.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)![1]!;
    expect(html).toContain(`<script type="module" src="/assets/hosted/verify.js" nonce="${nonce}">`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' http://127.0.0.1:9");
    expect(JSON.parse(/<script type="application\/json" id="kp-messages">([^<]+)<\/script>/.exec(html)![1]!)).toHaveProperty('client.camera.use');
    const again = await b.fetch(`${server.url}/verify/s/${s.id}`);
    expect(again.headers.get('content-security-policy')).not.toBe(csp);
    expect(await (await fetch(`${server.url}/verify/t/${t.tenantId}/style.css`)).text()).toContain('--brand:#0a5cff');

    const person = await server.person();
    let page = await signIn(b, s.id, person);
    expect(page).toContain('Choose your document');
    const bad = await b.fetch(`${server.url}/verify/s/${s.id}/choose`, { form: { csrf: csrfOf(page), document_type: 'id_card', country: 'Germany' } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/aria-invalid="true"/);
    const chosen = await b.fetch(`${server.url}/verify/s/${s.id}/choose`, { form: { csrf: csrfOf(page), document_type: 'id_card', country: 'deu' } });
    expect(chosen.status).toBe(302);

    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    expect(page).toContain('data-capture="document"');
    expect(page).toMatch(/<input type="file" id="file" name="document" accept="image\/jpeg,image\/png" required/);
    // Not an image: the API's own message, on the page, tied to the field.
    const wrong = await b.fetch(`${server.url}/verify/s/${s.id}/capture/document`, { method: 'POST', multipart: photo('document', Buffer.from('plain text, not a photo'), csrfOf(page), 'text/plain') });
    expect(wrong.status).toBe(415);
    const wrongPage = await wrong.text();
    expect(wrongPage).toContain('only JPEG, PNG and WebP images are accepted');
    expect(wrongPage).toMatch(/aria-invalid="true" aria-describedby="field-error hint"/);
    // A forged form (no csrf) stores nothing.
    const forged = new FormData();
    forged.append('document', new Blob([new Uint8Array(card.front)], { type: 'image/jpeg' }), 'a.jpg');
    expect((await b.fetch(`${server.url}/verify/s/${s.id}/capture/document`, { method: 'POST', multipart: forged })).status).toBe(403);

    expect((await capture(b, s.id, 'document', 'document', card.front, page)).status).toBe(302);
    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    expect(page).toContain('data-capture="document_back"');
    expect((await capture(b, s.id, 'document_back', 'document_back', card.back, page)).status).toBe(302);
    const processing = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    expect(processing).toContain(`<div id="progress" aria-live="polite" data-poll="/verify/s/${s.id}/state.json">`);
    expect(processing).toContain('<noscript><meta http-equiv="refresh" content="5"></noscript>');
    expect(await untilDone(b, s.id)).toEqual({ status: 'verified', done: true, next: `/verify/s/${s.id}` });
    expect(await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text()).toContain('You are verified');
    const back = await b.fetch(`${server.url}/verify/s/${s.id}/continue`);
    const target = new URL(back.headers.get('location')!);
    expect(target.origin + target.pathname).toBe(t.client.redirect_uri);
    expect([...target.searchParams.keys()].sort()).toEqual(['session_id', 'status']);
    expect(target.searchParams.get('status')).toBe('verified');
    // Staged photos are gone once they went to the case.
    expect((await server.services.uploads.list()).filter((f) => f.startsWith(`${s.id}/`))).toEqual([]);
  }, 180_000);

  it('a capture problem asks for a retake in plain words (German); the retake in the same session is verified', async () => {
    // Another document: the first one already backs the first test's person.
    const card = await generateIdCard({ portrait: 'personA_webcam', fields: { documentNumber: 'HOS654321' } });
    const s = await newSession({ locale: 'de' });
    const b = new Browser();
    await b.fetch(s.url);
    let page = await signIn(b, s.id, await server.person());
    expect(page).toContain('Dokument wählen');
    expect(page).toContain('<html lang="de">');
    await b.fetch(`${server.url}/verify/s/${s.id}/choose`, { form: { csrf: csrfOf(page), document_type: 'passport', country: 'NLD' } });
    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    await capture(b, s.id, 'document', 'document', card.front, page);
    expect((await untilDone(b, s.id)).status).toBe('resubmission_requested');
    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    expect(page).toContain('Die Rückseite des Ausweises wird gebraucht');
    await b.fetch(`${server.url}/verify/s/${s.id}/choose`, { form: { csrf: csrfOf(page), document_type: 'id_card', country: 'NLD' } });
    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    await capture(b, s.id, 'document', 'document', card.front, page);
    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    await capture(b, s.id, 'document_back', 'document_back', card.back, page);
    expect((await untilDone(b, s.id)).status).toBe('verified');
    expect(await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text()).toContain('Sie sind bestätigt');
  }, 180_000);

  it('t2: passport and selfie through the upload fallback → verified', async () => {
    const passport = await generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: 'HOS7654321' } });
    const selfie = await personA.find((x) => x.id === 'grid-0-15')!.load();
    await importListFile(server.deps.db, FTM_FIXTURE); // t2 needs sanctions screening
    const s = await newSession({ level: 't2' });
    const b = new Browser();
    await b.fetch(s.url);
    let page = await signIn(b, s.id, await server.person());
    await b.fetch(`${server.url}/verify/s/${s.id}/choose`, { form: { csrf: csrfOf(page), document_type: 'passport', country: 'NLD' } });
    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    expect((await capture(b, s.id, 'document', 'document', passport.image, page)).status).toBe(302);
    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    expect(page).toContain('data-capture="selfie"');
    expect(page).toContain('capture="user"');
    expect((await capture(b, s.id, 'selfie', 'selfie', selfie, page)).status).toBe(302);
    const done = await untilDone(b, s.id);
    const row = await server.services.sessions.byId(s.id);
    expect(done.status, JSON.stringify(row?.reasons)).toBe('verified');
    const status = await fetch(`${server.url}/api/v1/kyc/${row!.sub}/status`, { headers: { authorization: `Bearer ${t.apiKey}` } });
    expect(await status.json()).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2' });
    // An unknown session id is a page too.
    const unknown = await b.fetch(`${server.url}/verify/s/vs_unknown000000`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('text/html');
  }, 180_000);

  it('t3: after the document and the selfie, the head-turn step carries the engine\'s challenge and takes several frames', async () => {
    const passport = await generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: 'HOS7654333' } });
    const selfie = await personA.find((x) => x.id === 'grid-0-15')!.load();
    const s = await newSession({ level: 't3' });
    const b = new Browser();
    await b.fetch(s.url);
    let page = await signIn(b, s.id, await server.person());
    await b.fetch(`${server.url}/verify/s/${s.id}/choose`, { form: { csrf: csrfOf(page), document_type: 'passport', country: 'NLD' } });
    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    await capture(b, s.id, 'document', 'document', passport.image, page);
    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    await capture(b, s.id, 'selfie', 'selfie', selfie, page);
    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    expect(page).toContain('data-capture="liveness"');
    expect(page).toMatch(/<input type="file" id="file" name="frames" accept="image\/jpeg,image\/png" required multiple/);
    const challenge = JSON.parse(/data-challenge="([^"]+)"/.exec(page)![1]!.replace(/&quot;/g, '"')) as string[];
    const row = await server.services.sessions.byId(s.id);
    const stored = await server.deps.db.knex('verification_cases').where({ id: row!.case_id }).first();
    expect(challenge).toEqual(stored.challenge);
    expect(challenge.length).toBeGreaterThan(0);
  }, 120_000);

  it('an expired link and an unknown one give clear pages saying what to do; staged photos go with the session', async () => {
    const s = await newSession();
    // A photo taken before the link ran out (the front of an ID card; the back never came) goes when it expires.
    const b = new Browser();
    await b.fetch(s.url);
    let page = await signIn(b, s.id, await server.person());
    await b.fetch(`${server.url}/verify/s/${s.id}/choose`, { form: { csrf: csrfOf(page), document_type: 'id_card', country: 'NLD' } });
    page = await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    expect((await capture(b, s.id, 'document', 'document', card.front, page)).status).toBe(302);
    const staged = async () => (await server.services.uploads.list()).filter((f) => f.startsWith(`${s.id}/`));
    expect(await staged()).toHaveLength(1);
    clock.advance(25 * 3_600_000);
    // (Other tests' unfinished sessions expire with it.)
    expect((await server.services.sessions.expireDue()).expired).toBeGreaterThanOrEqual(1);
    expect(await server.services.sessions.byId(s.id)).toMatchObject({ status: 'expired', staged: null });
    expect(await staged()).toEqual([]);
    expect(await (await b.fetch(`${server.url}/verify/s/${s.id}`)).text()).toContain('This verification has expired');
    const res = await new Browser().fetch(s.url, { headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('ask for a new link');
    const unknown = await new Browser().fetch(`${server.url}/verify/l/${'A'.repeat(43)}`, { headers: { 'accept-language': 'de-DE,de;q=0.9' } });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('Dieser Link ist ungültig');
  });
});

describe('step-up entry from a sign-in interaction', () => {
  it('explains first (no session, nothing for the tenant yet); Continue opens a started session for the signed-in person that ends at /interaction/:uid/stepped-up; a stranger gets a clear page', async () => {
    const { discoverRp, authRequest } = await import('../support/oidc.js');
    const config = await discoverRp(server, t.client);
    const req = await authRequest(config, t.client.redirect_uri, 'openid kyc');
    const b = new Browser();
    const person = await server.person();
    let step = await b.follow(req.url.href, server.url);
    let page = await step.res.text();
    step = await b.follow(new URL(/<form method="post" action="([^"]+)"/.exec(page)![1]!, server.url).href, server.url, { form: { csrf: csrfOf(page), email: person.email, password: person.password } });
    const uid = /\/interaction\/([\w-]+)/.exec(step.url)![1]!;

    const stranger = await new Browser().fetch(`${server.url}/verify/step-up/${uid}?level=t1`);
    expect(stranger.status).toBe(400);
    expect(await stranger.text()).toContain('sign in again');
    expect((await b.fetch(`${server.url}/verify/step-up/${uid}?level=t9`)).status).toBe(400);

    const sessionsBefore = await server.deps.db.knex('verification_sessions').count({ n: '*' }).first();
    const intro = await b.fetch(`${server.url}/verify/step-up/${uid}?level=t1`);
    expect(intro.status).toBe(200);
    page = await intro.text();
    expect(page).toContain('sees the result: your verification status, level, sanctions screening result and when it expires');
    expect(page).toContain(`href="/interaction/${uid}/stepped-up"`);
    expect(await server.deps.db.knex('verification_sessions').count({ n: '*' }).first()).toEqual(sessionsBefore);
    const forged = await b.fetch(`${server.url}/verify/step-up/${uid}?level=t1`, { form: { csrf: 'forged' } });
    expect(forged.status).toBe(403);

    const entered = await b.fetch(`${server.url}/verify/step-up/${uid}?level=t1`, { form: { csrf: csrfOf(page) } });
    expect(entered.status).toBe(303);
    const id = /\/verify\/s\/(vs_[\w-]+)$/.exec(path(entered))![1]!;
    page = await (await b.fetch(`${server.url}/verify/s/${id}`)).text();
    expect(page).toContain('Choose your document');
    const row = await server.services.sessions.byId(id);
    expect(row).toMatchObject({ status: 'in_progress', level: 't1', return_to: `${server.url}/interaction/${uid}/stepped-up` });
    expect(row!.sub).toMatch(/^psn_/);
    await server.services.sessions.cancel(row!.tenant_id, id);
    const done = await b.fetch(`${server.url}/verify/s/${id}/continue`);
    expect(done.headers.get('location')).toBe(`${server.url}/interaction/${uid}/stepped-up`);
  }, 60_000);
});
