// The SDK against a live server (issue 14 §3, acceptance 3): generated types in step with the served document,
// status lookups, sessions, a case uploaded from a Buffer and a stream and decided by the real engines (live, and
// in test mode with the shipped sample images), webhook endpoints, and real deliveries verified with
// verifyWebhook. One server for the file.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KycPort, KycPortError, verifyWebhook, WebhookVerificationError, type WebhookEvent } from '../../packages/sdk/src/index.js';
import { renderSdkTypes, SDK_TYPES_FILE } from '../../scripts/sdk-types.js';
import { importListFile } from '../../src/screening/index.js';
import { buildWebhookParts, type WebhookParts } from '../../src/webhooks/workers.js';
import { FTM_FIXTURE } from '../fixtures/screening/index.js';
import { generatePassport } from '../support/documents/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { personA } from '../verification/engine/face/samples.js';
import { setupTenant, subject, type TenantCtx } from '../verification/cases/support.js';
import { startReceiver, type Receiver } from '../webhooks/support.js';

let server: TestServer;
let tenant: TenantCtx;
let kyc: KycPort;
let receiver: Receiver;
let parts: WebhookParts;
let person: { sub: string };
/** Every request the client sent (it is handed this fetch, which passes everything through to the real one). */
const sent: { method: string; url: string; headers: Headers }[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  receiver = await startReceiver();
  parts = buildWebhookParts(server.deps);
  tenant = await setupTenant(server, 'SDK Corp');
  person = await subject(server, tenant);
  kyc = new KycPort({
    baseUrl: `${server.url}/`,
    apiKey: tenant.apiKey,
    fetch: (input, init) => {
      sent.push({ method: init?.method ?? 'GET', url: String(input), headers: new Headers(init?.headers) });
      return fetch(input, init);
    },
  });
});
afterAll(async () => {
  parts?.client.close();
  await parts?.queue.close();
  await receiver?.close();
  await server?.close();
});

async function deliver(): Promise<void> {
  await parts.relay.drain();
  await parts.dispatchers[0]!.runOnce();
}

describe('generated types', () => {
  it('are what `npm run sdk:types` makes from the document this server serves (else: regenerate and commit)', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Record<string, unknown>;
    expect(fs.readFileSync(SDK_TYPES_FILE, 'utf8') === (await renderSdkTypes(doc)), 'packages/sdk/src/generated/api.ts is stale: run `npm run sdk:types`').toBe(true);
  });
});

describe('status and sessions', () => {
  it('reads a status by the pairwise subject', async () => {
    const status = await kyc.status.get(person.sub);
    expect(status).toMatchObject({ person_id: person.sub, kyc_status: 'unverified', kyc_tier: 't0' });
  });

  it('creates a session with an automatic Idempotency-Key, reads and cancels it', async () => {
    const created = await kyc.sessions.create({ level: 't1', person_id: person.sub, redirect_uri: tenant.client.redirect_uri, external_user_id: 'user-1' });
    expect(created).toMatchObject({ status: 'created', level: 't1', external_user_id: 'user-1' });
    const post = sent.findLast((r) => r.method === 'POST' && r.url.endsWith('/api/v1/verification/sessions'))!;
    expect(post.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);

    // A given key replays: the same session, not a second one.
    const key = `order-${Date.now()}`;
    const first = await kyc.sessions.create({ level: 't2', redirect_uri: tenant.client.redirect_uri }, { idempotencyKey: key });
    const again = await kyc.sessions.create({ level: 't2', redirect_uri: tenant.client.redirect_uri }, { idempotencyKey: key });
    expect(again.id).toBe(first.id);

    expect((await kyc.sessions.get(created.id)).id).toBe(created.id);
    expect((await kyc.sessions.list({ external_user_id: 'user-1' })).data.map((s) => s.id)).toEqual([created.id]);
    expect(await kyc.sessions.cancel(created.id)).toMatchObject({ id: created.id, status: 'canceled' });
  });

  it('throws KycPortError with the server code: bad key, unknown id, invalid body', async () => {
    const bad = new KycPort({ baseUrl: server.url, apiKey: 'kp_wrong' });
    const unauthorized = await bad.status.get(person.sub).catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(KycPortError);
    expect(unauthorized).toMatchObject({ status: 401, error: 'unauthorized' });
    expect((unauthorized as KycPortError).message).toBeTruthy();

    await expect(kyc.sessions.get('vs_nope')).rejects.toMatchObject({ status: 404, error: 'not_found' });
    const invalid = (await kyc.cases.create({ person_id: person.sub, level: 't9' as 't1' }).catch((e: unknown) => e)) as KycPortError;
    expect(invalid).toMatchObject({ status: 400, error: 'validation_failed' });
    expect(invalid.details?.length).toBeGreaterThan(0);
  });
});

