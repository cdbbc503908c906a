// verified_claims end to end (issue 12 §4, acceptance 5): a relying party built with openid-client asks for it
// through the claims parameter (ID token and userinfo) and the verified_claims scope; the person was verified
// through the case API with the real engines. What arrives validates against the OIDF schema, obeys max_age,
// is absent for a person verified by nobody, never names a case or a tenant, and survives document retention but
// not expiry or erasure. The status API carries how the assurance was reached.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpiredAssurance } from '../../src/assurance/expiry.js';
import { systemClock } from '../../src/clock.js';
import { importListFile } from '../../src/screening/index.js';
import { FTM_FIXTURE, SANCTIONED_APPLICANT } from '../fixtures/screening/index.js';
import { generatePassport } from '../support/documents/index.js';
import { idaSchemas, schemaErrors } from '../support/ida-schema.js';
import { authRequest, discoverRp, signInThroughPages } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { api, form, newCase, setupTenant, subject, type Api, type TenantCtx } from '../verification/cases/support.js';

let server: TestServer;
let t: TenantCtx;
let other: TenantCtx;
let a: Api;
let verified: { id: string; email: string; password: string; sub: string };
let caseId: string;
const schemas = idaSchemas();

const VC = (extra: Record<string, unknown> = {}) => ({ verification: { trust_framework: null, assurance_level: null, time: null, evidence: null, ...extra }, claims: { given_name: null, family_name: null, birthdate: null, nationalities: null } });
const claimsParam = (idToken: unknown, userinfo: unknown = idToken) => ({ claims: JSON.stringify({ id_token: { verified_claims: idToken }, userinfo: { verified_claims: userinfo } }) });

/** A full sign-in of `person` at `tenant`'s client; returns the ID token claims and the userinfo answer. */
async function signIn(tenant: TenantCtx, person: { email: string; password: string }, scope: string, extra: Record<string, string> = {}) {
  const config = await discoverRp(server, tenant.client);
  const req = await authRequest(config, tenant.client.redirect_uri, scope, extra);
  const callback = await signInThroughPages(server, req.url, person);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true });
  const id = tokens.claims()! as Record<string, unknown>;
  const userinfo = (await oidc.fetchUserInfo(config, tokens.access_token, id.sub as string)) as Record<string, unknown>;
  return { id, userinfo };
}

const validates = (claims: Record<string, unknown>) => {
  expect(schemas.response(claims), schemaErrors(schemas.response)).toBe(true);
};

beforeAll(async () => {
  server = await startTestServer();
  t = await setupTenant(server, 'Acme Bank');
  other = await setupTenant(server, 'Other Shop');
  a = api(server, t);
  // Screening runs at t1 when a list is loaded: screened_at is then the decision's time.
  await importListFile(server.deps.db, FTM_FIXTURE);
  verified = await subject(server, t);
  const doc = await generatePassport({
    portrait: 'personA_webcam',
    fields: { surname: 'VANDERLINDE', givenNames: 'ANNA MARIA', nationality: 'NLD', issuingState: 'NLD', birthDate: '1990-04-17', documentNumber: 'NX77123451' },
  });
  caseId = await newCase(a, verified.sub, 't1');
  const up = await a.upload(caseId, form({ document: doc.image }));
  expect(up.status, await up.clone().text()).toBe(200);
  const decided = await a.decide(caseId);
  const decision = await decided.json();
  expect(decision, JSON.stringify(decision.reasons)).toMatchObject({ outcome: 'approved' });
}, 300_000);
afterAll(async () => {
  await server?.services.close();
  await server?.close();
});

describe('status API', () => {
  it('an automated approval reads verification_method auto, human_verified false, screened_at set', async () => {
    const status = await (await a.status(verified.sub)).json();
    expect(status).toMatchObject({ kyc_status: 'verified', kyc_tier: 't1', verification_method: 'auto', human_verified: false });
    expect(Date.parse(status.screened_at)).toBeGreaterThan(Date.now() - 600_000);
    expect(JSON.stringify(status)).not.toContain(caseId);
  });

  it('a person verified by nobody reads method null, human_verified false, screened_at null', async () => {
    const p = await subject(server, t);
    expect(await (await a.status(p.sub)).json()).toMatchObject({ kyc_status: 'unverified', verification_method: null, human_verified: false, screened_at: null });
  });
});

