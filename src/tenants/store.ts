// Tenants, OIDC clients and API keys: queries only, no rules.
import type { AdapterPayload } from 'oidc-provider';
import { jsonObjectColumn, StoredDataError } from '../db/codec.js';
import type { Queryable } from '../db/index.js';
import { formatScopes, parseScopes, type ApiScope } from '../http/scopes.js';

export interface TenantRow {
  id: string;
  name: string;
  created_at: Date;
}

export interface ApiKeyRow {
  id: string;
  tenant_id: string;
  name: string | null;
  key_hash: string;
  last4: string;
  /** Decoded from the space-separated column; the cached key state carries them to every request. */
  scopes: readonly ApiScope[];
  /** false: a test key (kp_test_…), which sees and makes test-mode data only. */
  livemode: boolean;
  created_at: Date;
  revoked_at: Date | null;
}

type StoredApiKey = Omit<ApiKeyRow, 'scopes'> & { scopes: string };

function decodeApiKey(row: StoredApiKey | undefined): ApiKeyRow | undefined {
  if (!row) return undefined;
  const scopes = parseScopes(row.scopes);
  if (!scopes) throw new StoredDataError(`api_keys ${row.id}: unknown scope in scopes`);
  return { ...row, scopes };
}

export interface ClientRow {
  client_id: string;
  tenant_id: string;
  /** oidc-provider client metadata (its schema; the provider validates it when it loads the client). */
  metadata: AdapterPayload;
}

const metadataColumn = jsonObjectColumn<AdapterPayload>('oidc_clients.metadata');

export const tenantStore = {
  insertTenant: (db: Queryable, row: { id: string; name: string }) => db('tenants').insert(row),
  findTenant: (db: Queryable, id: string): Promise<TenantRow | undefined> => db('tenants').where({ id }).first(),
  listTenants: (db: Queryable): Promise<TenantRow[]> => db('tenants').select('id', 'name', 'created_at').orderBy([{ column: 'created_at' }, { column: 'id' }]),
  renameTenant: (db: Queryable, id: string, name: string): Promise<number> => db('tenants').where({ id }).update({ name }),
  /** Everything the tenant owns goes with it (foreign keys cascade); callers check what must be kept first. */
  deleteTenant: (db: Queryable, id: string): Promise<number> => db('tenants').where({ id }).delete(),
  countCases: async (db: Queryable, tenantId: string): Promise<number> =>
    Number((await db('verification_cases').where({ tenant_id: tenantId }).count<{ n: number | string }[]>('* as n'))[0]!.n),

  insertClient: (db: Queryable, row: { client_id: string; tenant_id: string; metadata: object; livemode?: boolean }) =>
    db('oidc_clients').insert({ ...row, metadata: JSON.stringify(row.metadata) }),
  /** Inserts the client, or replaces its metadata when it exists. */
  upsertClient: (db: Queryable, row: { client_id: string; tenant_id: string; metadata: object }) =>
    db('oidc_clients').insert({ ...row, metadata: JSON.stringify(row.metadata) }).onConflict('client_id').merge(['metadata']),
  listClients: async (db: Queryable, tenantId: string): Promise<ClientRow[]> =>
    (await db<Omit<ClientRow, 'metadata'> & { metadata: unknown }>('oidc_clients').where({ tenant_id: tenantId }).orderBy('client_id')).map((r) => ({
      ...r,
      metadata: metadataColumn.decode(r.metadata),
    })),
  deleteClient: (db: Queryable, clientId: string): Promise<number> => db('oidc_clients').where({ client_id: clientId }).delete(),
  findClient: async (db: Queryable, clientId: string): Promise<ClientRow | undefined> => {
    const row = await db<Omit<ClientRow, 'metadata'> & { metadata: unknown }>('oidc_clients').where({ client_id: clientId }).first();
    return row && { ...row, metadata: metadataColumn.decode(row.metadata) };
  },

  insertApiKey: (db: Queryable, row: Omit<ApiKeyRow, 'created_at' | 'revoked_at'>) => db('api_keys').insert({ ...row, scopes: formatScopes(row.scopes) }),
  findApiKeyByHash: async (db: Queryable, keyHash: string): Promise<ApiKeyRow | undefined> =>
    decodeApiKey(await db<StoredApiKey>('api_keys').where({ key_hash: keyHash }).first()),
  revokeApiKey: (db: Queryable, id: string, at: Date): Promise<number> =>
    db('api_keys').where({ id }).whereNull('revoked_at').update({ revoked_at: at }),
  listApiKeys: async (db: Queryable, tenantId: string): Promise<ApiKeyRow[]> =>
    (await db<StoredApiKey>('api_keys').where({ tenant_id: tenantId }).orderBy([{ column: 'created_at' }, { column: 'id' }])).map((r) => decodeApiKey(r)!),
  /** The api_keys trigger NOTIFYs every process caching the key (its scopes or existence changed). */
  updateApiKey: (db: Queryable, id: string, patch: { name?: string | null; scopes?: readonly ApiScope[] }): Promise<number> =>
    db('api_keys')
      .where({ id })
      .update({ ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.scopes ? { scopes: formatScopes(patch.scopes) } : {}) }),
  deleteApiKey: (db: Queryable, id: string): Promise<number> => db('api_keys').where({ id }).delete(),
  findApiKey: async (db: Queryable, id: string): Promise<ApiKeyRow | undefined> => decodeApiKey(await db<StoredApiKey>('api_keys').where({ id }).first()),
};