describe('cases and webhooks', () => {
  let endpoint: { id: string; secret: string };
  const events = (type: string) => receiver.received.filter((r) => (JSON.parse(r.body) as WebhookEvent).type === type);

  it('creates an endpoint and verifies a real test delivery; a tampered body or wrong secret is refused', async () => {
    endpoint = await kyc.webhooks.endpoints.create({ url: receiver.url, events: ['webhook.test', 'verification.case.decided'] });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await kyc.webhooks.endpoints.list()).data.map((e) => e.id)).toContain(endpoint.id);
    await kyc.webhooks.endpoints.test(endpoint.id);
    await deliver();
    const [delivery] = events('webhook.test');
    expect(delivery).toBeDefined();
    const event = await verifyWebhook(delivery!.body, delivery!.headers, endpoint.secret);
    expect(event).toMatchObject({ type: 'webhook.test', tenant_id: tenant.tenantId });
    expect(event.id).toMatch(/^evt_/);
    expect(delivery!.headers['webhook-id']).toMatch(/^msg_/);

    await expect(verifyWebhook(delivery!.body.replace('webhook.test', 'webhook.tesT'), delivery!.headers, endpoint.secret)).rejects.toBeInstanceOf(WebhookVerificationError);
    const other = await kyc.webhooks.endpoints.create({ url: receiver.url, events: ['webhook.test'] });
    await expect(verifyWebhook(delivery!.body, delivery!.headers, other.secret)).rejects.toThrow(/no valid v1 signature/);
    await kyc.webhooks.endpoints.delete(other.id);
    const attempts = await kyc.webhooks.endpoints.deliveries(endpoint.id);
    expect(attempts.data[0]).toMatchObject({ status_code: 200 });
  });

  it('opens a t2 case, uploads a passport (Buffer) and a selfie (stream), decides: approved, and the decided webhook verifies', async () => {
    await importListFile(server.deps.db, FTM_FIXTURE); // t2 includes sanctions screening
    const created = await kyc.cases.create({ person_id: person.sub, level: 't2' });
    expect(created).toMatchObject({ status: 'open', level: 't2' });
    expect(sent.findLast((r) => r.url.endsWith('/api/v1/verification/cases'))!.headers.get('idempotency-key')).toBeTruthy();

    const passport = await generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: 'S12345671' } });
    const selfie = await personA.find((s) => s.id === 'grid-0-15')!.load();
    const uploaded = await kyc.cases.upload(created.id, { document: passport.image, selfie: new Blob([new Uint8Array(selfie)]).stream() });
    expect(uploaded).toBeTruthy();
    const decision = await kyc.cases.decide(created.id);
    expect(decision, JSON.stringify(decision)).toMatchObject({ outcome: 'approved' });
    expect(await kyc.cases.get(created.id)).toMatchObject({ status: 'approved' });
    expect((await kyc.cases.list({ person_id: person.sub })).data.map((c) => c.id)).toContain(created.id);
    expect(await kyc.status.get(person.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2', verification_method: 'auto', human_verified: false });

    await deliver();
    const [decided] = events('verification.case.decided');
    const event = await verifyWebhook<{ case_id?: string; id?: string }>(decided!.body, new Headers(decided!.headers), endpoint.secret);
    expect(JSON.stringify(event.data)).toContain(created.id);
  });

  it('test mode: a kp_test_ key uploads the shipped samples (passport as a Buffer, selfie as a Blob): approved at t2, livemode false, its webhook verifies', async () => {
    const samples = (file: string) => fs.readFileSync(new URL(`../../public/samples/${file}`, import.meta.url));
    const testKyc = new KycPort({ baseUrl: server.url, apiKey: (await server.apiKey(tenant.tenantId, undefined, { test: true })).api_key });
    const hook = await testKyc.webhooks.endpoints.create({ url: `${receiver.url}?mode=test`, events: ['verification.case.decided'] });
    const created = await testKyc.cases.create({ person_id: person.sub, level: 't2' });
    expect(created).toMatchObject({ status: 'open', livemode: false });
    await testKyc.cases.upload(created.id, { document: samples('passport-valid.jpg'), selfie: new Blob([new Uint8Array(samples('selfie-match.jpg'))]) });
    expect(await testKyc.cases.decide(created.id)).toMatchObject({ outcome: 'approved', automation_tier: 't2', livemode: false });
    expect(await testKyc.status.get(person.sub)).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2', livemode: false });
    await deliver();
    const delivered = events('verification.case.decided').filter((d) => d.path.includes('mode=test'));
    expect(delivered).toHaveLength(1);
    const event = await verifyWebhook<{ case_id?: string }>(delivered[0]!.body, new Headers(delivered[0]!.headers), hook.secret);
    expect(event).toMatchObject({ livemode: false, data: { case_id: created.id } });
  });
});
