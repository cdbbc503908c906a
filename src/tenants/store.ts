// Tenants, OIDC clients and API keys: queries only, no rules.
import type { Queryable } from '../db/index.js';

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
  created_at: Date;
  revoked_at: Date | null;
}

export interface ClientRow {
  client_id: string;
  tenant_id: string;
  metadata: Record<string, unknown>;
}

export const tenantStore = {
  insertTenant: (db: Queryable, row: { id: string; name: string }) => db('tenants').insert(row),
  findTenant: (db: Queryable, id: string): Promise<TenantRow | undefined> => db('tenants').where({ id }).first(),

  insertClient: (db: Queryable, row: { client_id: string; tenant_id: string; metadata: object }) =>
    db('oidc_clients').insert({ ...row, metadata: JSON.stringify(row.metadata) }),
  findClient: (db: Queryable, clientId: string): Promise<ClientRow | undefined> =>
    db('oidc_clients').where({ client_id: clientId }).first(),

  insertApiKey: (db: Queryable, row: Omit<ApiKeyRow, 'created_at' | 'revoked_at'>) => db('api_keys').insert(row),
  findApiKeyByHash: (db: Queryable, keyHash: string): Promise<ApiKeyRow | undefined> =>
    db('api_keys').where({ key_hash: keyHash }).first(),
  revokeApiKey: (db: Queryable, id: string, at: Date): Promise<number> =>
    db('api_keys').where({ id }).whereNull('revoked_at').update({ revoked_at: at }),
  findApiKey: (db: Queryable, id: string): Promise<ApiKeyRow | undefined> => db('api_keys').where({ id }).first(),
};
