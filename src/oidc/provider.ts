// node-oidc-provider configuration. The protocol is entirely oidc-provider's; here we only choose policy.
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { AccountClaims } from '../assurance/claims.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { deriveKey } from '../crypto/derive.js';
import { oidcArtifactKeys } from '../crypto/keys.js';
import { clientIp } from '../http/client-ip.js';
import type { KeyMaterial } from './keys.js';
import { CLAIMS_CONFIG, SCOPES } from './claims.js';
import { ClientCatalog, clientTenant, testClientTenant } from './adapters/clients.js';
import { artifactCodec } from './adapters/artifacts.js';
import { postgresAccountArtifacts, postgresAdapterFactory } from './adapters/postgres.js';
import { redisAccountArtifacts, redisAdapterFactory } from './adapters/redis.js';
import { failFast, failFastAdapter } from './adapters/fail-fast.js';
import { outages, RETRY_AFTER_SECONDS } from '../db/outage.js';
import { verifySecret } from '../ids.js';
import { log } from '../log.js';
import { renderError, renderLogout, renderLogoutSuccess } from './interactions/views.js';
import { accountRevoker, currentSession } from './revoke.js';
import { Ed25519SigningKey, EXTERNAL_SIGNING_ACK } from './signing-key.js';
import { ACR_VALUES } from './acr.js';
import { acrFromHeldTier, stepUpPolicy } from './step-up.js';
import { CONSOLE_CLIENT_ID } from '../tenants/hosted-client.js';
import { releaseVerifiedClaims, verifiedClaimsDiscovery } from './verified-claims.js';
import { isObject, verifiedClaimsRequestProblem } from './verified-claims-request.js';

export const OIDC_PREFIX = '/api/oidc';

/** The single resource server our JWT access tokens are for: our own userinfo endpoint. */
export function userinfoResource(issuer: string): string {
  return `${issuer}${OIDC_PREFIX}/me`;
}

export const TTL = {
  AccessToken: 10 * 60,
  AuthorizationCode: 60,
  IdToken: 60 * 60,
  RefreshToken: 30 * 24 * 60 * 60,
  Interaction: 60 * 60,
  Session: 14 * 24 * 60 * 60,
  Grant: 30 * 24 * 60 * 60,
};

export interface OidcProvider {
  provider: Provider;
  pairwise: (tenantId: string, personId: string) => string;
  clients: ClientCatalog;
  /** Ends a person's sessions and grants (password reset, password change). */
  sessions: ReturnType<typeof accountRevoker>;
  /** The person signed in to this browser, from the provider's session cookie. */
  currentSession: ReturnType<typeof currentSession>;
}

export interface ProviderDeps {
  config: Pick<Config, 'issuer' | 'publicUrl' | 'redisPrefix' | 'trustProxy' | 'trustFramework'>;
  db: Knex;
  /** Artifacts live in Redis when configured, else in the database. */
  redis: Redis | undefined;
  clock: Clock;
  keys: KeyMaterial;
  /** The person's claims (assurance service); with `testTenant`, that tenant's test assurance instead of the live one. */
  claims: (personId: string, testTenant?: string) => Promise<AccountClaims | undefined>;
  /** The tenant's pairwise subject of a person (persons service). */
  pairwise: (tenantId: string, personId: string) => string;
}

