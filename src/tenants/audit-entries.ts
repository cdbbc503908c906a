// The audit entries of tenant administration (src/audit/): one builder per action so the CLI and the console
// write the same names and details. Details hold ids, names of things and counts, never secrets.
import type { AuditActor } from '../audit/chain.js';
import type { AuditEntry } from '../audit/service.js';

const onTenant = (tenantId: string, actor: AuditActor, action: string, object: AuditEntry['object'], details?: Record<string, unknown>): AuditEntry => ({
  tenantId,
  actor,
  action,
  object,
  ...(details ? { details } : {}),
});

export const tenantAudit = {
  /** On the operator's chain: creating a tenant is the operator's act. */
  tenantCreated: (actor: AuditActor, tenantId: string, name: string): AuditEntry => ({ tenantId: null, actor, action: 'tenant.created', object: { type: 'tenant', id: tenantId }, details: { name } }),
  clientCreated: (actor: AuditActor, tenantId: string, clientId: string, d: { public: boolean; redirect_uris: string[] }) =>
    onTenant(tenantId, actor, 'client.created', { type: 'client', id: clientId }, d),
  tenantUpdated: (actor: AuditActor, tenantId: string, name: string): AuditEntry => ({ tenantId: null, actor, action: 'tenant.updated', object: { type: 'tenant', id: tenantId }, details: { name } }),
  tenantDeleted: (actor: AuditActor, tenantId: string): AuditEntry => ({ tenantId: null, actor, action: 'tenant.deleted', object: { type: 'tenant', id: tenantId } }),
  clientUpdated: (actor: AuditActor, tenantId: string, clientId: string, changed: string[]) => onTenant(tenantId, actor, 'client.updated', { type: 'client', id: clientId }, { changed }),
  clientSecretRotated: (actor: AuditActor, tenantId: string, clientId: string) => onTenant(tenantId, actor, 'client.secret_rotated', { type: 'client', id: clientId }),
  clientDeleted: (actor: AuditActor, tenantId: string, clientId: string) => onTenant(tenantId, actor, 'client.deleted', { type: 'client', id: clientId }),
  apiKeyCreated: (actor: AuditActor, tenantId: string, keyId: string, name: string | undefined, scopes: readonly string[]) =>
    onTenant(tenantId, actor, 'api_key.created', { type: 'api_key', id: keyId }, { name: name ?? null, scopes: [...scopes] }),
  apiKeyUpdated: (actor: AuditActor, tenantId: string, keyId: string, patch: { name?: string; scopes?: readonly string[] }) =>
    onTenant(tenantId, actor, 'api_key.updated', { type: 'api_key', id: keyId }, { ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.scopes ? { scopes: [...patch.scopes] } : {}) }),
  apiKeyDeleted: (actor: AuditActor, tenantId: string, keyId: string) => onTenant(tenantId, actor, 'api_key.deleted', { type: 'api_key', id: keyId }),
  apiKeyRevoked: (actor: AuditActor, tenantId: string, keyId: string) => onTenant(tenantId, actor, 'api_key.revoked', { type: 'api_key', id: keyId }),
  redirectUriAdded: (actor: AuditActor, tenantId: string, uri: string) => onTenant(tenantId, actor, 'redirect_uri.added', { type: 'tenant', id: tenantId }, { uri }),
  redirectUriRemoved: (actor: AuditActor, tenantId: string, uri: string) => onTenant(tenantId, actor, 'redirect_uri.removed', { type: 'tenant', id: tenantId }, { uri }),
  brandingChanged: (actor: AuditActor, tenantId: string, changed: string[]) => onTenant(tenantId, actor, 'branding.changed', { type: 'tenant', id: tenantId }, { changed }),
};
