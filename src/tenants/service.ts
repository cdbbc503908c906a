// Tenant administration: tenants, OIDC clients and API keys.
import crypto from 'node:crypto';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/index.js';
import { BadRequestError, NotFoundError } from '../http/errors.js';
import { API_SCOPES, type ApiScope } from '../http/scopes.js';
import { hashSecret, newId, randomToken } from '../ids.js';
import { tenantStore, type ApiKeyRow } from './store.js';

export const API_KEY_PREFIX = 'kp_live_';

export async function createTenant(db: Queryable, name: string): Promise<{ tenant_id: string }> {
  const id = newId('ten');
  await tenantStore.insertTenant(db, { id, name });
  return { tenant_id: id };
}

async function requireTenant(db: Queryable, tenantId: string): Promise<void> {
  if (!(await tenantStore.findTenant(db, tenantId))) throw new NotFoundError('Tenant');
}

/** Loopback redirect URIs are for development; production requires https everywhere. */
export function checkRedirectUri(uri: string, config: Pick<Config, 'isProduction'>): string {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new BadRequestError('invalid_redirect_uri', `Not an absolute URL: ${uri}`);
  }
  if (u.hash) throw new BadRequestError('invalid_redirect_uri', 'Redirect URIs must not contain a fragment.');
  const loopback = u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol === 'https:') return uri;
  if (loopback && !config.isProduction) return uri;
  throw new BadRequestError(
    'invalid_redirect_uri',
    config.isProduction ? 'Redirect URIs must use https in production.' : 'Redirect URIs must use https (http only for localhost/127.0.0.1).',
  );
}

export async function createClient(
  db: Queryable,
  config: Pick<Config, 'isProduction'>,
  input: { tenantId: string; redirectUris: string[]; public: boolean; name?: string },
): Promise<{ client_id: string; client_secret?: string }> {
  await requireTenant(db, input.tenantId);
  if (input.redirectUris.length === 0) throw new BadRequestError('invalid_redirect_uri', 'At least one redirect URI is required.');
  const uris = input.redirectUris.map((u) => checkRedirectUri(u, config));
  // Pairwise subjects are per tenant, but oidc-provider still insists one client sits on one host.
  if (new Set(uris.map((u) => new URL(u).host)).size > 1) {
    throw new BadRequestError('invalid_redirect_uri', 'All redirect URIs of one client must share one host; create one client per host.');
  }
  const clientId = newId('cli', 16);
  const secret = input.public ? undefined : randomToken(32);
  const metadata = {
    client_id: clientId,
    client_name: input.name,
    tenant_id: input.tenantId,
    redirect_uris: uris,
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: input.public ? 'none' : 'client_secret_basic',
    ...(secret ? { client_secret: hashSecret(secret) } : {}),
  };
  await tenantStore.insertClient(db, { client_id: clientId, tenant_id: input.tenantId, metadata });
  return { client_id: clientId, ...(secret ? { client_secret: secret } : {}) };
}

export interface CreateApiKeyInput {
  tenantId: string;
  name?: string;
  /** Default: every scope (API_SCOPES). */
  scopes?: readonly ApiScope[];
}

export async function createApiKey(db: Queryable, input: CreateApiKeyInput): Promise<{ id: string; api_key: string; scopes: ApiScope[] }> {
  await requireTenant(db, input.tenantId);
  if (input.scopes?.length === 0) throw new BadRequestError('invalid_scope', `An API key needs at least one scope (${API_SCOPES.join(', ')}).`);
  const scopes = API_SCOPES.filter((s) => (input.scopes ?? API_SCOPES).includes(s));
  const key = API_KEY_PREFIX + crypto.randomBytes(24).toString('base64url');
  const id = newId('key');
  await tenantStore.insertApiKey(db, {
    id,
    tenant_id: input.tenantId,
    name: input.name ?? null,
    key_hash: hashSecret(key),
    last4: key.slice(-4),
    scopes,
  });
  return { id, api_key: key, scopes };
}

/** A tenant's keys as an operator may see them: never the key or its hash. */
export async function listApiKeys(db: Queryable, tenantId: string) {
  await requireTenant(db, tenantId);
  const rows = await tenantStore.listApiKeys(db, tenantId);
  return rows.map((k) => ({ id: k.id, name: k.name, last4: k.last4, scopes: [...k.scopes], created_at: k.created_at.toISOString(), revoked_at: k.revoked_at?.toISOString() ?? null }));
}

export async function revokeApiKey(db: Queryable, clock: Clock, id: string): Promise<{ id: string; revoked: true }> {
  const key = await tenantStore.findApiKey(db, id);
  if (!key) throw new NotFoundError('API key');
  // A trigger NOTIFYs every process caching this key (see api-key-cache.ts).
  await tenantStore.revokeApiKey(db, id, clock.now());
  return { id, revoked: true };
}

/** The tenant behind a presented key, or undefined for unknown/revoked keys (callers answer 401 alike). */
export async function authenticateApiKey(db: Queryable, presented: string): Promise<ApiKeyRow | undefined> {
  if (!presented.startsWith(API_KEY_PREFIX) || presented.length > 200) return undefined;
  // The lookup is by hash, so timing reveals nothing about stored keys.
  const row = await tenantStore.findApiKeyByHash(db, hashSecret(presented));
  if (!row || row.revoked_at) return undefined;
  return row;
}

export type TenantService = ReturnType<typeof createTenantService>;

/** The tenants domain bound to its database (compose.ts); the CLI calls the functions above directly. */
export function createTenantService(d: { db: Queryable; clock: Clock; config: Pick<Config, 'isProduction'> }) {
  return {
    createTenant: (name: string) => createTenant(d.db, name),
    findTenant: (id: string) => tenantStore.findTenant(d.db, id),
    createClient: (input: { tenantId: string; redirectUris: string[]; public: boolean; name?: string }) => createClient(d.db, d.config, input),
    createApiKey: (input: CreateApiKeyInput) => createApiKey(d.db, input),
    listApiKeys: (tenantId: string) => listApiKeys(d.db, tenantId),
    revokeApiKey: (id: string) => revokeApiKey(d.db, d.clock, id),
  };
}
