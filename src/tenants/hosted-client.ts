// The first-party client the hosted verification pages sign a person in with, one per tenant: the sign-in and
// consent go through the provider's own interaction pages (no second password form), and the consent names
// the tenant the verification is for. Its code is never redeemed: the provider's session in the browser is
// what the hosted flow reads.
import type { Queryable } from '../db/index.js';
import { tenantStore } from './store.js';

export const hostedClientId = (tenantId: string) => `kpverify_${tenantId}`;

export async function ensureHostedClient(db: Queryable, tenantId: string, redirectUri: string): Promise<string> {
  const clientId = hostedClientId(tenantId);
  const found = await tenantStore.findClient(db, clientId);
  const uris = found?.metadata.redirect_uris;
  if (Array.isArray(uris) && uris.includes(redirectUri)) return clientId;
  const metadata = {
    client_id: clientId,
    tenant_id: tenantId,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'none',
  };
  await tenantStore.upsertClient(db, { client_id: clientId, tenant_id: tenantId, metadata });
  return clientId;
}
