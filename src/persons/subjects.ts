// Pairwise subject identifiers: one stable, opaque `sub` per (tenant, person), so tenants can't correlate users.
// It is also the tenant's `person_id` in the API. Deterministic (HMAC), so it needs no lookup to compute.
import crypto from 'node:crypto';
import { deriveKey } from '../oidc/keys.js';

export function makePairwise(secret: string): (tenantId: string, personId: string) => string {
  const key = deriveKey(secret, 'pairwise-subject');
  return (tenantId, personId) =>
    `psn_${crypto.createHmac('sha256', key).update(`${tenantId}\u0000${personId}`).digest('base64url').slice(0, 32)}`;
}
