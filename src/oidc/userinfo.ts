// Userinfo for our JWT access tokens. oidc-provider's own userinfo refuses any token with an audience, and
// RFC 9068 tokens always have one, so this resource server validates them itself: signature against our JWKS,
// typ at+jwt, issuer, audience, expiry, openid scope, and a live grant (revocation takes effect immediately).
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type Provider from 'oidc-provider';
import type { AccountClaims } from '../assurance/claims.js';
import type { Clock } from '../clock.js';
import { formBody } from '../http/body.js';
import { contracts } from '../http/contract.js';
import { outageOf, outages, RETRY_AFTER_SECONDS } from '../db/outage.js';
import { clientTenant, testClientTenant } from './adapters/clients.js';
import { filterByScope } from './claims.js';
import type { KeyMaterial } from './keys.js';
import { OIDC_PREFIX, userinfoResource } from './provider.js';
import { releaseVerifiedClaims } from './verified-claims.js';

// RFC 6750 errors keep OAuth's shape ({error, error_description}), not the API error family's.
const bearerError = z.strictObject({ error: z.enum(['invalid_request', 'invalid_token', 'insufficient_scope']), error_description: z.string() });
const claims = z.looseObject({ sub: z.string() }).describe('Standard OIDC claims plus kyc/verified_claims, as the scopes allow.');
const unavailable = z.strictObject({ error: z.literal('temporarily_unavailable'), error_description: z.string() }).describe('The database or Redis is unreachable; see Retry-After.');
const responses = { 200: claims, 400: bearerError, 401: bearerError, 403: bearerError, 503: unavailable };
// The token may come in a form body (RFC 6750 §2.2); anything but one string there is no token.
const formToken = z.looseObject({ access_token: z.string().optional().catch(undefined) });

class BearerError extends Error {
  constructor(readonly code: 'invalid_request' | 'invalid_token' | 'insufficient_scope', message: string, readonly status = 401) {
    super(message);
  }
}

export interface UserinfoDeps {
  provider: Provider;
  keys: KeyMaterial;
  issuer: string;
  /** verified_claims' trust_framework (config). */
  trustFramework: string;
  clock: Clock;
  claims: (personId: string, testTenant?: string) => Promise<AccountClaims | undefined>;
  findSubject: (tenantId: string, sub: string) => Promise<{ person_id: string; sub: string } | undefined>;
}

export function userinfoRoutes({ provider, keys, issuer, trustFramework, clock, claims: accountClaims, findSubject }: UserinfoDeps): Router {
  const router = new Router();
  const publicKeys = keys.signingKeys.map(({ d: _d, ...pub }) => pub);
  const jwks = createLocalJWKSet({ keys: publicKeys });
  const audience = userinfoResource(issuer);

  async function handle(token: string | undefined) {
    if (!token) throw new BearerError('invalid_request', 'no access token provided', 400);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer,
        audience,
        typ: 'at+jwt',
        algorithms: ['EdDSA'],
        currentDate: clock.now(),
      }));
    } catch {
      throw new BearerError('invalid_token', 'invalid or expired access token');
    }
    const scopes = new Set((typeof payload.scope === 'string' ? payload.scope : '').split(' '));
    if (!scopes.has('openid')) throw new BearerError('insufficient_scope', 'access token missing openid scope', 403);
    const grant = typeof payload.gid === 'string' ? await provider.Grant.find(payload.gid) : undefined;
    if (!grant || grant.clientId !== payload.client_id) throw new BearerError('invalid_token', 'grant revoked or expired');
    const client = await provider.Client.find(String(payload.client_id));
    const tenantId = clientTenant(client);
    const subject = tenantId ? await findSubject(tenantId, String(payload.sub)) : undefined;
    if (!subject || subject.person_id !== grant.accountId) throw new BearerError('invalid_token', 'unknown subject');
    const claims = await accountClaims(subject.person_id, testClientTenant(client));
    if (!claims) throw new BearerError('invalid_token', 'account no longer exists');
    // verified_claims asked for in the claims parameter's userinfo member (carried in the token, provider.ts) is
    // released only when the person consented to it (the grant holds the claim), like oidc-provider's own userinfo.
    const asked = grant.getOIDCClaims().includes('verified_claims') ? payload.verified_claims_request : undefined;
    return { ...filterByScope(claims, scopes, subject.sub), ...releaseVerifiedClaims(claims.verified, { scopes, request: asked }, trustFramework, clock.now()) };
  }

  const endpoint = async (ctx: Koa.Context, body: { access_token?: string } | undefined) => {
    ctx.set('Cache-Control', 'no-store');
    const header = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'))?.[1];
    const token = header ?? body?.access_token;
    try {
      ctx.body = await handle(token);
    } catch (err) {
      const dependency = outageOf(err);
      if (dependency) {
        // OAuth's shape, like this endpoint's other errors; the outage is logged once, not per request.
        outages.down(dependency, err);
        ctx.status = 503;
        ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
        ctx.body = { error: 'temporarily_unavailable', error_description: 'the service cannot reach its storage at the moment; retry shortly' };
        return;
      }
      if (!(err instanceof BearerError)) throw err;
      ctx.status = err.status;
      ctx.set('WWW-Authenticate', `Bearer realm="${issuer}", error="${err.code}", error_description="${err.message}"`);
      ctx.body = { error: err.code, error_description: err.message };
    }
  };
  // Routes match with or without a trailing slash (the router is not strict).
  const api = contracts(router, { auth: 'access_token' });
  const summary = "The signed-in person's claims, filtered by the token's scopes";
  api.route({ method: 'get', path: `${OIDC_PREFIX}/me`, summary, responses }, (ctx) => endpoint(ctx, undefined));
  api.route({ method: 'post', path: `${OIDC_PREFIX}/me`, summary, body: formToken, responses, use: [formBody()] }, (ctx, { body }) => endpoint(ctx, body));
  return router;
}
