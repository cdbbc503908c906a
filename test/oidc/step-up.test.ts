// Tier step-up inside sign-in (issue 11 §3, §4 consent page): a relying party built with openid-client asks for a
// minimum tier with acr_values or an essential acr claim; the person is verified through the case API with the
// real engines. The hosted /verify/step-up page belongs to another part: here only its Location is asserted.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importListFile } from '../../src/screening/index.js';
import { FTM_FIXTURE } from '../fixtures/screening/index.js';
import { Browser, csrfOf } from '../support/browser.js';
import { generatePassport } from '../support/documents/index.js';
import { authRequest, discoverRp, type AuthRequest } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { api, form, newCase, type Api } from '../verification/cases/support.js';
import { personA } from '../verification/engine/face/samples.js';

const T = (n: number) => `urn:kycport:tier:t${n}`;
const essential = (acr: Record<string, unknown>) => ({ claims: JSON.stringify({ id_token: { acr: { essential: true, ...acr } } }) });

let server: TestServer;
let tenantId: string;
let a: Api;
let client: { client_id: string; client_secret?: string; redirect_uri: string };

beforeAll(async () => {
  server = await startTestServer();
  tenantId = await server.tenant('Acme Bank');
  const { api_key } = await server.apiKey(tenantId);
  client = await server.client(tenantId);
  a = api(server, { tenantId, apiKey: api_key, client });
  // A t2 approval includes sanctions screening: without a loaded list it would go to manual review.
  await importListFile(server.deps.db, FTM_FIXTURE);
});
afterAll(async () => {
  await server?.services.close();
  await server?.close();
});

type Person = { id: string; email: string; password: string };
type Stop = { kind: 'callback' | 'step-up'; url: URL; pages: string[] };

/**
 * Follows redirects and fills the sign-in and consent forms, until the browser leaves for the relying party or
 * is sent to the hosted verification flow (/verify/…). `pages` are the HTML pages seen on the way.
 */
async function walk(browser: Browser, start: string, person: Person): Promise<Stop> {
  const pages: string[] = [];
  let current = start;
  let res = await browser.fetch(current);
  for (let i = 0; i < 20; i++) {
    if (res.status >= 300 && res.status < 400) {
      current = new URL(res.headers.get('location')!, current).href;
      if (!current.startsWith(server.url)) return { kind: 'callback', url: new URL(current), pages };
      if (new URL(current).pathname.startsWith('/verify/')) return { kind: 'step-up', url: new URL(current), pages };
      res = await browser.fetch(current);
      continue;
    }
    const page = await res.text();
    expect(res.status, page.slice(0, 400)).toBe(200);
    pages.push(page);
    const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
    if (!action || !/\/(login|confirm)$/.test(action)) throw new Error(`unexpected page at ${current}: ${page.slice(0, 400)}`);
    const fields: Record<string, string> = { csrf: csrfOf(page) };
    if (action.endsWith('/login')) Object.assign(fields, { email: person.email, password: person.password });
    current = new URL(action, server.url).href;
    res = await browser.fetch(current, { form: fields });
  }
  throw new Error('the walk did not end');
}

async function start(c = client, extra: Record<string, string> = {}, scope = 'openid kyc'): Promise<{ config: oidc.Configuration; req: AuthRequest }> {
  const config = await discoverRp(server, c);
  return { config, req: await authRequest(config, c.redirect_uri, scope, extra) };
}

async function tokens(config: oidc.Configuration, req: AuthRequest, callback: URL) {
  return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true });
}

/** The step-up Location's interaction uid, after checking its shape against CONTRACTS.md. */
function stepUpUid(stop: Stop, level: string): string {
  expect(stop.kind).toBe('step-up');
  const m = /^\/verify\/step-up\/([\w-]+)$/.exec(stop.url.pathname);
  expect(m, stop.url.href).toBeTruthy();
  expect([...stop.url.searchParams.entries()]).toEqual([['level', level]]);
  return m![1]!;
}

