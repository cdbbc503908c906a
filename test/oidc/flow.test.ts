// The whole "Sign in with KYCPort" flow with openid-client, unmodified, as a real RP would use it.
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { authRequest, discoverRp, signInThroughPages } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let tenantId: string;

beforeAll(async () => {
  server = await startTestServer();
  tenantId = await server.tenant('Acme Bank');
});
afterAll(() => server?.close());

describe('authorization code flow with PKCE', () => {
  it('confidential client: sign-in, consent, code exchange, userinfo, refresh', async () => {
    const client = await server.client(tenantId);
    const person = await server.person();
    const config = await discoverRp(server, client);
    oidc.enableNonRepudiationChecks(config);
    const req = await authRequest(config, client.redirect_uri);
    expect(req.url.searchParams.get('code_challenge_method')).toBe('S256');

    const callback = await signInThroughPages(server, req.url, person);
    expect(callback.origin + callback.pathname).toBe(client.redirect_uri);
    expect(callback.searchParams.get('state')).toBe(req.state);

    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
      idTokenExpected: true,
    });
    const jwks = createRemoteJWKSet(new URL(`${server.url}/api/oidc/jwks`));

    // ID token: EdDSA, verified against the published JWKS, nonce round-trip, standard claims.
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('EdDSA');
    const { payload: id } = await jwtVerify(tokens.id_token!, jwks, { issuer: server.url, audience: client.client_id });
    expect(id.nonce).toBe(req.nonce);
    expect(typeof id.auth_time).toBe('number');
    expect(id.exp! - id.iat!).toBeGreaterThan(0);
    expect(id.kyc_status).toBe('unverified');
    expect(id.kyc_tier).toBe('t0');
    expect(id.aml_clear).toBeNull();
    expect(id.email).toBe(person.email);
    expect(id.sub).not.toBe(person.id);

    // Access token: RFC 9068 JWT, typ at+jwt, EdDSA.
    const atHeader = decodeProtectedHeader(tokens.access_token);
    expect(atHeader.typ).toBe('at+jwt');
    expect(atHeader.alg).toBe('EdDSA');
    const { payload: at } = await jwtVerify(tokens.access_token, jwks, { issuer: server.url, typ: 'at+jwt' });
    expect(at.sub).toBe(id.sub);
    expect(at.client_id).toBe(client.client_id);

    // The same access token works at userinfo.
    const info = await oidc.fetchUserInfo(config, tokens.access_token, id.sub!);
    expect(info).toMatchObject({ sub: id.sub, kyc_status: 'unverified', kyc_tier: 't0', aml_clear: null, email: person.email });

    // offline_access → refresh token, rotated on use; the old one stops working, and reusing it (a stolen copy, or
    // two tabs refreshing at once) revokes the grant: the newest refresh token stops working too.
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(decodeProtectedHeader(refreshed.access_token).typ).toBe('at+jwt');
    await expect(oidc.fetchUserInfo(config, refreshed.access_token, id.sub!)).resolves.toMatchObject({ kyc_tier: 't0' });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('public client (no secret) completes the flow', async () => {
    const client = await server.client(tenantId, { public: true });
    expect(client.client_secret).toBeUndefined();
    const person = await server.person();
    const config = await discoverRp(server, client);
    const req = await authRequest(config, client.redirect_uri, 'openid kyc');
    const callback = await signInThroughPages(server, req.url, person);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ kyc_status: 'unverified', kyc_tier: 't0' });
    expect(claims.email).toBeUndefined();
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info).toMatchObject({ kyc_status: 'unverified', kyc_tier: 't0' });
  });

  it('discovery answers at both locations with the same document', async () => {
    const a = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
    const b = await (await fetch(`${server.url}/api/oidc/.well-known/openid-configuration`)).json();
    expect(b).toEqual(a);
    expect(a.issuer).toBe(server.url);
    expect(a.code_challenge_methods_supported).toEqual(['S256']);
    expect(a.id_token_signing_alg_values_supported).toEqual(['EdDSA']);
    expect(a.subject_types_supported).toEqual(['pairwise']);
    // The token endpoint also answers with a trailing slash.
    const res = await fetch(`${server.url}/api/oidc/token/`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code' }) });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('invalid_request');
  });
});

