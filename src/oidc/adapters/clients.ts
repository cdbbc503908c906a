// Client metadata for oidc-provider, read from oidc_clients with a short in-process cache: the token endpoint
// looks a client up on every request and clients change rarely (created by the CLI).
import type { AdapterPayload } from 'oidc-provider';
import type { Queryable } from '../../db/index.js';
import { tenantStore } from '../../tenants/store.js';

const TTL_MS = 10_000;

export class ClientCatalog {
  private readonly cache = new Map<string, { at: number; value: AdapterPayload | undefined }>();
  constructor(private readonly db: Queryable) {}

  async find(clientId: string): Promise<AdapterPayload | undefined> {
    const hit = this.cache.get(clientId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    const row = await tenantStore.findClient(this.db, clientId);
    const value = row?.metadata;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(clientId, { at: Date.now(), value });
    return value;
  }
}

/** The tenant of a test client (metadata `livemode: false`), whose sign-ins carry its test assurance; else undefined. */
export function testClientTenant(client: object | undefined): string | undefined {
  return client && 'livemode' in client && client.livemode === false ? clientTenant(client) : undefined;
}

/** The tenant a loaded oidc-provider Client belongs to (our extra metadata `tenant_id`, not in its types). */
export function clientTenant(client: object | undefined): string | undefined {
  const id = client && 'tenant_id' in client ? client.tenant_id : undefined;
  return typeof id === 'string' ? id : undefined;
}
