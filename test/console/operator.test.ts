// The operator's console pages over HTTP, one server: an admin (password + TOTP) creates and renames a tenant,
// revokes a tenant's key, imports a sanctions list from an upload, invites a staff member (the mail is spooled)
// and removes a role, each audited with the admin as actor on the right chain; the trail view shows those
// actions, filters, pages by keyset, verifies a chain and exports the filtered range as JSON lines. An auditor
// reads the trail but gets 403 on every change (forged POSTs with its own valid CSRF token included); a reviewer
// gets 403 on both.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '../support/browser.js';
import { csrfOf } from '../support/browser.js';
import { consoleSignIn, staffMember, type StaffMember } from '../support/console.js';
import { lastMailTo, linkIn } from '../support/mail.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let admin: StaffMember;
let adminBrowser: Browser;
let tenantId: string;

beforeAll(async () => {
  server = await startTestServer();
  tenantId = await server.tenant('Keyed Bank');
  admin = await staffMember(server, 'admin', { twoStep: true, email: 'op.admin@example.test' });
  const signedIn = await consoleSignIn(server, admin);
  expect(signedIn.res.status).toBe(302);
  adminBrowser = signedIn.browser;
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const entries = (where: Record<string, unknown>) => server.deps.db.knex('audit_entries').where(where).orderBy('seq');

async function page(b: Browser, p: string): Promise<{ status: number; text: string }> {
  const res = await b.fetch(`${server.url}${p}`);
  return { status: res.status, text: await res.text() };
}

async function post(b: Browser, p: string, form: Record<string, string>, csrfFrom = '/console/audit'): Promise<Response> {
  const csrf = csrfOf((await page(b, csrfFrom)).text);
  return b.fetch(`${server.url}${p}`, { form: { csrf, ...form } });
}

describe('admin pages', () => {
  it('creates and renames a tenant, audited on the operator chain with the admin as actor', async () => {
    expect((await page(adminBrowser, '/console/tenants')).status).toBe(200);
    const created = await post(adminBrowser, '/console/tenants', { name: 'Operator Made Bank' }, '/console/tenants');
    expect(created.status).toBe(303);
    const id = /\/console\/tenants\/([\w-]+)\?done=created/.exec(created.headers.get('location') ?? '')?.[1];
    expect(id).toBeTruthy();
    const shown = await page(adminBrowser, `/console/tenants/${id}`);
    expect(shown.text).toContain('Operator Made Bank');
    expect((await post(adminBrowser, `/console/tenants/${id}/rename`, { name: 'Renamed Bank' }, `/console/tenants/${id}`)).status).toBe(303);
    expect((await page(adminBrowser, '/console/tenants')).text).toContain('Renamed Bank');
    const audit = await entries({ object_id: id });
    expect(audit.map((e) => [e.action, e.chain, e.tenant_id, e.actor_type, e.actor_id])).toEqual([
      ['tenant.created', 'operator', null, 'staff', admin.personId],
      ['tenant.updated', 'operator', null, 'staff', admin.personId],
    ]);
    // Without a CSRF token the change is refused.
    expect((await adminBrowser.fetch(`${server.url}/console/tenants`, { form: { name: 'No Token Bank' } })).status).toBe(403);
  });

  it("revokes a tenant's API key: the key stops working, the entry is on the tenant's chain", async () => {
    const key = await server.apiKey(tenantId);
    const shown = await page(adminBrowser, `/console/tenants/${tenantId}`);
    expect(shown.text).toContain(key.id);
    expect((await post(adminBrowser, `/console/keys/${key.id}/revoke`, {}, `/console/tenants/${tenantId}`)).status).toBe(303);
    const api = await fetch(`${server.url}/api/v1/kyc/nobody/status`, { headers: { authorization: `Bearer ${key.api_key}` } });
    expect(api.status).toBe(401);
    expect((await entries({ object_id: key.id, action: 'api_key.revoked' })).map((e) => [e.chain, e.actor_id])).toEqual([[tenantId, admin.personId]]);
  });

  it('imports an uploaded FtM list through the import the CLI uses; the page shows name, entries, time', async () => {
    const csrf = csrfOf((await page(adminBrowser, '/console/lists')).text);
    const form = new FormData();
    form.set('csrf', csrf);
    form.set('file', new Blob([fs.readFileSync(path.resolve('test/fixtures/screening/sanctions.ftm.json'))]), 'fixture-sanctions-20261101.ftm.json');
    const res = await adminBrowser.fetch(`${server.url}/console/lists`, { multipart: form });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/lists?done=imported');
    const shown = await page(adminBrowser, '/console/lists?done=imported');
    expect(shown.text).toContain('fixture-sanctions');
    const [entry] = await entries({ action: 'sanctions_list.imported', actor_id: admin.personId });
    expect(entry).toMatchObject({ chain: 'operator', object_id: 'fixture-sanctions' });
    expect(entry.details.entries).toBeGreaterThan(0);
    expect(shown.text).toContain(`<td>${entry.details.entries}</td>`);

    const bad = new FormData();
    bad.set('csrf', csrf);
    bad.set('file', new Blob(['not a list\n']), 'notes.txt');
    const refused = await adminBrowser.fetch(`${server.url}/console/lists`, { multipart: bad });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('not an OpenSanctions');
  });

  it('invites a staff member by email (mail spooled with the set-password link) and removes a role (role.revoked)', async () => {
    const email = 'new.auditor@example.test';
    const res = await post(adminBrowser, '/console/staff/invite', { email, role: 'auditor', tenant_id: '' }, '/console/staff');
    expect(res.status).toBe(303);
    expect(linkIn(lastMailTo(server, email).text, '/password/reset')).toBeTruthy();
    const staff = await page(adminBrowser, '/console/staff');
    expect(staff.text).toContain(email);
    const invited = (await server.deps.db.knex('persons').where({ email }).first());
    expect((await entries({ action: 'role.granted', object_id: invited.id })).map((e) => [e.actor_type, e.actor_id, e.details.role])).toEqual([['staff', admin.personId, 'auditor']]);

    // A tenant role needs its tenant: a clear refusal on the page.
    const noTenant = await post(adminBrowser, '/console/staff/invite', { email: 'dev@example.test', role: 'developer', tenant_id: '' }, '/console/staff');
    expect(noTenant.status).toBe(400);
    expect(await noTenant.text()).toContain('is a tenant role');

    expect((await post(adminBrowser, '/console/staff/revoke', { person_id: invited.id, role: 'auditor', tenant_id: '' }, '/console/staff')).status).toBe(303);
    expect(await server.services.staff.grantsOf(invited.id)).toEqual([]);
    // The last admin cannot remove their own role (the operator would have nobody to manage staff).
    const last = await post(adminBrowser, '/console/staff/revoke', { person_id: admin.personId, role: 'admin', tenant_id: '' }, '/console/staff');
    expect(last.status).toBe(409);
    expect(await last.text()).toContain('last admin');
    expect((await entries({ action: 'role.revoked', object_id: invited.id })).map((e) => [e.chain, e.actor_id, e.details.role])).toEqual([['operator', admin.personId, 'auditor']]);
  });

  it("the trail view shows the admin's own actions, filtered by actor", async () => {
    const trail = await page(adminBrowser, `/console/audit?actor_type=staff&actor_id=${admin.personId}`);
    expect(trail.status).toBe(200);
    for (const action of ['staff.signed_in', 'tenant.created', 'tenant.updated', 'api_key.revoked', 'sanctions_list.imported', 'role.granted', 'role.revoked']) expect(trail.text).toContain(action);
  });
});

describe('auditor and reviewer', () => {
  let auditor: Browser;
  let reviewer: Browser;

  beforeAll(async () => {
    auditor = (await consoleSignIn(server, await staffMember(server, 'auditor'))).browser;
    reviewer = (await consoleSignIn(server, await staffMember(server, 'reviewer', { twoStep: true }))).browser;
  }, 60_000);

  it('an auditor lands on the trail and filters it by action, object, chain and date', async () => {
    const home = await auditor.fetch(`${server.url}/console`);
    expect(home.headers.get('location')).toBe('/console/audit');
    const byAction = await page(auditor, '/console/audit?action=tenant.created');
    expect(byAction.status).toBe(200);
    expect(byAction.text).toContain('tenant.created');
    expect(byAction.text).not.toContain('role.granted</td>');
    const byChain = await page(auditor, `/console/audit?chain=${tenantId}`);
    expect(byChain.text).toContain('api_key.revoked');
    expect(byChain.text).not.toContain('tenant.created</td>');
    const byObject = await page(auditor, `/console/audit?object_type=sanctions_list&object_id=fixture-sanctions`);
    expect(byObject.text).toContain('sanctions_list.imported');
    expect(byObject.text).not.toContain('role.revoked</td>');
    const future = await page(auditor, '/console/audit?from=2999-01-01');
    expect(future.text).toContain('No entry matches these filters.');
    const verified = await page(auditor, '/console/audit?verify=1');
    expect(verified.text).toMatch(/Chain operator is intact: \d+ entries checked/);
  });

  it('pages the trail by keyset: 50 newest first, then the rest, no overlap', async () => {
    const other = await server.tenant('Busy Bank');
    for (let i = 0; i < 60; i++) await server.services.audit.record({ tenantId: other, actor: { type: 'system', id: 'test' }, action: 'test.filled', object: { type: 'thing', id: `t${i}` } });
    const first = await page(auditor, `/console/audit?chain=${other}&action=test.filled`);
    const ids = (html: string) => [...html.matchAll(/thing: (t\d+)/g)].map((m) => m[1]);
    expect(ids(first.text)).toHaveLength(50);
    expect(ids(first.text)[0]).toBe('t59');
    const next = /href="\/console\/audit\?([^"]+after=[^"]+)"/.exec(first.text)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBeTruthy();
    const second = await page(auditor, `/console/audit?${next}`);
    expect(ids(second.text)).toEqual(['t9', 't8', 't7', 't6', 't5', 't4', 't3', 't2', 't1', 't0']);
    expect(second.text).not.toContain('Older entries');
  });

  it('the export downloads JSON lines of the filtered range only', async () => {
    const res = await auditor.fetch(`${server.url}/console/audit/export?action=tenant.created`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/jsonl');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="kycport-audit-.*\.jsonl"/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    const stored = await entries({ action: 'tenant.created' });
    expect(lines.map((l) => l.id)).toEqual(stored.map((e) => e.id));
    expect(lines.every((l) => l.action === 'tenant.created' && /^[0-9a-f]{64}$/.test(l.hash))).toBe(true);
    const empty = await auditor.fetch(`${server.url}/console/audit/export?from=2999-01-01&to=2999-12-31`);
    expect(await empty.text()).toBe('');
  });

  it('an auditor gets 403 on every admin page and change, forged POSTs with its own CSRF token included', async () => {
    for (const p of ['/console/tenants', `/console/tenants/${tenantId}`, '/console/lists', '/console/staff', '/console/queue']) expect((await page(auditor, p)).status, p).toBe(403);
    const before = (await server.deps.db.knex('tenants').count<{ n: string }[]>({ n: '*' }))[0]!.n;
    const key = await server.apiKey(tenantId);
    const changes: [string, Record<string, string>][] = [
      ['/console/tenants', { name: 'Forged Bank' }],
      [`/console/tenants/${tenantId}/rename`, { name: 'Forged' }],
      [`/console/keys/${key.id}/revoke`, {}],
      ['/console/staff/invite', { email: 'forged@example.test', role: 'admin', tenant_id: '' }],
      ['/console/staff/revoke', { person_id: admin.personId, role: 'admin', tenant_id: '' }],
    ];
    for (const [p, form] of changes) expect((await post(auditor, p, form)).status, p).toBe(403);
    const upload = new FormData();
    upload.set('csrf', csrfOf((await page(auditor, '/console/audit')).text));
    upload.set('file', new Blob([fs.readFileSync(path.resolve('test/fixtures/screening/sanctions.ftm.json'))]), 'forged.ftm.json');
    expect((await auditor.fetch(`${server.url}/console/lists`, { multipart: upload })).status).toBe(403);
    expect((await server.deps.db.knex('tenants').count<{ n: string }[]>({ n: '*' }))[0]!.n).toBe(before);
    expect((await server.deps.db.knex('api_keys').where({ id: key.id }).first()).revoked_at).toBeNull();
    expect(await server.services.staff.grantsOf(admin.personId)).toEqual([{ role: 'admin', tenantId: null }]);
    expect(await server.deps.db.knex('persons').where({ email: 'forged@example.test' }).first()).toBeUndefined();
  });

  it('a reviewer gets 403 on the trail, its export and the admin pages and changes', async () => {
    for (const p of ['/console/audit', '/console/audit/export', '/console/tenants', '/console/staff', '/console/lists']) expect((await page(reviewer, p)).status, p).toBe(403);
    const csrf = csrfOf((await page(reviewer, '/console/queue')).text);
    expect((await reviewer.fetch(`${server.url}/console/tenants`, { form: { csrf, name: 'Reviewer Bank' } })).status).toBe(403);
    expect((await reviewer.fetch(`${server.url}/console/staff/invite`, { form: { csrf, email: 'r@example.test', role: 'admin', tenant_id: '' } })).status).toBe(403);
  });
});