/** From the step-up choice page (back from the hosted flow without the tier): "Continue without verifying". */
async function continueWithout(browser: Browser, uid: string, person: Person): Promise<Stop> {
  const back = await browser.fetch(`${server.url}/interaction/${uid}/stepped-up`);
  expect(back.status).toBe(200);
  const page = await back.text();
  const res = await browser.fetch(`${server.url}/interaction/${uid}/without-verifying`, { form: { csrf: csrfOf(page) } });
  expect(res.status).toBe(303);
  const walked = await walk(browser, new URL(res.headers.get('location')!, server.url).href, person);
  return { ...walked, pages: [page, ...walked.pages] };
}

describe('discovery', () => {
  it('advertises the tiers as acr values and the claims parameter', async () => {
    const d = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
    expect(d.acr_values_supported).toEqual([T(0), T(1), T(2), T(3)]);
    expect(d.claims_parameter_supported).toBe(true);
    expect(d.claims_supported).toContain('acr');
  });
});

describe('step-up with acr_values (voluntary)', () => {
  let p: Person;
  let sub: string;
  const browser = new Browser();

  beforeAll(async () => {
    p = await server.person();
  });

  it('a t0 person asked for t2 is sent to /verify/step-up; continuing without verifying still gives a code, acr t0', async () => {
    const { config, req } = await start(client, { acr_values: T(2) });
    const stop = await walk(browser, req.url.href, p);
    const uid = stepUpUid(stop, 't2');

    const back = await browser.fetch(`${server.url}/interaction/${uid}/stepped-up`);
    const choice = await back.text();
    expect(choice).toContain('Continue without verifying');
    expect(choice).toMatch(/may refuse/);
    expect(choice).toContain(`href="/verify/step-up/${uid}?level=t2"`);

    const done = await continueWithout(browser, uid, p);
    expect(done.kind).toBe('callback');
    // The consent page on the way says in plain words what the tenant sees, never a scope code.
    const consent = done.pages.find((x) => x.includes('/confirm'))!;
    for (const words of ['verification status', 'verification level (tier', 'screening result', 'verification expires']) expect(consent).toContain(words);
    expect(consent).not.toContain('Your email address');
    for (const code of [/<code>/, /\bkyc\b/, /\bopenid\b/, /offline_access/, /kyc_tier|kyc_status|aml_clear/]) expect(consent).not.toMatch(code);

    const t = await tokens(config, req, done.url);
    const id = t.claims()!;
    expect(id).toMatchObject({ acr: T(0), kyc_tier: 't0', kyc_status: 'unverified' });
    sub = id.sub;
  });

  it('asked for t0, anyone passes without a step-up; the consent page lists email only when asked', async () => {
    const q = await server.person();
    const { config, req } = await start(client, { acr_values: T(0) }, 'openid email kyc');
    const stop = await walk(new Browser(), req.url.href, q);
    expect(stop.kind).toBe('callback');
    expect(stop.pages.find((x) => x.includes('/confirm'))).toContain('Your email address');
    expect((await tokens(config, req, stop.url)).claims()).toMatchObject({ acr: T(0), kyc_tier: 't0', email: q.email });
  });

  it('a client the person shared only an identifier with must ask consent before a tier request reveals the tier', async () => {
    const q = await server.person();
    const browser = new Browser();
    const first = await start(client, {}, 'openid');
    const plain = await walk(browser, first.req.url.href, q);
    expect(plain.pages.find((x) => x.includes('/confirm'))).not.toContain('verification level');
    expect((await tokens(first.config, first.req, plain.url)).claims()!.acr).toBeUndefined();
    const tier = await start(client, { acr_values: T(0) }, 'openid');
    const asked = await walk(browser, tier.req.url.href, q);
    expect(asked.pages.find((x) => x.includes('/confirm'))).toContain('Your verification level');
    expect((await tokens(tier.config, tier.req, asked.url)).claims()).toMatchObject({ acr: T(0) });
    // Shared once, the tier needs no new consent.
    const again = await start(client, { acr_values: T(0) }, 'openid');
    const quiet = await walk(browser, again.req.url.href, q);
    expect(quiet.pages).toEqual([]);
    expect((await tokens(again.config, again.req, quiet.url)).claims()).toMatchObject({ acr: T(0) });
  });

  it('GET /interaction/:uid/stepped-up after the tier was raised (case API) continues to consent; the ID token has acr t2', async () => {
    // A second app of the same tenant: no grant yet, so the way back goes through consent.
    const other = await server.client(tenantId);
    const { config, req } = await start(other, { acr_values: T(2) }, 'openid kyc offline_access');
    // The same browser is still signed in: no sign-in page, straight to the step-up.
    const stop = await walk(browser, req.url.href, p);
    expect(stop.pages).toEqual([]);
    const uid = stepUpUid(stop, 't2');

    // The verification happens elsewhere (the hosted flow); here the tenant's back-end runs it through the case API.
    const doc = await generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: 'S12345671' } });
    const caseId = await newCase(a, sub, 't2');
    const up = await a.upload(caseId, form({ document: doc.image, selfie: await personA.find((s) => s.id === 'grid-0-15')!.load() }));
    expect(up.status, await up.clone().text()).toBe(200);
    const decided = await a.decide(caseId);
    expect(decided.status, await decided.clone().text()).toBe(200);
    const decision = await decided.json();
    expect(decision, JSON.stringify(decision.reasons)).toMatchObject({ outcome: 'approved', automation_tier: 't2' });

    const back = await browser.fetch(`${server.url}/interaction/${uid}/stepped-up`);
    expect(back.status).toBe(303);
    const done = await walk(browser, new URL(back.headers.get('location')!, server.url).href, p);
    expect(done.kind).toBe('callback');
    expect(done.pages.some((x) => x.includes(`/interaction/`) && x.includes('/confirm'))).toBe(true);
    const t = await tokens(config, req, done.url);
    expect(t.claims()).toMatchObject({ acr: T(2), kyc_tier: 't2', kyc_status: 'verified' });

    // Without acr_values, the kyc scope still carries acr, the same tier as kyc_tier; a refresh re-reads it.
    expect(t.refresh_token).toBeTruthy();
    await server.deps.db.knex('assurance').where({ person_id: p.id }).update({ expires_at: new Date(Date.now() - 1000) });
    const refreshed = await oidc.refreshTokenGrant(config, t.refresh_token!);
    expect(refreshed.claims()).toMatchObject({ acr: T(0), kyc_status: 'expired' });
    // A later sign-in in the same browser session does not over-state the tier either.
    const again = await start(client);
    const quiet = await walk(browser, again.req.url.href, p);
    expect(quiet.kind).toBe('callback');
    expect((await tokens(again.config, again.req, quiet.url)).claims()).toMatchObject({ acr: T(0), kyc_status: 'expired' });
    await server.deps.db.knex('assurance').where({ person_id: p.id }).update({ expires_at: new Date(Date.now() + 86_400_000) });
  }, 300_000);

  it('a verified t2 person asked for t2 (or t1 t2) gets a code straight away, acr t2 and kyc_tier t2', async () => {
    for (const acr_values of [T(2), `${T(1)} ${T(2)}`]) {
      const { config, req } = await start(client, { acr_values });
      const stop = await walk(new Browser(), req.url.href, p);
      expect(stop.kind).toBe('callback');
      expect((await tokens(config, req, stop.url)).claims()).toMatchObject({ acr: T(2), kyc_tier: 't2', kyc_status: 'verified' });
    }
  });

  it('asked for t3, the t2 person is sent to step up to t3', async () => {
    const { req } = await start(client, { acr_values: T(3) });
    stepUpUid(await walk(new Browser(), req.url.href, p), 't3');
  });

  it('the essential acr claim (value or values) is met by the verified t2 person', async () => {
    for (const acr of [{ value: T(2) }, { values: [T(1), T(2)] }]) {
      const { config, req } = await start(client, essential(acr));
      const stop = await walk(new Browser(), req.url.href, p);
      expect(stop.kind).toBe('callback');
      expect((await tokens(config, req, stop.url)).claims()).toMatchObject({ acr: T(2), kyc_tier: 't2' });
    }
  });
});