describe('key rotation', () => {
  it('signs new tokens with the new key while tokens from the previous key still verify through the JWKS', async () => {
    const { generateSigningKey } = await import('../../src/oidc/keys.js');
    const client = await server.client(tenantId);
    const person = await server.person();
    const exchange = async () => {
      const config = await discoverRp(server, client);
      const req = await authRequest(config, client.redirect_uri, 'openid kyc');
      const callback = await signInThroughPages(server, req.url, person);
      return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    };
    const before = await exchange();
    const oldKid = decodeProtectedHeader(before.id_token!).kid;

    const rotated = await generateSigningKey(server.deps.config.keysDir);
    await server.restart();

    const after = await exchange();
    expect(decodeProtectedHeader(after.id_token!).kid).toBe(rotated.kid);
    expect(decodeProtectedHeader(after.access_token).kid).toBe(rotated.kid);
    const published = (await (await fetch(`${server.url}/api/oidc/jwks`)).json()).keys.map((k: { kid: string }) => k.kid);
    expect(published).toEqual(expect.arrayContaining([oldKid, rotated.kid]));
    const jwks = createRemoteJWKSet(new URL(`${server.url}/api/oidc/jwks`));
    await expect(jwtVerify(before.id_token!, jwks, { issuer: server.url })).resolves.toBeTruthy();
    // An access token from before the rotation still works at userinfo until it expires.
    const res = await fetch(`${server.url}/api/oidc/me`, { headers: { authorization: `Bearer ${before.access_token}` } });
    expect(res.status).toBe(200);
  });
});

describe('every endpoint named in discovery', () => {
  it('answers: jwks, revocation, PAR, end_session, userinfo', async () => {
    const d = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json();
    const client = await server.client(tenantId);
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    const form = (body: Record<string, string>) => ({
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });

    const jwks = await (await fetch(d.jwks_uri)).json();
    expect(jwks.keys.every((k: { kty: string; crv: string; d?: string }) => k.kty === 'OKP' && k.crv === 'Ed25519' && !k.d)).toBe(true);

    expect((await fetch(d.revocation_endpoint, form({ token: 'unknown-token' }))).status).toBe(200);

    const par = await fetch(
      d.pushed_authorization_request_endpoint,
      form({ client_id: client.client_id, response_type: 'code', scope: 'openid', redirect_uri: client.redirect_uri, code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' }),
    );
    expect(par.status).toBe(201);
    expect((await par.json()).request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);

    // Without a session there is nothing to confirm: oidc-provider's auto-submitting form, whose inline script
    // our CSP admits by hash.
    const logout = await fetch(`${d.end_session_endpoint}?client_id=${client.client_id}`);
    expect(logout.status).toBe(200);
    expect(await logout.text()).toContain('/api/oidc/session/end/confirm');
    expect(logout.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-[\w+/=]+'/);
    // With a session, the person confirms on our page.
    const browser = new Browser();
    const person = await server.person();
    const config = await discoverRp(server, client);
    const req = await authRequest(config, client.redirect_uri, 'openid');
    await signInThroughPages(server, req.url, person, browser);
    const confirm = await browser.fetch(`${d.end_session_endpoint}?client_id=${client.client_id}`);
    const page = await confirm.text();
    expect(page).toContain('Sign out?');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)![1]!;
    const done = await browser.follow(`${d.end_session_endpoint}/confirm`, server.url, { form: { xsrf, logout: 'yes' } });
    expect(await done.res.text()).toContain('You have been signed out');

    const me = await fetch(d.userinfo_endpoint);
    expect(me.status).toBe(400);
    expect(d.token_endpoint).toBe(`${server.url}/api/oidc/token`);
    expect(d.authorization_endpoint).toBe(`${server.url}/api/oidc/auth`);
  });
});
