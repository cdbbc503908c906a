// The person's side of reuse (issue 11 §4, acceptance 3 and 4), over HTTP with the real engines: verified once
// at tenant A through the case API, seen by tenant B only after consenting there, access withdrawn at /account
// (B's lookup is a 404 like an unknown id; B hears person.access.withdrawn), the JSON export, and erasure (no
// image, face template or dedup entry left; sign-in fails; the decision record stays; tenants hear
// person.deleted), then the record-keeping period ends and the records go.
import * as oidc from 'openid-client';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { importListFile } from '../../src/screening/index.js';
import { TEST_ACTOR } from '../support/deps.js';
import { createEndpoint } from '../../src/webhooks/service.js';
import { FTM_FIXTURE } from '../fixtures/screening/index.js';
import { buildWebhookParts, type WebhookParts } from '../../src/webhooks/workers.js';
import { Browser, csrfOf } from '../support/browser.js';
import { generatePassport } from '../support/documents/index.js';
import { authRequest, discoverRp, signInThroughPages } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { personA } from '../verification/engine/face/samples.js';
import { api, form, newCase, setupTenant, type Api, type TenantCtx } from '../verification/cases/support.js';
import { startReceiver, type Receiver } from '../webhooks/support.js';

const YEAR_MS = 365 * 86_400_000;
const DOC_NUMBER = 'XK4471829';

let server: TestServer;
let clock: ManualClock;
let receiver: Receiver;
let parts: WebhookParts;
let A: TenantCtx & { api: Api };
let B: TenantCtx & { api: Api };
let person: { id: string; email: string; password: string };
/** Holds the person's KYCPort session cookie, like their browser. */
const browser = new Browser();
let caseId: string;
/** The verified document's identity fields, which an erased record must not hold. */
let identity: string[];

