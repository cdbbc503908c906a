// The first-party client the hosted verification pages sign a person in with, one per tenant: the sign-in and
// consent go through the provider's own interaction pages (no second password form), and the consent names
// the tenant the verification is for. Its code is never redeemed: the provider's session in the browser is
// what the hosted flow reads.
import type { Queryable } from '../db/index.js';
import { createTenant } from './service.js';
import { tenantStore } from './store.js';

export const hostedClientId = (tenantId: string) => `kpverify_${tenantId}`;

export async function ensureHostedClient(db: Queryable, tenantId: string, redirectUri: string): Promise<string> {
  const clientId = hostedClientId(tenantId);
  const found = await tenantStore.findClient(db, clientId);
  const uris = found?.metadata.redirect_uris;
  if (Array.isArray(uris) && uris.includes(redirectUri)) return clientId;
  return saveFirstPartyClient(db, { clientId, tenantId, redirectUri });
}

/** A public code-flow client of our own pages, (re)written with its one redirect URI. */
async function saveFirstPartyClient(db: Queryable, c: { clientId: string; tenantId: string; redirectUri: string; name?: string }): Promise<string> {
  const metadata = {
    client_id: c.clientId,
    ...(c.name ? { client_name: c.name } : {}),
    tenant_id: c.tenantId,
    redirect_uris: [c.redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'none',
  };
  await tenantStore.upsertClient(db, { client_id: c.clientId, tenant_id: c.tenantId, metadata });
  return c.clientId;
}

/**
 * The operator console's client (console/): the same first-party mechanism, one for the whole instance. Every
 * client belongs to a tenant (pairwise subjects, the sign-in page's name), so the console's belongs to an operator
 * tenant made with it; no API key or case ever uses that tenant. The provider grants this client `openid`
 * without a consent page (oidc/provider.ts): it is the operator's own application.
 */
export const CONSOLE_CLIENT_ID = 'kpconsole';
export const CONSOLE_TENANT_NAME = 'KYCPort operator console';

export async function ensureConsoleClient(db: Queryable, redirectUri: string): Promise<string> {
  const found = await tenantStore.findClient(db, CONSOLE_CLIENT_ID);
  const uris = found?.metadata.redirect_uris;
  if (found && Array.isArray(uris) && uris.includes(redirectUri)) return CONSOLE_CLIENT_ID;
  const tenantId = found?.tenant_id ?? (await createTenant(db, CONSOLE_TENANT_NAME)).tenant_id;
  return saveFirstPartyClient(db, { clientId: CONSOLE_CLIENT_ID, tenantId, redirectUri, name: 'KYCPort console' });
}
