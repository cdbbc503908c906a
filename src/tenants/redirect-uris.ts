// A tenant's own redirect URIs for hosted verification sessions (besides its clients' ones), managed with
// `kycport tenant redirect-uris add|remove|list`. Same rules as a client's: https (http on loopback outside
// production), no fragment.
import type { Config } from '../config.js';
import type { Queryable } from '../db/index.js';
import { NotFoundError } from '../http/errors.js';
import { checkRedirectUri } from './service.js';
import { tenantStore } from './store.js';

async function requireTenant(db: Queryable, tenantId: string): Promise<void> {
  if (!(await tenantStore.findTenant(db, tenantId))) throw new NotFoundError('Tenant');
}

export const redirectUriStore = {
  list: async (db: Queryable, tenantId: string): Promise<string[]> =>
    (await db('tenant_redirect_uris').where({ tenant_id: tenantId }).orderBy('uri').select<{ uri: string }[]>('uri')).map((r) => r.uri),
  /** Is `uri` registered for the tenant: in its own list or on one of its clients (exact match). */
  async isRegistered(db: Queryable, tenantId: string, uri: string): Promise<boolean> {
    if (await db('tenant_redirect_uris').where({ tenant_id: tenantId, uri }).first('uri')) return true;
    const clients = await db('oidc_clients').where({ tenant_id: tenantId }).select<{ metadata: { redirect_uris?: unknown } }[]>('metadata');
    return clients.some((c) => Array.isArray(c.metadata.redirect_uris) && c.metadata.redirect_uris.includes(uri));
  },
};

export async function addRedirectUri(db: Queryable, config: Pick<Config, 'isProduction'>, tenantId: string, uri: string) {
  await requireTenant(db, tenantId);
  await db('tenant_redirect_uris').insert({ tenant_id: tenantId, uri: checkRedirectUri(uri, config) }).onConflict(['tenant_id', 'uri']).ignore();
  return { tenant_id: tenantId, redirect_uris: await redirectUriStore.list(db, tenantId) };
}

export async function removeRedirectUri(db: Queryable, tenantId: string, uri: string) {
  await requireTenant(db, tenantId);
  const removed = await db('tenant_redirect_uris').where({ tenant_id: tenantId, uri }).delete();
  if (!removed) throw new NotFoundError('Redirect URI');
  return { tenant_id: tenantId, redirect_uris: await redirectUriStore.list(db, tenantId) };
}

export async function listRedirectUris(db: Queryable, tenantId: string) {
  await requireTenant(db, tenantId);
  return { tenant_id: tenantId, redirect_uris: await redirectUriStore.list(db, tenantId) };
}