beforeAll(async () => {
  clock = new ManualClock(new Date());
  server = await startTestServer({ clock, env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  receiver = await startReceiver();
  parts = buildWebhookParts(server.deps);
  const tenant = async (name: string) => {
    const t = await setupTenant(server, name);
    await createEndpoint(server.deps, t.tenantId, { url: `${receiver.url}?tenant=${t.tenantId}`, events: ['*'] }, TEST_ACTOR);
    return { ...t, api: api(server, t) };
  };
  A = await tenant('Alpha Bank');
  B = await tenant('Beta Exchange');
  person = await server.person();
  // t2 screens against the sanctions lists: with none loaded a case would wait for review.
  await importListFile(server.deps.db, FTM_FIXTURE);
  await server.services.warmup();
}, 240_000);
afterAll(async () => {
  parts?.client.close();
  await parts?.queue.close();
  await receiver?.close();
  await server?.close();
});

/** Sign-in (and consent when asked) at the tenant's client in the person's browser; the RP's tokens. */
async function signIn(t: TenantCtx) {
  const config = await discoverRp(server, t.client);
  const req = await authRequest(config, t.client.redirect_uri);
  const callback = await signInThroughPages(server, req.url, person, browser);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
  return { config, tokens, claims: tokens.claims()! };
}

const status = async (t: TenantCtx & { api: Api }, sub: string) => {
  const res = await t.api.status(sub);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** The events tenant `t` received, after the relay and a dispatcher ran. */
async function eventsOf(t: TenantCtx, type: string): Promise<Array<Record<string, any>>> {
  await parts.relay.drain();
  await parts.dispatchers[0]!.runOnce();
  return receiver.received
    .filter((r) => r.path.includes(t.tenantId))
    .map((r) => JSON.parse(r.body) as Record<string, any>)
    .filter((e) => e.type === type);
}

const accountPage = async () => {
  const res = await browser.fetch(`${server.url}/account`);
  return { status: res.status, html: await res.text() };
};
const postAccount = async (path: string, fields: Record<string, string>) => {
  const { html } = await accountPage();
  return browser.fetch(`${server.url}${path}`, { form: { csrf: csrfOf(html), ...fields } });
};

describe('reuse with consent (acceptance 3)', () => {
  let subB: string;

  it('verified at A through the case API; B sees nothing before consent, then verified/t2 with no new capture', async () => {
    const subA = (await signIn(A)).claims.sub;
    const selfie = await personA.find((s) => s.id === 'grid-0-15')!.load();
    const doc = await generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: DOC_NUMBER } });
    identity = [doc.fields.surname, doc.fields.givenNames, doc.fields.birthDate];
    caseId = await newCase(A.api, subA, 't2');
    expect((await A.api.upload(caseId, form({ document: doc.image, selfie }))).status).toBe(200);
    expect(await (await A.api.decide(caseId)).json()).toMatchObject({ outcome: 'approved', automation_tier: 't2' });
    expect((await status(A, subA)).body).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2' });

    // B's would-be subject answers exactly like an id nobody has, until the person consents at B.
    subB = server.services.persons.pairwise(B.tenantId, person.id);
    const before = await status(B, subB);
    const unknown = await status(B, 'psn_00000000000000000000000000000000');
    expect(before.status).toBe(404);
    expect(before.body).toEqual(unknown.body);

    const atB = await signIn(B);
    expect(atB.claims).toMatchObject({ sub: subB, kyc_status: 'verified', kyc_tier: 't2' });
    expect((await status(B, subB)).body).toMatchObject({ person_id: subB, kyc_status: 'verified', kyc_tier: 't2' });
    // No capture at B: it has no case at all.
    expect(((await (await B.api.list()).json()) as { data: unknown[] }).data).toEqual([]);
  });

  it('/account shows the assurance, the document (last 3 characters only) and both tenants', async () => {
    const { status: code, html } = await accountPage();
    expect(code).toBe(200);
    expect(html).toContain('Your identity is verified (tier 2');
    expect(html).toContain('Passport');
    expect(html).toContain('number ending in <strong>829</strong>');
    expect(html).not.toContain('71829');
    expect(html).toContain('Alpha Bank');
    expect(html).toContain('Beta Exchange');
    expect(html.match(/action="\/account\/access\/withdraw"/g)).toHaveLength(2);
  });

  it('withdrawing B revokes its refresh token; its lookup is a 404 like an unknown id; B got person.access.withdrawn', async () => {
    const { config, tokens } = await signIn(B);
    expect(tokens.refresh_token).toBeTruthy();
    expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).access_token).toBeTruthy();

    const res = await postAccount('/account/access/withdraw', { tenant_id: B.tenantId });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Beta Exchange no longer has access');
    expect(page.match(/action="\/account\/access\/withdraw"/g)).toHaveLength(1);

    const after = await status(B, subB);
    expect(after.status).toBe(404);
    expect(after.body).toEqual((await status(B, 'psn_00000000000000000000000000000000')).body);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // A keeps its access.
    expect((await status(A, server.services.persons.pairwise(A.tenantId, person.id))).status).toBe(200);

    const withdrawn = await eventsOf(B, 'person.access.withdrawn');
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0]!.data).toMatchObject({ person_id: subB });
    expect(JSON.stringify(withdrawn[0])).not.toContain(person.id);
    expect(await eventsOf(A, 'person.access.withdrawn')).toHaveLength(0);

    // A forged or repeated withdrawal changes nothing.
    expect((await postAccount('/account/access/withdraw', { tenant_id: B.tenantId })).status).toBe(404);
    const forged = await browser.fetch(`${server.url}/account/access/withdraw`, { form: { csrf: 'x', tenant_id: A.tenantId } });
    expect(forged.status).toBe(403);
  });

  it('consenting at B again restores its access', async () => {
    const again = await signIn(B);
    expect(again.claims.sub).toBe(subB);
    expect((await status(B, subB)).body).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2' });
  });
});

