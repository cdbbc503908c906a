// GET /api/v1/kyc/{person_id}/status — what a tenant back-end reads, and what it must not.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../../src/tenants/service.js';
import { authRequest, discoverRp, signInThroughPages } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** Signs `person` in to a client of `tenantId` and returns the `sub` that tenant sees. */
async function subjectFor(tenantId: string, person: { email: string; password: string }): Promise<string> {
  const client = await server.client(tenantId);
  const config = await discoverRp(server, client);
  const req = await authRequest(config, client.redirect_uri, 'openid kyc');
  const callback = await signInThroughPages(server, req.url, person);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
  return tokens.claims()!.sub;
}

const status = (personId: string, key?: string, suffix = '') =>
  fetch(`${server.url}/api/v1/kyc/${encodeURIComponent(personId)}/status${suffix}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('status API', () => {
  let tenantA: string;
  let tenantB: string;
  let keyA: { id: string; api_key: string };
  let keyB: { id: string; api_key: string };
  let person: { id: string; email: string; password: string };
  let subA: string;

  beforeAll(async () => {
    tenantA = await server.tenant('Bank A');
    tenantB = await server.tenant('Exchange B');
    keyA = await server.apiKey(tenantA);
    keyB = await server.apiKey(tenantB);
    person = await server.person();
    subA = await subjectFor(tenantA, person);
  });

  it('answers the right key with exactly the documented fields', async () => {
    for (const suffix of ['', '/']) {
      const res = await status(subA, keyA.api_key, suffix);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = await res.json();
      expect(Object.keys(body).sort()).toEqual([
        'aml_clear',
        'expires_at',
        'human_verified',
        'kyc_status',
        'kyc_tier',
        'livemode',
        'person_id',
        'screened_at',
        'verification_method',
        'verified_at',
      ]);
      expect(body).toEqual({
        person_id: subA,
        kyc_status: 'unverified',
        kyc_tier: 't0',
        aml_clear: null,
        verified_at: null,
        expires_at: null,
        verification_method: null,
        human_verified: false,
        screened_at: null,
        livemode: true,
      });
    }
  });

  it('a reviewer-approved assurance reads verification_method human, human_verified true and its screening time', async () => {
    const p = await server.person();
    const sub = await subjectFor(tenantA, p);
    const screened = new Date(Date.now() - 60_000);
    await server.deps.db.knex('assurance').where({ person_id: p.id }).update({
      status: 'verified',
      tier: 't2',
      aml_clear: true,
      verified_at: new Date(),
      expires_at: new Date(Date.now() + 86400_000),
      verification_method: 'human',
      screened_at: screened,
    });
    const body = await (await status(sub, keyA.api_key)).json();
    expect(body).toMatchObject({ kyc_status: 'verified', verification_method: 'human', human_verified: true, screened_at: screened.toISOString() });
  });

  it('reads expired once a verification passes its expiry', async () => {
    const p = await server.person();
    const sub = await subjectFor(tenantA, p);
    const past = new Date(Date.now() - 1000);
    await server.deps.db.knex('assurance').where({ person_id: p.id }).update({ status: 'verified', tier: 't2', aml_clear: true, verified_at: new Date(Date.now() - 86400_000), expires_at: past });
    const body = await (await status(sub, keyA.api_key)).json();
    expect(body).toMatchObject({ kyc_status: 'expired', kyc_tier: 't2', expires_at: past.toISOString() });
  });

  it('reflects an assurance change committed by any connection (cache invalidated on commit)', async () => {
    const p = await server.person();
    const sub = await subjectFor(tenantA, p);
    expect((await (await status(sub, keyA.api_key)).json()).kyc_status).toBe('unverified');
    await server.deps.db.knex.transaction(async (trx) => {
      await trx('assurance').where({ person_id: p.id }).update({ status: 'verified', tier: 't1', verified_at: new Date(), expires_at: new Date(Date.now() + 86400_000) });
      // Not committed yet: readers still see the old row.
      expect((await (await status(sub, keyA.api_key)).json()).kyc_status).toBe('unverified');
    });
    await expect.poll(async () => (await (await status(sub, keyA.api_key)).json()).kyc_tier, { timeout: 2000, interval: 20 }).toBe('t1');
    // A rolled-back change is never seen.
    await server.deps.db.knex
      .transaction(async (trx) => {
        await trx('assurance').where({ person_id: p.id }).update({ status: 'rejected', tier: 't0' });
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect((await (await status(sub, keyA.api_key)).json()).kyc_status).toBe('verified');
  });

  it('refuses missing, malformed, unknown and revoked keys with 401', async () => {
    const noKey = await status(subA);
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: 'unauthorized' });
    expect((await status(subA, 'kp_live_doesnotexist')).status).toBe(401);
    expect((await status(subA, 'garbage')).status).toBe(401);
    const key = await server.apiKey(tenantA);
    expect((await status(subA, key.api_key)).status).toBe(200);
    await revokeApiKey(server.deps.db.knex, server.deps.clock, key.id);
    // Cached keys are dropped when the revocation's NOTIFY arrives (milliseconds after commit).
    await expect.poll(async () => (await status(subA, key.api_key)).status, { timeout: 2000, interval: 20 }).toBe(401);
    expect(await (await status(subA, key.api_key)).json()).toEqual({ error: 'unauthorized', message: 'The API key is invalid or revoked.' });
  });

  it("gives tenant B a 404 for tenant A's person, identical to an unknown id", async () => {
    const foreign = await status(subA, keyB.api_key);
    const unknown = await status('psn_unknown', keyB.api_key);
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await foreign.json()).toEqual(await unknown.json());
    // The internal person id is not a valid person_id for any tenant either.
    expect((await status(person.id, keyA.api_key)).status).toBe(404);
  });

  it('gives the same person a different sub at each tenant', async () => {
    const subB = await subjectFor(tenantB, person);
    expect(subB).not.toBe(subA);
    expect(subA.startsWith('psn_') && subB.startsWith('psn_')).toBe(true);
    expect((await status(subB, keyB.api_key)).status).toBe(200);
    expect((await status(subB, keyA.api_key)).status).toBe(404);
    // Signing in again to another client of the same tenant keeps the tenant's sub.
    expect(await subjectFor(tenantA, person)).toBe(subA);
  });

  it('validates the path and answers bad input with the JSON error shape', async () => {
    const res = await status('bad id!', keyA.api_key);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toBe('validation_failed');
    expect(typeof body.message).toBe('string');
    expect(Array.isArray(body.details)).toBe(true);
    const missing = await fetch(`${server.url}/api/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });
});
