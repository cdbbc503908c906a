// Tenant administration: tenants, OIDC clients and API keys.
import crypto from 'node:crypto';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/index.js';
import { BadRequestError, ConflictError, NotFoundError } from '../http/errors.js';
import { API_SCOPES, type ApiScope } from '../http/scopes.js';
import { hashSecret, newId, randomToken } from '../ids.js';
import { tenantStore, type ApiKeyRow } from './store.js';

export const API_KEY_PREFIX = 'kp_live_';
/** Test-mode keys (issue 14 §6): same API, test data only (cases, sessions, webhooks, a test assurance). */
export const TEST_KEY_PREFIX = 'kp_test_';

export async function createTenant(db: Queryable, name: string): Promise<{ tenant_id: string }> {
  const id = newId('ten');
  await tenantStore.insertTenant(db, { id, name });
  return { tenant_id: id };
}

export async function listTenants(db: Queryable) {
  return (await tenantStore.listTenants(db)).map((t) => ({ id: t.id, name: t.name, created_at: t.created_at.toISOString() }));
}

export async function renameTenant(db: Queryable, id: string, name: string): Promise<{ id: string; name: string }> {
  if (!name.trim()) throw new BadRequestError('invalid_name', 'A tenant needs a name.');
  if (!(await tenantStore.renameTenant(db, id, name.trim()))) throw new NotFoundError('Tenant');
  return { id, name: name.trim() };
}

/**
 * Deletes a tenant with its clients, keys, webhook endpoints and sessions. Refused while it has verification cases:
 * their decision records are kept for the record-keeping period, and deleting the tenant would delete them.
 */
