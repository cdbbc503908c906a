// The tenant teams' self-service in the console, over HTTP, one server: role checks on every change (a viewer's
// POST, even with a valid form token, is refused and creates nothing), a developer's key with only status:read
// works on the status API and is refused case creation, revoke, clients (create, URIs, rotate, delete), another
// tenant's person kept out, what the activity page leaves out, and the usage page's CSV with counted lookups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpoint } from '../../src/webhooks/service.js';
import { Browser, csrfOf } from '../support/browser.js';
import { consoleSignIn, staffMember } from '../support/console.js';
import { TEST_ACTOR } from '../support/deps.js';
import { seedReviewCase, type SeededCase } from '../support/review.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let tenantId: string;
let otherTenant: string;
let developer: Browser;
let viewer: Browser;
let seeded: SeededCase;

const page = async (b: Browser, path: string) => {
  const res = await b.fetch(`${server.url}${path}`);
  return { status: res.status, html: await res.text(), res };
};
const keysOf = async (t: string) => server.deps.db.knex('api_keys').where({ tenant_id: t });

beforeAll(async () => {
  server = await startTestServer({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  tenantId = await server.tenant('Self Service Bank');
  otherTenant = await server.tenant('Other Bank');
  seeded = await seedReviewCase(server, { tenantId, level: 't1', amlClear: true });
  const dev = await staffMember(server, 'developer', { tenantId });
  const view = await staffMember(server, 'viewer', { tenantId });
  developer = (await consoleSignIn(server, dev)).browser;
  viewer = (await consoleSignIn(server, view)).browser;
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('tenant self-service in the console', () => {
  it('a viewer sees the keys but cannot create one (403, also with a valid form token), nothing is created', async () => {
    const before = (await keysOf(tenantId)).length;
    const keys = await page(viewer, `/console/t/${tenantId}/keys`);
    expect(keys.status).toBe(200);
    expect(keys.html).toContain('Viewers cannot create or revoke keys');
    expect(keys.html).not.toContain('Create the key');
    const forged = await viewer.fetch(`${server.url}/console/t/${tenantId}/keys`, { form: { csrf: csrfOf(keys.html), name: 'sneaky', scopes: 'cases:write' } });
    expect(forged.status).toBe(403);
    expect((await keysOf(tenantId)).length).toBe(before);
    for (const path of ['/clients', '/branding']) expect((await viewer.fetch(`${server.url}/console/t/${tenantId}${path}`, { form: { csrf: csrfOf(keys.html), redirect_uris: 'https://x.example/cb' } })).status).toBe(403);
  });

  it('a developer creates a status:read key (shown once, no-store): it reads status and is refused case creation; revoke stops it', async () => {
    const keys = await page(developer, `/console/t/${tenantId}/keys`);
    expect(keys.status).toBe(200);
    expect((await developer.fetch(`${server.url}/console/t/${tenantId}/keys`, { form: { csrf: 'forged', name: 'x', scopes: 'status:read' } })).status).toBe(403);
    const made = await developer.fetch(`${server.url}/console/t/${tenantId}/keys`, { form: { csrf: csrfOf(keys.html), name: 'status reader', scopes: 'status:read' } });
    expect(made.status).toBe(201);
    expect(made.headers.get('cache-control')).toBe('no-store');
    const key = /<code class="secret">(kp_live_[\w-]+)<\/code>/.exec(await made.text())?.[1];
    expect(key).toBeTruthy();
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    expect((await fetch(`${server.url}/api/v1/kyc/${seeded.sub}/status`, { headers: auth })).status).toBe(200);
    const create = await fetch(`${server.url}/api/v1/verification/cases`, { method: 'POST', headers: auth, body: JSON.stringify({ person_id: seeded.sub, level: 't1' }) });
    expect(create.status).toBe(403);
    expect(await create.json()).toMatchObject({ error: 'insufficient_scope' });

    const list = await page(developer, `/console/t/${tenantId}/keys`);
    expect(list.html).toContain(`…${key!.slice(-4)}`);
    expect(list.html).not.toContain(key!);
    const row = (await keysOf(tenantId)).find((k) => k.name === 'status reader')!;
    const revoked = await developer.fetch(`${server.url}/console/t/${tenantId}/keys/${row.id}/revoke`, { form: { csrf: csrfOf(list.html) } });
    expect(revoked.status).toBe(303);
    // Other processes' key caches drop it on the commit's NOTIFY (Postgres): within a second, not at once.
    const revokedAt = Date.now();
    let after = (await fetch(`${server.url}/api/v1/kyc/${seeded.sub}/status`, { headers: auth })).status;
    while (after === 200 && Date.now() - revokedAt < 2_000) after = (await fetch(`${server.url}/api/v1/kyc/${seeded.sub}/status`, { headers: auth })).status;
    expect(after).toBe(401);

    // Both changes are on the tenant's chain, by this staff member.
    const trail = await server.deps.db.knex('audit_entries').where({ chain: tenantId, actor_type: 'staff' }).orderBy('seq');
    expect(trail.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['api_key.created', 'api_key.revoked']));
    expect(await server.services.audit.verify(tenantId)).toMatchObject({ ok: true });
  });

  it('clients: create (secret once), edit the URIs, rotate the secret, delete', async () => {
    const c = await page(developer, `/console/t/${tenantId}/clients`);
    const made = await developer.fetch(`${server.url}/console/t/${tenantId}/clients`, {
      form: { csrf: csrfOf(c.html), name: 'Web shop', redirect_uris: 'https://shop.example/cb', post_logout_redirect_uris: 'https://shop.example/bye', type: 'confidential' },
    });
    expect(made.status).toBe(201);
    expect(made.headers.get('cache-control')).toBe('no-store');
    const madeHtml = await made.text();
    const clientId = /<dt>Client id<\/dt><dd>(cli_[\w-]+)<\/dd>/.exec(madeHtml)?.[1];
    const secret1 = /<code class="secret">([^<]+)<\/code>/.exec(madeHtml)?.[1];
    expect(clientId && secret1).toBeTruthy();

    const bad = await developer.fetch(`${server.url}/console/t/${tenantId}/clients/${clientId}`, { form: { csrf: csrfOf(c.html), redirect_uris: 'https://a.example/cb\nhttps://b.example/cb' } });
    expect(bad.status).toBe(400);
    const saved = await developer.fetch(`${server.url}/console/t/${tenantId}/clients/${clientId}`, {
      form: { csrf: csrfOf(c.html), redirect_uris: 'https://shop.example/cb\nhttps://shop.example/cb2', post_logout_redirect_uris: '' },
    });
    expect(saved.status).toBe(303);
    const [client] = (await server.services.tenants.listClients(tenantId)).filter((x) => x.client_id === clientId);
    expect(client).toMatchObject({ redirect_uris: ['https://shop.example/cb', 'https://shop.example/cb2'], post_logout_redirect_uris: [] });

    const rotated = await developer.fetch(`${server.url}/console/t/${tenantId}/clients/${clientId}/rotate`, { form: { csrf: csrfOf(c.html) } });
    expect(rotated.status).toBe(201);
    const secret2 = /<code class="secret">([^<]+)<\/code>/.exec(await rotated.text())?.[1];
    expect(secret2).toBeTruthy();
    expect(secret2).not.toBe(secret1);
    // The provider's token endpoint: the old secret is refused, the new one is the client's.
    const token = (secret: string) =>
      fetch(`${server.url}/api/oidc/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=authorization_code&code=nope&redirect_uri=https%3A%2F%2Fshop.example%2Fcb',
      }).then(async (r) => (await r.json()).error as string);
    expect(await token(secret1!)).toBe('invalid_client');
    expect(await token(secret2!)).toBe('invalid_grant');

    expect((await developer.fetch(`${server.url}/console/t/${tenantId}/clients/${clientId}/delete`, { form: { csrf: csrfOf(c.html) } })).status).toBe(303);
    expect((await server.services.tenants.listClients(tenantId)).some((x) => x.client_id === clientId)).toBe(false);
    const actions = (await server.deps.db.knex('audit_entries').where({ chain: tenantId, object_id: clientId }).orderBy('seq')).map((e: { action: string }) => e.action);
    expect(actions).toEqual(['client.created', 'client.updated', 'client.secret_rotated', 'client.deleted']);
  });

  it("a person of another tenant gets 403 on this tenant's pages and changes", async () => {
    const other = await staffMember(server, 'owner', { tenantId: otherTenant });
    const { browser } = await consoleSignIn(server, other);
    const own = await page(browser, `/console/t/${otherTenant}/keys`);
    expect(own.status).toBe(200);
    for (const path of ['', '/keys', '/clients', '/webhooks', '/activity', '/branding', '/usage', '/usage.csv']) expect((await page(browser, `/console/t/${tenantId}${path}`)).status, path).toBe(403);
    expect((await browser.fetch(`${server.url}/console/t/${tenantId}/keys`, { form: { csrf: csrfOf(own.html), scopes: 'status:read' } })).status).toBe(403);
  });

  it('webhooks: the endpoint is listed and an event is redelivered through the webhooks service (a viewer may not)', async () => {
    const ep = await createEndpoint(server.deps, tenantId, { url: 'http://127.0.0.1:9/hook', events: ['*'] }, TEST_ACTOR);
    const { event_id } = await server.services.webhooks.sendTestEvent(tenantId, ep.id);
    const w = await page(developer, `/console/t/${tenantId}/webhooks`);
    expect(w.status).toBe(200);
    expect(w.html).toContain('http://127.0.0.1:9/hook');
    const path = `/console/t/${tenantId}/webhooks/${ep.id}/events/${event_id}/redeliver`;
    expect((await viewer.fetch(`${server.url}${path}`, { form: { csrf: csrfOf((await page(viewer, `/console/t/${tenantId}/webhooks`)).html) } })).status).toBe(403);
    const done = await developer.fetch(`${server.url}${path}`, { form: { csrf: csrfOf(w.html) } });
    expect(done.status).toBe(303);
    const entry = await server.deps.db.knex('audit_entries').where({ chain: tenantId, action: 'webhook.redelivered', object_id: event_id }).first();
    expect(entry).toMatchObject({ actor_type: 'staff' });
    expect((await developer.fetch(`${server.url}/console/t/${tenantId}/webhooks/${ep.id}/events/evt_nope/redeliver`, { form: { csrf: csrfOf(w.html) } })).status).toBe(404);
  });

  it('the activity page shows outcomes, never document data', async () => {
    const a = await page(viewer, `/console/t/${tenantId}/activity`);
    expect(a.status).toBe(200);
    expect(a.html).toContain(seeded.caseId);
    expect(a.html).not.toContain('MUSTERMANN');
    expect(a.html).not.toMatch(/\/files\//);
  });

  it('usage: verifications and counted status lookups per month, as CSV', async () => {
    const { api_key } = await server.apiKey(tenantId, ['status:read']);
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/api/v1/kyc/${seeded.sub}/status`, { headers: { authorization: `Bearer ${api_key}` } })).status).toBe(200);
    await server.services.lookups.flush();
    const csv = await viewer.fetch(`${server.url}/console/t/${tenantId}/usage.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('month,verifications,status_lookups,webhook_deliveries');
    const month = new Date().toISOString().slice(0, 7);
    const [, verifications, lookups, deliveries] = lines[1]!.split(',');
    expect(lines[1]!.startsWith(month)).toBe(true);
    expect(Number(verifications)).toBe(1);
    // The developer's key made one successful lookup before this test; these are three more.
    expect(Number(lookups)).toBeGreaterThanOrEqual(4);
    expect(Number(deliveries)).toBe(1); // the test event of the webhooks test (a redelivery reuses its delivery)
    expect(lines).toHaveLength(13);
  });
});
