// Baseline: bare oidc-provider with its default (jose) signing, issuing the same token formats as KYCPort (at+jwt
// access token for one resource server and ID token, both EdDSA) under the same PKCE policy, and an interaction
// that signs a fixed account in without a page (the benchmark measures the token endpoint). Its artifacts go where
// KYCPort's go, through the same storage adapter: STORE=redis (REDIS_URL, REDIS_PREFIX) or STORE=pglite (its own
// embedded database in DATA_DIR); STORE=memory is oidc-provider's default memory adapter.
import http from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { Redis } from 'ioredis';
import { systemClock } from '../../src/clock.js';
import { openDatabase } from '../../src/db/index.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { oidcArtifactKeys } from '../../src/crypto/keys.js';
import { artifactCodec } from '../../src/oidc/adapters/artifacts.js';
import type { ClientCatalog } from '../../src/oidc/adapters/clients.js';
import { postgresAdapterFactory } from '../../src/oidc/adapters/postgres.js';
import { redisAdapterFactory } from '../../src/oidc/adapters/redis.js';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'bench', alg: 'EdDSA', use: 'sig' };
const resource = `${issuer}/me`;

// The client is static (oidc-provider never asks the adapter for it), so the catalog is never read.
const noClients = { find: async () => undefined } as unknown as ClientCatalog;
// Artifacts hashed and sealed as KYCPort stores them (a throwaway secret: nothing outlives the run).
const artifacts = artifactCodec(oidcArtifactKeys('bench-only-secret-not-for-production-use'));
async function adapter(): Promise<Configuration['adapter']> {
  const store = process.env.STORE ?? 'memory';
  if (store === 'redis') return redisAdapterFactory(new Redis(process.env.REDIS_URL!), process.env.REDIS_PREFIX!, noClients, artifacts);
  if (store === 'pglite') {
    const db = await openDatabase({ databaseUrl: undefined, dataDir: process.env.DATA_DIR! });
    await migrateLatest(db);
    return postgresAdapterFactory(db.knex, systemClock, noClients, artifacts);
  }
  if (store !== 'memory') throw new Error(`unknown STORE ${store}`);
  return undefined;
}

const provider = new Provider(issuer, {
  adapter: await adapter(),
  clients: [
    {
      client_id: 'bench',
      client_secret: process.env.CLIENT_SECRET!,
      redirect_uris: [process.env.REDIRECT_URI!],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'EdDSA',
    },
  ],
  jwks: { keys: [jwk as never] },
  pkce: { required: () => true },
  enabledJWA: { idTokenSigningAlgValues: ['EdDSA'] },
  cookies: { keys: ['bench-cookie-key'] },
  features: {
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? resource,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({ scope: 'openid kyc', audience: resource, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'EdDSA' } } }),
    },
  },
  scopes: ['openid', 'kyc'],
  claims: { openid: ['sub'], kyc: ['kyc_status', 'kyc_tier'] },
  findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, kyc_status: 'unverified', kyc_tier: 't0' }) }),
  interactions: { url: async (_ctx, i) => `/interaction/${i.uid}` },
});

const callback = provider.callback();
http
  .createServer(async (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(req, res, { login: { accountId: 'bench-account' } });
        return;
      }
      const grant = new provider.Grant({ accountId: 'bench-account', clientId: 'bench' });
      grant.addOIDCScope('openid kyc');
      grant.addResourceScope(resource, 'openid kyc');
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      return;
    }
    callback(req, res);
  })
  .listen(port, '127.0.0.1');