describe('verified_claims through openid-client', () => {
  it('discovery advertises it', async () => {
    const d = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
    expect(d).toMatchObject({
      verified_claims_supported: true,
      trust_frameworks_supported: [`${server.url}/trust-framework`],
      evidence_supported: ['document'],
      documents_supported: expect.arrayContaining(['passport', 'idcard']),
      claims_in_verified_claims_supported: ['given_name', 'family_name', 'birthdate', 'nationalities'],
      claims_parameter_supported: true,
    });
    expect(d.claims_supported).toContain('verified_claims');
    expect(d.scopes_supported).toContain('verified_claims');
  });

  it('asked for in the claims parameter, it arrives in the ID token and at userinfo and validates against the OIDF schema', async () => {
    const { id, userinfo } = await signIn(t, verified, 'openid', claimsParam(VC()));
    for (const claims of [id, userinfo]) {
      validates(claims);
      expect(claims.verified_claims).toMatchObject({
        verification: {
          trust_framework: `${server.url}/trust-framework`,
          assurance_level: 't1',
          evidence: [{ type: 'document', check_details: [{ check_method: 'vri' }], document_details: { type: 'passport', issuer: { country_code: 'NLD' } } }],
        },
        claims: { given_name: 'ANNA MARIA', family_name: 'VANDERLINDE', birthdate: '1990-04-17', nationalities: ['NLD'] },
      });
      // Nothing in it names the case, the tenant that opened it, or a transaction.
      const text = JSON.stringify(claims.verified_claims);
      for (const secret of [caseId, t.tenantId, 'txn', 'check_id']) expect(text).not.toContain(secret);
    }
    // Only what was asked: the kyc claims were not.
    expect(id.kyc_status).toBeUndefined();
  });

  it('another tenant reads the same verified_claims for its own pairwise subject, with nothing of the first tenant', async () => {
    const { id } = await signIn(other, verified, 'openid verified_claims');
    validates(id);
    expect(id.sub).not.toBe(verified.sub);
    const text = JSON.stringify(id);
    for (const secret of [caseId, t.tenantId, verified.sub]) expect(text).not.toContain(secret);
  });

  it('only the claims asked for come back; a userinfo-only request leaves the ID token without it', async () => {
    const narrow = { verification: { trust_framework: null }, claims: { birthdate: null } };
    const { id, userinfo } = await signIn(t, verified, 'openid', { claims: JSON.stringify({ userinfo: { verified_claims: narrow } }) });
    expect(id.verified_claims).toBeUndefined();
    expect(userinfo.verified_claims).toEqual({ verification: { trust_framework: `${server.url}/trust-framework` }, claims: { birthdate: '1990-04-17' } });
    validates(userinfo);
  });

  it('the verified_claims scope alone gives the default set', async () => {
    const { id, userinfo } = await signIn(t, verified, 'openid verified_claims');
    for (const claims of [id, userinfo]) {
      validates(claims);
      expect(Object.keys((claims.verified_claims as { claims: object }).claims).sort()).toEqual(['birthdate', 'family_name', 'given_name', 'nationalities']);
    }
  });

  it('max_age: verified within it → present; the verification an hour and a half old → omitted, no error', async () => {
    const fresh = await signIn(t, verified, 'openid', claimsParam(VC({ time: { max_age: 3600 } })));
    expect(fresh.id.verified_claims).toBeDefined();
    expect(fresh.userinfo.verified_claims).toBeDefined();
    await server.deps.db.knex('assurance').where({ person_id: verified.id }).update({ verified_at: new Date(Date.now() - 5400_000) });
    try {
      const old = await signIn(t, verified, 'openid kyc', claimsParam(VC({ time: { max_age: 3600 } })));
      expect(old.id.verified_claims).toBeUndefined();
      expect(old.userinfo.verified_claims).toBeUndefined();
      // The sign-in itself went through, and the rest of the claims are there.
      expect(old.id).toMatchObject({ kyc_status: 'verified', kyc_tier: 't1' });
      const lenient = await signIn(t, verified, 'openid', claimsParam(VC({ time: { max_age: 7200 } })));
      expect(lenient.id.verified_claims).toBeDefined();
    } finally {
      await server.deps.db.knex('assurance').where({ person_id: verified.id }).update({ verified_at: new Date() });
    }
  });

  it('a trust_framework or assurance_level the person does not meet → omitted', async () => {
    const { id, userinfo } = await signIn(t, verified, 'openid', claimsParam(VC({ trust_framework: { value: 'eidas' } }), VC({ assurance_level: { values: ['t2', 't3'] } })));
    expect(id.verified_claims).toBeUndefined();
    expect(userinfo.verified_claims).toBeUndefined();
  });

  it('absent for a person verified by nobody (claims parameter and scope)', async () => {
    const nobody = await server.person();
    const { id, userinfo } = await signIn(t, nobody, 'openid verified_claims kyc', claimsParam(VC()));
    expect(id.verified_claims).toBeUndefined();
    expect(userinfo.verified_claims).toBeUndefined();
    expect(id.kyc_status).toBe('unverified');
  });

  it('a malformed verified_claims request is refused at authorization (invalid_request)', async () => {
    const config = await discoverRp(server, t.client);
    const req = await authRequest(config, t.client.redirect_uri, 'openid', { claims: JSON.stringify({ id_token: { verified_claims: { claims: { given_name: null } } } }) });
    const res = await fetch(req.url, { redirect: 'manual' });
    const to = new URL(res.headers.get('location')!, server.url);
    expect(to.searchParams.get('error')).toBe('invalid_request');
    expect(to.searchParams.get('error_description')).toMatch(/verification/);
  });
});