describe('export', () => {
  it('is a JSON download of the account, assurance, tenants and cases with decisions; images listed, no secrets', async () => {
    const res = await postAccount('/account/export', {});
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="kycport-data-\d{4}-\d{2}-\d{2}\.json"$/);
    const text = await res.text();
    const data = JSON.parse(text) as Record<string, any>;
    expect(data.account).toMatchObject({ id: person.id, email: person.email, email_verified: true });
    expect(data.two_step).toEqual({ on: false, enabled_at: null, recovery_codes_left: 0 });
    expect(data.assurance).toMatchObject({ kyc_status: 'verified', kyc_tier: 't2' });
    expect(data.tenants_with_access.map((t: { tenant_name: string }) => t.tenant_name).sort()).toEqual(['Alpha Bank', 'Beta Exchange']);
    expect(data.face_templates.stored).toBe(1);
    const c = data.verification_cases.find((x: { id: string }) => x.id === caseId);
    expect(c).toMatchObject({ tenant_id: A.tenantId, level: 't2', outcome: 'approved', decision: { outcome: 'approved' } });
    expect(c.decision.checks.length).toBeGreaterThan(3);
    expect(c.images.map((i: { kind: string }) => i.kind).sort()).toEqual(['document', 'selfie']);
    for (const i of c.images) expect(i).toMatchObject({ content_type: expect.any(String), bytes: expect.any(Number), created_at: expect.any(String) });
    // No secrets, hashes, image bytes or the full document number.
    const stored = await server.deps.db.knex('persons').where({ id: person.id }).first();
    expect(text).not.toContain(stored.password_hash);
    expect(text).not.toMatch(/argon2|password_hash|totp_secret|code_hash|storage_path|private_enc|data:image/);
    expect(text).not.toContain(DOC_NUMBER);

    // Signed out, there is nothing to download.
    expect((await new Browser().fetch(`${server.url}/account/export`, { form: { csrf: 'x' } })).status).toBe(401);
  });
});

