// Baseline: bare oidc-provider with its default memory adapter and default (jose) signing, issuing the same token
// formats as KYCPort (at+jwt access token for one resource server and ID token, both EdDSA) under the same PKCE
// policy, and an interaction that signs a fixed account in without a page (the benchmark measures the token
// endpoint).
import http from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'bench', alg: 'EdDSA', use: 'sig' };
const resource = `${issuer}/me`;

const provider = new Provider(issuer, {
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
