// What a conformant provider must refuse, seen from a real RP (openid-client) and a browser.
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Browser } from '../support/browser.js';
import { authRequest, discoverRp, signInThroughPages } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let client: { client_id: string; client_secret?: string; redirect_uri: string };
let config: oidc.Configuration;
let person: { email: string; password: string };

beforeAll(async () => {
  server = await startTestServer();
  client = await server.client(await server.tenant());
  config = await discoverRp(server, client);
  person = await server.person();
});
afterAll(() => server?.close());
afterEach(() => vi.useRealTimers());

/** A fresh authorization that has reached the RP's callback with a code. */
async function authorized(scope = 'openid kyc') {
  const req = await authRequest(config, client.redirect_uri, scope);
  const callback = await signInThroughPages(server, req.url, person);
  return { req, callback };
}

function authUrl(params: Record<string, string>): string {
  const u = new URL(`${server.url}/api/oidc/auth`);
  const base = { client_id: client.client_id, response_type: 'code', scope: 'openid', redirect_uri: client.redirect_uri, state: 'st', nonce: 'n' };
  for (const [k, v] of Object.entries({ ...base, ...params })) if (v !== '') u.searchParams.set(k, v);
  return u.href;
}

describe('authorization request', () => {
  it('refuses a request without PKCE', async () => {
    const res = await new Browser().fetch(authUrl({}));
    const to = new URL(res.headers.get('location')!);
    expect(to.origin + to.pathname).toBe(client.redirect_uri);
    expect(to.searchParams.get('error')).toBe('invalid_request');
    expect(to.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(to.searchParams.get('code')).toBeNull();
  });

  it('refuses code_challenge_method=plain', async () => {
    const res = await new Browser().fetch(authUrl({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }));
    const to = new URL(res.headers.get('location')!);
    expect(to.searchParams.get('error')).toBe('invalid_request');
    expect(to.searchParams.get('code')).toBeNull();
  });

  it.each([
    ['unregistered', 'http://127.0.0.1:9/elsewhere'],
    ['altered path', `http://127.0.0.1:9/callback/x`],
    ['altered query', `http://127.0.0.1:9/callback?next=evil`],
    ['altered port', 'http://127.0.0.1:10/callback'],
  ])('refuses an %s redirect_uri without redirecting to it', async (_label, redirectUri) => {
    const res = await new Browser().fetch(authUrl({ redirect_uri: redirectUri, code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri');
  });
});

describe('token endpoint', () => {
  it('refuses a wrong client secret', async () => {
    const { req, callback } = await authorized();
    const wrong = await discoverRp(server, { client_id: client.client_id, client_secret: 'not-the-secret' });
    await expect(
      oidc.authorizationCodeGrant(wrong, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce }),
    ).rejects.toMatchObject({ status: 401, cause: [{ parameters: { error: 'invalid_client' } }] });
  });

  it('refuses a reused code', async () => {
    const { req, callback } = await authorized();
    const checks = { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce };
    await oidc.authorizationCodeGrant(config, callback, checks);
    await expect(oidc.authorizationCodeGrant(config, callback, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses an expired code (codes live 60 s)', async () => {
    const { req, callback } = await authorized();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    await expect(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a wrong PKCE verifier', async () => {
    const { req, callback } = await authorized();
    await expect(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: req.state,
        expectedNonce: req.nonce,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('the client detects', () => {
  it('a nonce mismatch', async () => {
    const { req, callback } = await authorized();
    await expect(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: oidc.randomNonce() }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/"nonce" claim value/) } });
  });

  it('a state mismatch', async () => {
    const { req, callback } = await authorized();
    await expect(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: 'other', expectedNonce: req.nonce }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/"state" response parameter/) } });
  });

  it('a tampered ID token (signature checked against the JWKS)', async () => {
    const tampering = await discoverRp(server, client);
    oidc.enableNonRepudiationChecks(tampering);
    tampering[oidc.customFetch] = async (url, options) => {
      const res = await fetch(url, options as RequestInit);
      if (!url.endsWith('/api/oidc/token')) return res;
      const body = await res.json();
      const [h, p, s] = body.id_token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      claims.kyc_tier = 't3';
      claims.kyc_status = 'verified';
      body.id_token = [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
      const headers = new Headers(res.headers);
      headers.delete('content-length');
      return new Response(JSON.stringify(body), { status: res.status, headers });
    };
    const { req, callback } = await authorized();
    await expect(
      oidc.authorizationCodeGrant(tampering, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce }),
    ).rejects.toMatchObject({ cause: { message: 'JWT signature verification failed' } });
  });
});

describe('userinfo', () => {
  it('refuses a missing, forged or revoked access token', async () => {
    const { req, callback } = await authorized('openid kyc offline_access');
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    const me = `${server.url}/api/oidc/me`;
    expect((await fetch(me)).status).toBe(400);
    const [h, p] = tokens.access_token.split('.');
    const forged = await fetch(me, { headers: { authorization: `Bearer ${h}.${p}.${'A'.repeat(86)}` } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/invalid_token/);
    expect((await fetch(me, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);
    // Revoking the refresh token revokes the grant, and with it every access token of that grant.
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    expect((await fetch(me, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(401);
  });
});