describe('a reviewer decision', () => {
  // Through the review service (the path the operator's console uses), not the tenant route.
  it('reads verification_method human, human_verified true, screened_at of the automated decision; check_details gains pvr', async () => {
    const s = SANCTIONED_APPLICANT;
    const p = await subject(server, t);
    const doc = await generatePassport({
      portrait: 'personA_webcam',
      fields: { surname: s.familyName, givenNames: s.givenName, birthDate: s.birthDate, nationality: s.nationality, issuingState: s.nationality, sex: 'M', documentNumber: 'SX55123451' },
    });
    const id = await newCase(a, p.sub, 't1');
    expect((await a.upload(id, form({ document: doc.image }))).status).toBe(200);
    const decision = await (await a.decide(id)).json();
    expect(decision).toMatchObject({ outcome: 'manual_review' });
    const reviewer = await server.services.staff.create({ email: 'reviewer@example.test', role: 'reviewer' });
    await server.services.review.decide({ personId: reviewer.person_id }, id, { outcome: 'approved', reasonCode: 'screening_false_positive', note: 'False positive: different person.' });
    const status = await (await a.status(p.sub)).json();
    expect(status).toMatchObject({ kyc_status: 'verified', verification_method: 'human', human_verified: true });
    // Screening ran in the automated decision, before the review: screened_at is that decision's time.
    const theCase = await (await a.get(id)).json();
    expect(theCase.decided_at).toBeTruthy();
    expect(status.screened_at).toBe(theCase.decided_at);
    const { id: claims } = await signIn(t, p, 'openid verified_claims');
    validates(claims);
    expect((claims.verified_claims as { verification: { evidence: { check_details: unknown }[] } }).verification.evidence[0]!.check_details).toContainEqual({ check_method: 'pvr' });
  }, 120_000);
});

describe('what the claims outlive', () => {
  it('document retention strips the case, not the verified_claims; expiry drops the sealed claims; erasure deletes them', async () => {
    // Retention: the case was decided long ago by the database's account.
    await server.deps.db.knex('verification_cases').where({ id: caseId }).update({ decided_at: new Date(Date.now() - 400 * 86_400_000) });
    await server.services.cases.purgeExpiredUploads();
    const kept = await server.deps.db.knex('verification_cases').where({ id: caseId }).first();
    expect(kept.purged_at).not.toBeNull();
    expect(JSON.stringify(kept.extraction)).not.toContain('VANDERLINDE');
    const after = await signIn(t, verified, 'openid verified_claims');
    expect(after.id.verified_claims).toMatchObject({ claims: { family_name: 'VANDERLINDE' } });
    // The claims are sealed at rest: the name is nowhere in the row in clear.
    const row = await server.deps.db.knex('assurance').where({ person_id: verified.id }).first();
    expect(JSON.stringify(row)).not.toContain('VANDERLINDE');
    expect(row.provenance).toMatchObject({ case_id: caseId, document: { country: 'NLD', type: 'passport' } });
    // The person's own export shows the kept copy (right of access), opened.
    const exported = await server.services.privacy.exportData(verified.id);
    expect(exported.verified_identity).toMatchObject({ method: 'auto', claims: { family_name: 'VANDERLINDE', nationalities: ['NLD'] } });

    // Expiry: the sweep announces it and drops the sealed claims; the provenance stays as the record.
    await server.deps.db.knex('assurance').where({ person_id: verified.id }).update({ expires_at: new Date(Date.now() - 1000) });
    await sweepExpiredAssurance(server.deps.db.knex, systemClock);
    const expired = await server.deps.db.knex('assurance').where({ person_id: verified.id }).first();
    expect(expired.claims_enc).toBeNull();
    expect(expired.provenance).not.toBeNull();
    const gone = await signIn(t, verified, 'openid verified_claims');
    expect(gone.id.verified_claims).toBeUndefined();

    // Erasure: the assurance row (provenance, sealed claims) goes with the person.
    const erased = await server.services.privacy.erase(verified.id, verified.password);
    expect(erased).toMatchObject({ ok: true });
    expect(await server.deps.db.knex('assurance').where({ person_id: verified.id }).first()).toBeUndefined();
  }, 120_000);
});
