// Pairwise subject identifiers: one stable, opaque `sub` per (tenant, person), so tenants can't correlate users.
// It is also the tenant's `person_id` in the API. Deterministic (HMAC), so it needs no lookup to compute.
import { deriveKey } from '../crypto/derive.js';
import { keyedHash } from '../crypto/hash.js';

export function makePairwise(secret: string): (tenantId: string, personId: string) => string {
  const key = deriveKey(secret, 'pairwise-subject');
  return (tenantId, personId) =>
    `psn_${keyedHash(key, `${tenantId}\u0000${personId}`).slice(0, 32)}`;
}
