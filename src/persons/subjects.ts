// Pairwise subject identifiers: one stable, opaque `sub` per (tenant, person), so tenants can't correlate users.
// It is also the tenant's `person_id` in the API. Deterministic (HMAC), so it needs no lookup to compute.
import { keyedHash } from '../crypto/hash.js';

/** `key`: the instance secret's 'pairwise-subject' subkey (derived in compose.ts). */
export function makePairwise(key: Buffer): (tenantId: string, personId: string) => string {
  return (tenantId, personId) =>
    `psn_${keyedHash(key, `${tenantId}\u0000${personId}`).slice(0, 32)}`;
}