describe('erasure (acceptance 4)', () => {
  const db = () => server.deps.db.knex;
  let faceIds: number[];

  it('needs the password and the explicit confirmation; a refusal deletes nothing', async () => {
    faceIds = (await db()('face_embeddings').where({ person_id: person.id }).select('id')).map((r: { id: number | string }) => Number(r.id));
    expect(faceIds).toHaveLength(1);
    expect(await server.services.dedup.holdsAny(faceIds)).toBe(true);
    expect((await server.services.uploads.list()).filter((f) => f.startsWith(`${caseId}/`))).toHaveLength(2);

    const wrong = await postAccount('/account/delete', { current: 'not my password', confirm: 'delete' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Your password is not right.');
    const unconfirmed = await postAccount('/account/delete', { current: person.password });
    expect(unconfirmed.status).toBe(400);
    expect(await db()('persons').where({ id: person.id }).first()).toBeTruthy();
    expect(await db()('verification_files').where({ case_id: caseId })).toHaveLength(2);
  });

  it('deletes images, face templates, the dedup entry and the account; keeps the decision record; tenants hear person.deleted', async () => {
    const subA = server.services.persons.pairwise(A.tenantId, person.id);
    const subB = server.services.persons.pairwise(B.tenantId, person.id);
    // A hosted session left half-way: its staged photo is an image of the person too.
    const { row: halfWay } = await server.services.sessions.create({ tenantId: A.tenantId, level: 't2', redirectUri: A.client.redirect_uri });
    await server.services.sessions.start(halfWay.id, person.id);
    await server.services.sessions.stage(halfWay.id, 'document', [await sharp({ create: { width: 640, height: 480, channels: 3, background: '#888' } }).jpeg().toBuffer()]);
    expect((await server.services.uploads.list()).filter((f) => f.startsWith(`${halfWay.id}/`))).not.toEqual([]);
    const res = await postAccount('/account/delete', { current: person.password, confirm: 'delete' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Your account is deleted');

    // Nothing biometric or image left: disk, file rows, templates, this process's dedup index.
    expect((await server.services.uploads.list()).filter((f) => f.startsWith(`${caseId}/`) || f.startsWith(`${halfWay.id}/`))).toEqual([]);
    expect(await db()('verification_sessions').where({ id: halfWay.id }).first()).toMatchObject({ staged: null, person_id: null });
    expect(await db()('verification_files').where({ case_id: caseId })).toEqual([]);
    expect(await db()('face_embeddings').where({ person_id: person.id })).toEqual([]);
    expect(await db()('face_embeddings').whereIn('id', faceIds)).toEqual([]);
    expect(await server.services.dedup.holdsAny(faceIds)).toBe(false);
    // The account and what hung on it.
    for (const table of ['persons', 'subjects', 'assurance', 'verified_documents', 'email_tokens', 'recovery_codes']) {
      expect(await db()(table).where(table === 'persons' ? { id: person.id } : { person_id: person.id }), table).toEqual([]);
    }
    expect(await db()('oidc_payloads').where({ account_id: person.id })).toEqual([]);

    // The decision record stays without biometrics: outcome, checks, reasons, dates.
    const row = await db()('verification_cases').where({ id: caseId }).first();
    expect(row).toMatchObject({ outcome: 'approved', status: 'approved', private_enc: null, document_fingerprint: null, challenge: null });
    expect(row.erased_at).toBeInstanceOf(Date);
    expect(row.decided_at).toBeInstanceOf(Date);
    const record = (await (await A.api.get(caseId)).json()) as Record<string, any>;
    expect(record).toMatchObject({ id: caseId, status: 'approved', decision: { outcome: 'approved', reasons: [] }, files: { document: false, selfie: false } });
    expect(record.decision.checks.length).toBeGreaterThan(3);
    expect(record.document).toMatchObject({ type: 'passport', redacted: true });
    // No identity data: the MRZ keeps no name or birth date, and no value of them is anywhere in the record.
    for (const key of ['surname', 'given_names', 'birth_date']) expect(record.document.mrz).not.toHaveProperty(key);
    for (const value of identity) expect(JSON.stringify(record).toUpperCase()).not.toContain(value.toUpperCase());

    // Sign-in fails; the tenants' lookups are 404; both tenants were told.
    const config = await discoverRp(server, A.client);
    const req = await authRequest(config, A.client.redirect_uri);
    await expect(signInThroughPages(server, req.url, person)).rejects.toThrow(/unexpected 4\d\d|did not reach/);
    expect((await status(A, subA)).status).toBe(404);
    expect((await status(B, subB)).status).toBe(404);
    for (const [t, sub] of [[A, subA], [B, subB]] as const) {
      const deleted = await eventsOf(t, 'person.deleted');
      expect(deleted).toHaveLength(1);
      expect(deleted[0]!.data).toMatchObject({ person_id: sub });
    }
    // Reviewing the kept record is refused (it belongs to nobody now).
    const reviewer = await server.services.staff.create({ email: 'late.reviewer@example.test', role: 'reviewer' });
    await expect(server.services.review.decide({ personId: reviewer.person_id }, caseId, { outcome: 'rejected', reasonCode: 'policy', note: 'late' })).rejects.toMatchObject({ status: 409 });

    // The withdrawal, the export and the erasure are on the operator's audit chain, by the person, and no tenant's
    // chain names the person's internal id.
    const trail = await db()('audit_entries').where({ object_id: person.id }).orderBy('seq');
    expect(trail.map((e: { chain: string; actor_type: string; action: string }) => [e.chain, e.actor_type, e.action])).toEqual([
      ['operator', 'person', 'person.access_withdrawn'],
      ['operator', 'person', 'person.data_exported'],
      ['operator', 'person', 'person.erased'],
    ]);
    expect(trail[0].details).toEqual({ tenant_id: B.tenantId });
    expect(trail[2].details).toMatchObject({ cases_kept: 1, tenants_told: 2 });
    expect(await db()('audit_entries').whereNot({ chain: 'operator' }).andWhereRaw('details::text like ?', [`%${person.id}%`])).toEqual([]);
  });

  it('decision records go once the record-keeping period (RECORD_RETENTION_YEARS, default 5) has passed', async () => {
    clock.advance(4 * YEAR_MS);
    expect(await server.services.privacy.purgeExpiredRecords()).toBe(0);
    expect(await db()('verification_cases').where({ id: caseId }).first()).toBeTruthy();
    clock.advance(1 * YEAR_MS + 2 * 86_400_000);
    expect(await server.services.privacy.purgeExpiredRecords()).toBe(1);
    expect(await db()('verification_cases').where({ id: caseId }).first()).toBeUndefined();
  });
});
