// Test mode (issue 14 §6) over HTTP with the real engines, on one server started without SANDBOX_MODE and with no
// sanctions list imported: a kp_test_ key's sample passport + selfie are approved at t2, the person's live status
// stays as it was, every response and webhook says livemode:false, the modes never see each other's objects, and
// every sample of public/samples gives the outcome its manifest promises.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listLists } from '../../../src/screening/index.js';
import { buildWebhookParts, type WebhookParts } from '../../../src/webhooks/workers.js';
import { Browser } from '../../support/browser.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { startReceiver, type Receiver } from '../../webhooks/support.js';
import { api, form, setupTenant, signIn, type Api, type TenantCtx } from './support.js';

const SAMPLES = path.resolve(import.meta.dirname, '../../../public/samples');
const manifest = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as {
  samples: { name: string; level: 't1' | 't2'; files: { document: string; document_back?: string; selfie?: string }; expected: { outcome: string; reason?: string } }[];
};
const sample = (file: string) => fs.readFileSync(path.join(SAMPLES, file));

let server: TestServer;
let receiver: Receiver;
let parts: WebhookParts;
let live: TenantCtx;
let test: TenantCtx;
let liveApi: Api;
let testApi: Api;
let person: { email: string; password: string; sub: string };

beforeAll(async () => {
  server = await startTestServer({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  expect(server.deps.config.sandbox).toBe(false);
  receiver = await startReceiver();
  parts = buildWebhookParts(server.deps);
  live = await setupTenant(server, 'Sandbox Bank');
  test = { ...live, apiKey: (await server.apiKey(live.tenantId, undefined, { test: true })).api_key };
  liveApi = api(server, live);
  testApi = api(server, test);
  const p = await server.person();
  person = { ...p, sub: (await signIn(server, live, p)).sub };
  await server.services.warmup();
}, 240_000);
afterAll(async () => {
  parts?.client.close();
  await parts?.queue.close();
  await receiver?.close();
  await server?.close();
});

const hooks = (key: string, body: unknown) =>
  fetch(`${server.url}/api/v1/webhooks/endpoints`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function run(a: Api, sub: string, s: (typeof manifest.samples)[number]) {
  const created = await a.create({ person_id: sub, level: s.level });
  expect(created.status, await created.clone().text()).toBe(201);
  const c = await created.json();
  const up = await a.upload(c.id, form({ document: sample(s.files.document), ...(s.files.document_back ? { documentBack: sample(s.files.document_back) } : {}), ...(s.files.selfie ? { selfie: sample(s.files.selfie) } : {}) }));
  expect(up.status, await up.clone().text()).toBe(200);
  const decided = await a.decide(c.id);
  expect(decided.status, await decided.clone().text()).toBe(200);
  return { created: c, uploaded: await up.json(), decision: await decided.json() };
}

describe('acceptance 6: sandbox', () => {
  it('a kp_test_ key: the sample passport + selfie are approved at t2 on a fresh server with no list import; live status unchanged; every webhook livemode:false', async () => {
    expect(test.apiKey).toMatch(/^kp_test_/);
    expect(await listLists(server.deps.db.knex)).toEqual([]);
    const testHook = await hooks(test.apiKey, { url: `${receiver.url}?mode=test`, events: ['*'] });
    const liveHook = await hooks(live.apiKey, { url: `${receiver.url}?mode=live`, events: ['*'] });
    expect(testHook.status).toBe(201);
    expect(await testHook.json()).toMatchObject({ livemode: false });
    expect(await liveHook.json()).toMatchObject({ livemode: true });

    const liveBefore = await (await liveApi.status(person.sub)).json();
    expect(liveBefore).toMatchObject({ kyc_status: 'unverified', kyc_tier: 't0', livemode: true });

    const valid = manifest.samples.find((s) => s.name === 'valid_passport')!;
    const r = await run(testApi, person.sub, valid);
    expect(r.created).toMatchObject({ status: 'open', livemode: false });
    expect(r.uploaded).toMatchObject({ livemode: false });
    expect(r.uploaded.document.checks.map((c: { name: string }) => c.name)).not.toContain('document.specimen');
    expect(r.decision).toMatchObject({ outcome: 'approved', automation_tier: 't2', reasons: [], livemode: false });
    const screening = r.decision.checks.find((c: { name: string }) => c.name === 'screening.sanctions_pep');
    expect(screening).toMatchObject({ passed: true, details: { lists: [expect.objectContaining({ name: 'kycport_test_mode_sample' })] } });
    // Test cases stay out of the live document registry and face dedup.
    expect(r.decision.checks.map((c: { name: string }) => c.name)).not.toContain('face.dedup');
    expect(Number((await server.deps.db.knex('verified_documents').count('* as n'))[0]!.n)).toBe(0);

    expect(await (await testApi.status(person.sub)).json()).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2', aml_clear: true, livemode: false });
    // The same person (the tenant's subject and the account behind it): live status, token claims unchanged.
    expect(await (await liveApi.status(person.sub)).json()).toEqual(liveBefore);
    expect((await signIn(server, live, person)).claims).toMatchObject({ kyc_status: 'unverified', kyc_tier: 't0' });

    // Each mode sees only its own objects.
    expect((await liveApi.get(r.created.id)).status).toBe(404);
    expect((await liveApi.decide(r.created.id)).status).toBe(404);
    expect((await (await liveApi.list()).json()).data).toEqual([]);
    const listed = await (await testApi.list()).json();
    expect(listed).toMatchObject({ livemode: false, data: [expect.objectContaining({ id: r.created.id, livemode: false })] });

    await parts.relay.drain();
    await parts.dispatchers[0]!.runOnce();
    const toTest = receiver.received.filter((x) => x.path.includes('mode=test')).map((x) => JSON.parse(x.body) as { type: string; livemode: boolean; data: Record<string, unknown> });
    expect(receiver.received.filter((x) => x.path.includes('mode=live'))).toEqual([]);
    expect(toTest.map((e) => e.type)).toEqual(expect.arrayContaining(['verification.case.created', 'verification.case.uploaded', 'verification.case.decided', 'person.assurance.changed']));
    for (const e of toTest) expect(e.livemode).toBe(false);
    const changed = toTest.filter((e) => e.type === 'person.assurance.changed').map((e) => e.data);
    expect(changed).toContainEqual(expect.objectContaining({ person_id: person.sub, current: { status: 'verified', tier: 't2' } }));
  }, 120_000);

  it('test sign-in: a test client carries the test assurance in its ID token; the live client the live one', async () => {
    const testClient = await server.client(live.tenantId, { test: true });
    const viaTest = await signIn(server, { ...live, client: testClient }, person);
    expect(viaTest.sub).toBe(person.sub);
    expect(viaTest.claims).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2', aml_clear: true });
    expect(viaTest.claims).not.toHaveProperty('verified_claims');
    expect((await signIn(server, live, person)).claims).toMatchObject({ kyc_status: 'unverified', kyc_tier: 't0' });
  }, 60_000);

  it('live keys get 404 on test objects and test keys on live ones; a live case on a normal server still refuses the specimen', async () => {
    const liveCase = await (await liveApi.create({ person_id: person.sub, level: 't1' })).json();
    expect(liveCase).toMatchObject({ livemode: true });
    expect((await testApi.get(liveCase.id)).status).toBe(404);
    const up = await liveApi.upload(liveCase.id, form({ document: sample('passport-valid.jpg') }));
    expect((await up.json()).document.checks).toContainEqual(expect.objectContaining({ name: 'document.specimen', passed: false, code: 'specimen_document' }));
    const d = await (await liveApi.decide(liveCase.id)).json();
    expect(d).toMatchObject({ outcome: 'rejected', livemode: true });
    // The live rejection moved the live status only; the test assurance keeps its approval.
    expect(await (await liveApi.status(person.sub)).json()).toMatchObject({ kyc_status: 'rejected', livemode: true });
    expect(await (await testApi.status(person.sub)).json()).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2', livemode: false });
  }, 60_000);
});

describe('test-mode sessions', () => {
  const newSession = async (key: string, externalUserId: string) => {
    const res = await fetch(`${server.url}/api/v1/verification/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ level: 't2', redirect_uri: live.client.redirect_uri, external_user_id: externalUserId }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string; url: string; livemode: boolean };
  };
  const sessions = (key: string, path = '') => fetch(`${server.url}/api/v1/verification/sessions${path}`, { headers: { authorization: `Bearer ${key}` } });

  it('a test key makes test sessions the live key cannot see (and the same external user may have one in each mode); the hosted pages show a test mode banner', async () => {
    const t = await newSession(test.apiKey, 'user-1');
    const l = await newSession(live.apiKey, 'user-1');
    expect(t).toMatchObject({ livemode: false });
    expect(l).toMatchObject({ livemode: true });
    expect(t.id).not.toBe(l.id);
    expect((await sessions(live.apiKey, `/${t.id}`)).status).toBe(404);
    expect((await sessions(test.apiKey, `/${l.id}`)).status).toBe(404);
    expect((await (await sessions(test.apiKey)).json()).data.map((x: { id: string }) => x.id)).toEqual([t.id]);

    const page = async (s: { id: string; url: string }) => {
      const b = new Browser();
      await b.fetch(s.url);
      return (await b.fetch(`${server.url}/verify/s/${s.id}`)).text();
    };
    const testPage = await page(t);
    expect(testPage).toMatch(/<p class="test-banner" role="note"><strong>Test mode\.<\/strong>/);
    expect(await page(l)).not.toContain('test-banner');
  });
});

describe('the samples at /docs/samples', () => {
  it.each(manifest.samples.map((s) => [s.name, s] as const))('%s gives the outcome the manifest says', async (_name, s) => {
    const { decision } = await run(testApi, person.sub, s);
    expect(decision).toMatchObject({ outcome: s.expected.outcome, livemode: false });
    if (s.expected.reason) expect(decision.reasons.map((x: { code: string }) => x.code)).toContain(s.expected.reason);
  }, 60_000);

  it('/docs/samples lists every sample with its expected outcome, and the images are served', async () => {
    const page = await fetch(`${server.url}/docs/samples`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const s of manifest.samples) {
      expect(html).toContain(s.expected.outcome);
      for (const file of Object.values(s.files)) expect(html).toContain(`/samples/${file}`);
    }
    const img = await fetch(`${server.url}/samples/passport-valid.jpg`);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toMatch(/image\/jpeg/);
  });
});

describe('withdrawal', () => {
  // Last: it ends the person's access for the tenant the tests above share.
  it("withdrawing a tenant's access takes its test assurance of the person too", async () => {
    const personId = (await server.deps.db.knex('subjects').where({ tenant_id: live.tenantId, sub: person.sub }).first('person_id')).person_id as string;
    expect(await server.deps.db.knex('test_assurance').where({ tenant_id: live.tenantId, person_id: personId })).toHaveLength(1);
    expect(await server.services.privacy.withdraw(personId, live.tenantId)).toMatchObject({ withdrawn: true });
    expect(await server.deps.db.knex('test_assurance').where({ tenant_id: live.tenantId, person_id: personId })).toHaveLength(0);
    expect((await testApi.status(person.sub)).status).toBe(404);
  });
});