export function createProvider({ config, db, redis, clock, keys, claims: accountClaims, pairwise }: ProviderDeps): OidcProvider {
  const clients = new ClientCatalog(db);
  const artifacts = artifactCodec(oidcArtifactKeys(keys.secret));
  const resource = userinfoResource(config.issuer);
  const secureCookies = config.publicUrl.startsWith('https://');
  const oidcScopes = SCOPES.filter((s) => s !== 'offline_access').join(' ');

  const configuration: Configuration = {
    // An outage of the store answers 503 temporarily_unavailable (adapters/fail-fast.ts).
    adapter: failFastAdapter(redis ? redisAdapterFactory(redis, config.redisPrefix, clients, artifacts) : postgresAdapterFactory(db, clock, clients, artifacts)),
    jwks: { keys: keys.signingKeys.map((jwk) => new Ed25519SigningKey(jwk)) },
    cookies: {
      keys: [deriveKey(keys.secret, 'cookie-signing').toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax', secure: secureCookies, signed: true },
      short: { httpOnly: true, sameSite: 'lax', secure: secureCookies, signed: true },
    },
    pkce: { required: () => true },
    enabledJWA: {
      idTokenSigningAlgValues: ['EdDSA'],
      userinfoSigningAlgValues: ['EdDSA'],
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    clientDefaults: {
      id_token_signed_response_alg: 'EdDSA',
      // RPs doing step-up or re-authentication checks need auth_time; always include it.
      require_auth_time: true,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    responseTypes: ['code'],
    subjectTypes: ['pairwise'],
    pairwiseIdentifier(_ctx, accountId, client) {
      const tenantId = clientTenant(client);
      if (!tenantId) throw new Error('client without tenant');
      return pairwise(tenantId, accountId);
    },
    extraClientMetadata: { properties: ['tenant_id', 'livemode'] },
    scopes: [...SCOPES],
    claims: CLAIMS_CONFIG,
    conformIdTokenClaims: false,
    // Tiers as acr values: advertised in discovery (acr_values_supported); step-up in step-up.ts.
    acrValues: [...ACR_VALUES],
    async findAccount(ctx, id) {
      const testTenant = testClientTenant(ctx.oidc.client);
      const claims = await failFast(() => accountClaims(id, testTenant));
      if (!claims) return undefined;
      const { verified, ...plain } = claims;
      // `requested`: the claims parameter's members for this use, already cut to what the grant allows.
      return {
        accountId: id,
        claims: (_use, scope, requested) => {
          const ask = { scopes: new Set(scope.split(' ')), request: requested?.verified_claims };
          return { ...plain, ...releaseVerifiedClaims(verified, ask, config.trustFramework, clock.now()) };
        },
      };
    },
    features: {
      devInteractions: { enabled: false },
      // An essential acr (issue 11 §3) is asked for through the claims parameter.
      claimsParameter: {
        enabled: true,
        // A malformed verified_claims request is refused up front; one whose constraints are not met is not an
        // error (verified_claims is just left out).
        assertClaimsParameter(_ctx, claims) {
          for (const use of ['id_token', 'userinfo'] as const) {
            const member = claims[use];
            if (!isObject(member) || !('verified_claims' in member)) continue;
            const problem = verifiedClaimsRequestProblem(member.verified_claims);
            if (problem) throw new errors.InvalidRequest(`claims.${use}: ${problem}`);
          }
        },
      },
      // Signing with node:crypto instead of jose + WebCrypto (signing-key.ts).
      externalSigningSupport: { enabled: true, ack: EXTERNAL_SIGNING_ACK },
      // Our userinfo validates bearer JWTs only; sender-constrained tokens would need DPoP proof checks there.
      dPoP: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => renderLogout(ctx, form),
        postLogoutSuccessSource: (ctx) => renderLogoutSuccess(ctx),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget('unknown resource indicator');
          return {
            scope: oidcScopes,
            audience: resource,
            accessTokenTTL: TTL.AccessToken,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'EdDSA' } },
          };
        },
      },
    },
    // The grant id lets our userinfo refuse tokens whose grant was revoked (e.g. refresh token revoked).
    // The userinfo part of a verified_claims request rides in the access token (our userinfo is a resource server
    // that never sees the authorization request); it is the client's own request, nothing it did not send.
    extraTokenClaims: (ctx, token) => {
      if (!('grantId' in token && token.grantId)) return undefined;
      const source = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
      const asked = (source as { claims?: { userinfo?: { verified_claims?: unknown } } } | undefined)?.claims?.userinfo?.verified_claims;
      return { gid: token.grantId, ...(asked === undefined ? {} : { verified_claims_request: asked }) };
    },
    issueRefreshToken: (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    ttl: { ...TTL },
    // The operator console is the operator's own application: its sign-in asks for no consent (openid only).
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc;
      const grantId = ctx.oidc.result?.consent?.grantId ?? (client && session?.grantIdFor(client.clientId));
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      if (client?.clientId !== CONSOLE_CLIENT_ID || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid');
      // The default resource (our userinfo) is part of every authorization here: grant it what openid asks.
      grant.addResourceScope(resource, 'openid');
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: stepUpPolicy((id, testTenant) => failFast(() => accountClaims(id, testTenant))) },
    routes: {
      authorization: `${OIDC_PREFIX}/auth`,
      token: `${OIDC_PREFIX}/token`,
      userinfo: `${OIDC_PREFIX}/me`,
      jwks: `${OIDC_PREFIX}/jwks`,
      revocation: `${OIDC_PREFIX}/token/revocation`,
      end_session: `${OIDC_PREFIX}/session/end`,
      pushed_authorization_request: `${OIDC_PREFIX}/request`,
    },
    discovery: {
      claim_types_supported: ['normal'],
      service_documentation: `${config.issuer}/llms.txt`,
      ui_locales_supported: ['en'],
      ...verifiedClaimsDiscovery(config.trustFramework),
    },
    renderError: (ctx, out) => renderError(ctx, out),
    // Unknown errors must not leak internals into the browser.
    allowOmittingSingleRegisteredRedirectUri: false,
  };

  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.trustProxy.kind !== 'none';
  acrFromHeldTier(provider);
  // The provider builds its own Koa context: give it the same client address as ours.
  provider.use(clientIp(config.trustProxy));

  // Client secrets are stored hashed; oidc-provider's metadata holds the hash, so compare against it here.
  provider.Client.prototype.compareClientSecret = function compare(this: { clientSecret?: string }, actual: string) {
    return typeof this.clientSecret === 'string' && verifySecret(actual, this.clientSecret);
  };

  // A 503 (an outage, adapters/fail-fast.ts) tells the client when to retry.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.status === 503) {
      ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      ctx.set('Cache-Control', 'no-store');
    }
  });
  // Operators need to see why a protocol request failed; details go to the log, never token values. An outage
  // that reached here unwrapped is logged once per outage, not once per request.
  provider.on('server_error', (_ctx, err) => {
    if (!outages.note(err)) log.error('oidc server error', { err: err.stack ?? String(err) });
  });
  provider.on('grant.error', (_ctx, err) => log.debug('oidc grant error', { error: (err as { error?: string }).error, detail: (err as { error_detail?: string }).error_detail }));

  const accounts = redis ? redisAccountArtifacts(redis, config.redisPrefix, artifacts) : postgresAccountArtifacts(db, artifacts);
  return { provider, pairwise, clients, sessions: accountRevoker(provider, accounts), currentSession: currentSession(provider) };
}

export type { KoaContextWithOIDC };