export async function deleteTenant(db: Queryable, id: string): Promise<{ id: string; deleted: true }> {
  await requireTenant(db, id);
  const cases = await tenantStore.countCases(db, id);
  if (cases > 0) throw new ConflictError('tenant_has_records', `The tenant has ${cases} verification case(s) whose decision records must be kept; revoke its keys and delete its clients instead.`);
  await tenantStore.deleteTenant(db, id);
  return { id, deleted: true };
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

function checkRedirectUris(list: string[], config: Pick<Config, 'isProduction'>): string[] {
  if (list.length === 0) throw new BadRequestError('invalid_redirect_uri', 'At least one redirect URI is required.');
  const uris = list.map((u) => checkRedirectUri(u, config));
  // Pairwise subjects are per tenant, but oidc-provider still insists one client sits on one host.
  if (new Set(uris.map((u) => new URL(u).host)).size > 1) {
    throw new BadRequestError('invalid_redirect_uri', 'All redirect URIs of one client must share one host; create one client per host.');
  }
  return uris;
}

export async function createClient(
  db: Queryable,
  config: Pick<Config, 'isProduction'>,
  input: { tenantId: string; redirectUris: string[]; public: boolean; name?: string; postLogoutRedirectUris?: string[]; test?: boolean },
): Promise<{ client_id: string; client_secret?: string }> {
  await requireTenant(db, input.tenantId);
  const uris = checkRedirectUris(input.redirectUris, config);
  const postLogout = (input.postLogoutRedirectUris ?? []).map((u) => checkRedirectUri(u, config));
  const clientId = newId('cli', 16);
  const secret = input.public ? undefined : randomToken(32);
  const metadata = {
    client_id: clientId,
    client_name: input.name,
    tenant_id: input.tenantId,
    redirect_uris: uris,
    ...(postLogout.length ? { post_logout_redirect_uris: postLogout } : {}),
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: input.public ? 'none' : 'client_secret_basic',
    ...(secret ? { client_secret: hashSecret(secret) } : {}),
    // A test client's sign-ins carry the tenant's test assurance in their claims, never the live one (oidc/).
    ...(input.test ? { livemode: false } : {}),
  };
  await tenantStore.insertClient(db, { client_id: clientId, tenant_id: input.tenantId, metadata, livemode: !input.test });
  return { client_id: clientId, ...(secret ? { client_secret: secret } : {}) };
}

export interface CreateApiKeyInput {
  tenantId: string;
  name?: string;
  /** Default: every scope (API_SCOPES). */
  scopes?: readonly ApiScope[];
  /** A test key (kp_test_…): it sees and makes test-mode data only. Default: live. */
  test?: boolean;
}

/** A client as an operator sees it: never the secret (only whether it has one). */
function presentClient(c: { client_id: string; tenant_id: string; metadata: Record<string, unknown> }) {
  const m = c.metadata;
  return {
    client_id: c.client_id,
    tenant_id: c.tenant_id,
    name: typeof m.client_name === 'string' ? m.client_name : null,
    redirect_uris: (m.redirect_uris as string[] | undefined) ?? [],
    post_logout_redirect_uris: (m.post_logout_redirect_uris as string[] | undefined) ?? [],
    public: m.token_endpoint_auth_method === 'none',
    livemode: m.livemode !== false,
  };
}

export async function listClients(db: Queryable, tenantId: string) {
  await requireTenant(db, tenantId);
  return (await tenantStore.listClients(db, tenantId)).map(presentClient);
}

/** New name and/or redirect URIs (replacing the list, checked as at creation). Other processes see it within 10 s (clients cache). */
export async function updateClient(db: Queryable, config: Pick<Config, 'isProduction'>, clientId: string, patch: { name?: string; redirectUris?: string[]; postLogoutRedirectUris?: string[] }) {
  const row = await tenantStore.findClient(db, clientId);
  if (!row) throw new NotFoundError('Client');
  const metadata = { ...row.metadata };
  if (patch.name !== undefined) metadata.client_name = patch.name;
  if (patch.redirectUris) metadata.redirect_uris = checkRedirectUris(patch.redirectUris, config);
  if (patch.postLogoutRedirectUris) metadata.post_logout_redirect_uris = patch.postLogoutRedirectUris.map((u) => checkRedirectUri(u, config));
  await tenantStore.upsertClient(db, { client_id: clientId, tenant_id: row.tenant_id, metadata });
  return presentClient({ ...row, metadata });
}

/** A new secret for a confidential client; the old one stops working at once (returned only here, shown once). */
export async function rotateClientSecret(db: Queryable, clientId: string): Promise<{ client_id: string; tenant_id: string; client_secret: string }> {
  const row = await tenantStore.findClient(db, clientId);
  if (!row) throw new NotFoundError('Client');
  if (row.metadata.token_endpoint_auth_method === 'none') throw new ConflictError('public_client', 'A public client has no secret to rotate.');
  const secret = randomToken(32);
  await tenantStore.upsertClient(db, { client_id: clientId, tenant_id: row.tenant_id, metadata: { ...row.metadata, client_secret: hashSecret(secret) } });
  return { client_id: clientId, tenant_id: row.tenant_id, client_secret: secret };
}

export async function deleteClient(db: Queryable, clientId: string): Promise<{ client_id: string; deleted: true }> {
  if (!(await tenantStore.deleteClient(db, clientId))) throw new NotFoundError('Client');
  return { client_id: clientId, deleted: true };
}

export async function createApiKey(db: Queryable, input: CreateApiKeyInput): Promise<{ id: string; api_key: string; scopes: ApiScope[]; livemode: boolean }> {
  await requireTenant(db, input.tenantId);
  if (input.scopes?.length === 0) throw new BadRequestError('invalid_scope', `An API key needs at least one scope (${API_SCOPES.join(', ')}).`);
  const scopes = API_SCOPES.filter((s) => (input.scopes ?? API_SCOPES).includes(s));
  const livemode = !input.test;
  const key = (livemode ? API_KEY_PREFIX : TEST_KEY_PREFIX) + crypto.randomBytes(24).toString('base64url');
  const id = newId('key');
  await tenantStore.insertApiKey(db, {
    id,
    tenant_id: input.tenantId,
    name: input.name ?? null,
    key_hash: hashSecret(key),
    last4: key.slice(-4),
    scopes,
    livemode,
  });
  return { id, api_key: key, scopes, livemode };
}

/** A tenant's keys as an operator may see them: never the key or its hash. */
/** An API key as listed (CLI, console): never the key, its last four characters. */
export type ApiKeyListing = Awaited<ReturnType<typeof listApiKeys>>[number];
/** A client as listed (CLI, console): never the secret. */
export type ClientListing = ReturnType<typeof presentClient>;

export async function listApiKeys(db: Queryable, tenantId: string) {
  await requireTenant(db, tenantId);
  const rows = await tenantStore.listApiKeys(db, tenantId);
  return rows.map((k) => ({ id: k.id, name: k.name, last4: k.last4, scopes: [...k.scopes], livemode: k.livemode, created_at: k.created_at.toISOString(), revoked_at: k.revoked_at?.toISOString() ?? null }));
}

/** New name and/or scopes; every process caching the key drops it when the change commits (api_keys trigger). */
export async function updateApiKey(db: Queryable, id: string, patch: { name?: string; scopes?: readonly ApiScope[] }) {
  if (patch.scopes?.length === 0) throw new BadRequestError('invalid_scope', `An API key needs at least one scope (${API_SCOPES.join(', ')}).`);
  const scopes = patch.scopes && API_SCOPES.filter((s) => patch.scopes!.includes(s));
  if (!(await tenantStore.updateApiKey(db, id, { ...(patch.name !== undefined ? { name: patch.name } : {}), ...(scopes ? { scopes } : {}) }))) throw new NotFoundError('API key');
  const key = (await tenantStore.findApiKey(db, id))!;
  return { id, name: key.name, scopes: [...key.scopes] };
}

/** Removes the key's row (it stops working everywhere when the delete commits); `revoke` keeps it as history. */
export async function deleteApiKey(db: Queryable, id: string): Promise<{ id: string; deleted: true }> {
  if (!(await tenantStore.deleteApiKey(db, id))) throw new NotFoundError('API key');
  return { id, deleted: true };
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
  if (!(presented.startsWith(API_KEY_PREFIX) || presented.startsWith(TEST_KEY_PREFIX)) || presented.length > 200) return undefined;
  // The lookup is by hash, so timing reveals nothing about stored keys.
  const row = await tenantStore.findApiKeyByHash(db, hashSecret(presented));
  if (!row || row.revoked_at) return undefined;
  // The prefix is part of the hashed key; a row whose mode disagrees with it is refused rather than trusted.
  if (row.livemode !== presented.startsWith(API_KEY_PREFIX)) return undefined;
  return row;
}

export type TenantService = ReturnType<typeof createTenantService>;

/** The tenants domain bound to its database (compose.ts); the CLI calls the functions above directly. */
export function createTenantService(d: { db: Queryable; clock: Clock; config: Pick<Config, 'isProduction'> }) {
  return {
    createTenant: (name: string) => createTenant(d.db, name),
    listTenants: () => listTenants(d.db),
    renameTenant: (id: string, name: string) => renameTenant(d.db, id, name),
    deleteTenant: (id: string) => deleteTenant(d.db, id),
    listClients: (tenantId: string) => listClients(d.db, tenantId),
    updateClient: (clientId: string, patch: { name?: string; redirectUris?: string[] }) => updateClient(d.db, d.config, clientId, patch),
    deleteClient: (clientId: string) => deleteClient(d.db, clientId),
    updateApiKey: (id: string, patch: { name?: string; scopes?: readonly ApiScope[] }) => updateApiKey(d.db, id, patch),
    deleteApiKey: (id: string) => deleteApiKey(d.db, id),
    findTenant: (id: string) => tenantStore.findTenant(d.db, id),
    createClient: (input: { tenantId: string; redirectUris: string[]; public: boolean; name?: string }) => createClient(d.db, d.config, input),
    createApiKey: (input: CreateApiKeyInput) => createApiKey(d.db, input),
    listApiKeys: (tenantId: string) => listApiKeys(d.db, tenantId),
    revokeApiKey: (id: string) => revokeApiKey(d.db, d.clock, id),
  };
}