describe('step-up with an essential acr claim', () => {
  it('a t0 person is sent to step up; not reaching it is a failed authentication (unmet_authentication_requirements)', async () => {
    const q = await server.person();
    const browser = new Browser();
    const { req } = await start(client, essential({ value: T(2) }));
    const uid = stepUpUid(await walk(browser, req.url.href, q), 't2');
    const back = await (await browser.fetch(`${server.url}/interaction/${uid}/stepped-up`)).text();
    expect(back).not.toContain('Continue without verifying');
    expect(back).toContain('Return to');
    const done = await continueWithout(browser, uid, q);
    expect(done.kind).toBe('callback');
    expect(done.url.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(done.url.searchParams.get('code')).toBeNull();
    expect(done.url.searchParams.get('state')).toBe(req.state);
  });

  it('an essential acr naming none of the tiers fails at once; an unknown voluntary value is ignored', async () => {
    const q = await server.person();
    const { req } = await start(client, essential({ values: ['urn:example:loa:high'] }));
    const stop = await walk(new Browser(), req.url.href, q);
    expect(stop.kind).toBe('callback');
    expect(stop.url.searchParams.get('error')).toBe('unmet_authentication_requirements');

    const loose = await start(client, { acr_values: 'urn:example:loa:high' });
    const ok = await walk(new Browser(), loose.req.url.href, q);
    expect(ok.kind).toBe('callback');
    expect((await tokens(loose.config, loose.req, ok.url)).claims()).toMatchObject({ acr: T(0) });
  });

  it('prompt=none: acr_values below the tier answers with the tier held; an essential one is login_required', async () => {
    const q = await server.person();
    const browser = new Browser();
    const first = await start(client);
    expect((await walk(browser, first.req.url.href, q)).kind).toBe('callback');
    const quiet = await start(client, { acr_values: T(2), prompt: 'none' });
    const ok = await walk(browser, quiet.req.url.href, q);
    expect((await tokens(quiet.config, quiet.req, ok.url)).claims()).toMatchObject({ acr: T(0) });
    const strict = await start(client, { ...essential({ value: T(2) }), prompt: 'none' });
    expect((await walk(browser, strict.req.url.href, q)).url.searchParams.get('error')).toBe('login_required');
  });
});

describe('a test client (test mode)', () => {
  it("the tier held is the tenant's test assurance (not the live one), and its step-up opens a test-mode session with the banner", async () => {
    const testClient = await server.client(tenantId, { test: true });
    const testKey = (await server.apiKey(tenantId, undefined, { test: true })).api_key;
    const p = await server.person();
    // Verified live at t2 (as the cases above make it): the live client needs no step-up, the test client does.
    await server.deps.db.knex('assurance').where({ person_id: p.id }).update({ status: 'verified', tier: 't2', aml_clear: true, verified_at: new Date(), expires_at: new Date(Date.now() + 86_400_000) });
    const viaLive = await start(client, { acr_values: T(2) });
    const liveStop = await walk(new Browser(), viaLive.req.url.href, p);
    expect(liveStop.kind).toBe('callback');
    expect((await tokens(viaLive.config, viaLive.req, liveStop.url)).claims()).toMatchObject({ acr: T(2), kyc_tier: 't2' });
    const browser = new Browser();
    const { req } = await start(testClient, { acr_values: T(2) });
    const uid = stepUpUid(await walk(browser, req.url.href, p), 't2');
    const intro = await browser.fetch(`${server.url}/verify/step-up/${uid}?level=t2`);
    const page = await intro.text();
    expect(page).toContain('class="test-banner"');
    const entered = await browser.fetch(`${server.url}/verify/step-up/${uid}?level=t2`, { form: { csrf: csrfOf(page) } });
    expect(entered.status).toBe(303);
    const sessionId = /\/verify\/s\/(vs_[\w-]+)$/.exec(entered.headers.get('location')!)![1]!;
    const read = (key: string) => fetch(`${server.url}/api/v1/verification/sessions/${sessionId}`, { headers: { authorization: `Bearer ${key}` } });
    expect(await (await read(testKey)).json()).toMatchObject({ id: sessionId, livemode: false });
    expect((await read((await server.apiKey(tenantId)).api_key)).status).toBe(404);
  });
});
